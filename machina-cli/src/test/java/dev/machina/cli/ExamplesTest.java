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

/** The files under examples/ (and the Java benchmark programs under bench/) stay in step with the code: every spec is valid, every program compiles. */
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
    void theJavaExampleCompilesAgainstTheLibrary(@TempDir Path out) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "--add-modules", "jdk.incubator.vector", "-proc:none", "-cp", System.getProperty("java.class.path"),
                "-d", out.toString(), EXAMPLES.resolve("DigitsMlp.java").toString());
        assertThat(rc).isZero();
        assertThat(out.resolve("DigitsMlp.class")).exists();
    }

    @Test
    void theBenchmarkProgramsCompileAgainstTheLibrary(@TempDir Path out) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Path bench = Path.of("..", "bench");
        for (String program : List.of("GemmWindows", "MlpStep", "FlipAB")) {
            int rc = javac.run(null, null, null, "--add-modules", "jdk.incubator.vector", "-proc:none", "-cp", System.getProperty("java.class.path"),
                    "-d", out.toString(), bench.resolve(program + ".java").toString());
            assertThat(rc).as(program).isZero();
            assertThat(out.resolve(program + ".class")).exists();
        }
    }
}
