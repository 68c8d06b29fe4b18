package dev.machina.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java code works as written: every {@code ```java} block compiles against the
 * library and runs. A block is either a whole compilation unit (it declares a class) or, as
 * the README's library snippet, imports followed by the statements of a {@code main} method.
 */
class ReadmeTest {
    static final Path README = Path.of("..", "README.md");
    static final Pattern JAVA_BLOCK = Pattern.compile("(?ms)^```java\\n(.*?)^```$");
    static final Pattern TYPE_DECLARATION = Pattern.compile("(?m)^(public |final |abstract )*(class|record|interface|enum) (\\w+)");

    /** The {@code ```java} blocks of {@code markdown}, in order. */
    static List<String> javaBlocks(String markdown) {
        List<String> blocks = new ArrayList<>();
        Matcher m = JAVA_BLOCK.matcher(markdown);
        while (m.find()) blocks.add(m.group(1));
        return blocks;
    }

    /** The block as a compilation unit whose public class is {@code className}: imports first, the rest the body of main. */
    static String asCompilationUnit(String block, String className) {
        StringBuilder imports = new StringBuilder(), body = new StringBuilder();
        for (String line : block.lines().toList()) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        return imports + "\npublic class " + className + " {\n    public static void main(String[] args) throws Exception {\n"
                + body.toString().indent(8) + "    }\n}\n";
    }

    @Test
    void wrapsStatementsIntoAMainAndKeepsClasses() {
        String unit = asCompilationUnit("import java.util.List;\nSystem.out.println(List.of(1));\n", "B");
        assertThat(unit).startsWith("import java.util.List;\n").contains("public class B {").contains("        System.out.println(List.of(1));");
        assertThat(javaBlocks("x\n```java\nint a;\n```\n```sh\nls\n```\n```java\nint b;\n```\n")).containsExactly("int a;\n", "int b;\n");
    }

    @Test
    void everyJavaBlockCompilesAndRuns(@TempDir Path tmp) throws Exception {
        List<String> blocks = javaBlocks(Files.readString(README));
        assertThat(blocks).as("the README's java blocks").isNotEmpty();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        for (int i = 0; i < blocks.size(); i++) {
            String block = blocks.get(i);
            Matcher type = TYPE_DECLARATION.matcher(block);
            String className = type.find() ? type.group(3) : "ReadmeBlock" + (i + 1);
            String source = type.reset().find() ? block : asCompilationUnit(block, className);
            Path dir = Files.createDirectories(tmp.resolve("block" + (i + 1)));
            Path file = dir.resolve(className + ".java");
            Files.writeString(file, source);
            ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
            int rc = javac.run(null, diagnostics, diagnostics, "--add-modules", "jdk.incubator.vector", "-proc:none",
                    "-cp", System.getProperty("java.class.path"), "-d", dir.toString(), file.toString());
            assertThat(rc).as("README java block %d does not compile:\n%s\n%s", i + 1, diagnostics.toString(StandardCharsets.UTF_8), source)
                    .isZero();
            if (source.contains("public static void main(")) {
                run(dir, className, i + 1);
            }
        }
    }

    private static void run(Path dir, String className, int blockNumber) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", dir + java.io.File.pathSeparator + System.getProperty("java.class.path"), className)
                .directory(dir.toFile()).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                p.getInputStream().transferTo(out);
            } catch (java.io.IOException e) {
                // the process was killed
            }
        });
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        if (!done) p.destroyForcibly().waitFor();
        reader.join();
        String output = out.toString(StandardCharsets.UTF_8);
        assertThat(done).as("README java block %d finishes within 120 s:\n%s", blockNumber, output).isTrue();
        assertThat(p.exitValue()).as("README java block %d exits normally:\n%s", blockNumber, output).isZero();
    }
}
