package dev.machina.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.machina.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** `machina train SPEC --spark local[2] --workers 2` in-process: epoch lines, the test result, a complete run directory with its report. */
@Timeout(180)
class TrainSparkCliTest {
    static String[] run(Path tmp, String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Main.execute(args, new PrintWriter(o, true), new PrintWriter(e, true));
        return new String[] {String.valueOf(code), o.toString(), e.toString()};
    }

    @Test
    void trainOnLocalSpark(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("cli-dp.yaml");
        Files.writeString(f, """
                seed: 3
                data: {dataset: digits, test: 0.2, validation: 0.1, transform: standardize}
                model: [{linear: 64}, relu, {linear: 10}]
                training: {epochs: 3, batch_size: 32}
                """);
        String[] r = run(tmp, "train", f.toString(), "--spark", "local[2]", "--workers", "2", "--runs", tmp.resolve("runs").toString());
        assertThat(r[0]).as(r[1] + "\n" + r[2]).isEqualTo("0");
        assertThat(r[1]).contains("2 workers on Spark local[2]").contains("machina: epoch 3, train_loss").containsPattern("test accuracy 0\\.[89]")
                .contains("gradient exchange");
        Path dir;
        try (Stream<Path> s = Files.list(tmp.resolve("runs").resolve("cli-dp"))) {
            dir = s.findFirst().orElseThrow();
        }
        for (String file : new String[] {"spec.yaml", "run.json", "metrics.jsonl", "history.csv", "model.safetensors", "test-results.json",
            "report.html", "checkpoints/last.safetensors"}) {
            assertThat(dir.resolve(file)).as(file).exists();
        }
        JsonNode run = new ObjectMapper().readTree(dir.resolve("run.json").toFile());
        assertThat(run.path("distributed").path("workers").asInt()).isEqualTo(2);
        // the run is one `eval` and `runs list` read like any other
        String[] ev = run(tmp, "eval", dir.toString());
        assertThat(ev[0]).as(ev[1] + ev[2]).isEqualTo("0");
    }

    @Test
    void workersWithoutSparkAndResumeWithSparkAreClearErrors(@TempDir Path tmp) {
        String[] a = run(tmp, "train", "examples/digits-mlp.yaml", "--workers", "2");
        assertThat(a[0]).isEqualTo("2");
        assertThat(a[2]).contains("--workers is for data-parallel training on Spark");
        String[] b = run(tmp, "train", "--resume", tmp.toString(), "--spark", "local[2]");
        assertThat(b[0]).isEqualTo("2");
        assertThat(b[2]).contains("--spark trains a SPEC");
    }
}
