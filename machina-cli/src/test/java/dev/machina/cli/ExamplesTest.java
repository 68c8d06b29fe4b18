package dev.machina.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.experiment.Experiment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files under examples/ stay in step with the code: every spec is valid, every program compiles. */
class ExamplesTest {
    static final Path EXAMPLES = Path.of("..", "examples");

    @Test
    void everyExampleSpecIsValid() throws Exception {
        List<Path> specs;
        try (Stream<Path> s = Files.list(EXAMPLES)) {
            specs = s.filter(p -> p.toString().endsWith(".yaml")).filter(p -> !p.getFileName().toString().contains("sweep")).sorted().toList();
        }
        assertThat(specs).extracting(p -> p.getFileName().toString())
                .contains("digits-mlp.yaml", "fashion-mlp.yaml", "iris-csv.yaml", "fashion-lstm.yaml", "fashion-gru.yaml", "text-lstm.yaml", "sine-forecast.yaml");
        for (Path p : specs) {
            Experiment e = Experiment.load(p, List.of());
            assertThat(e.model()).as(p.toString()).isNotEmpty();
        }
    }

    @Test
    void everyJavaExampleCompilesAgainstTheLibrary(@TempDir Path out) throws Exception {
        List<Path> programs;
        try (Stream<Path> s = Files.list(EXAMPLES)) {
            programs = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        assertThat(programs).extracting(p -> p.getFileName().toString()).contains("DigitsMlp.java");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        for (Path program : programs) {
            int rc = javac.run(null, null, null, "--add-modules", "jdk.incubator.vector", "-proc:none", "-cp", System.getProperty("java.class.path"),
                    "-d", out.toString(), program.toString());
            assertThat(rc).as(program.toString()).isZero();
            String name = program.getFileName().toString();
            assertThat(out.resolve(name.substring(0, name.length() - ".java".length()) + ".class")).exists();
        }
    }
}
