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

/** `machina tune SWEEP --spark local[2]` in-process: the CLI finds the backend, and the sweep directory is a complete one. */
@Timeout(180)
class TuneSparkCliTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void tuneOnLocalSpark(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("cli-sweep.yaml");
        Files.writeString(f, """
                base:
                  seed: 5
                  data: {dataset: digits, test: 0.2, validation: 0.2}
                  model: [{linear: 16}, relu, {linear: 10}]
                  optimizer: {name: adam, lr: 1.0e-3}
                  training: {epochs: 2, batch_size: 64}
                space:
                  optimizer.lr: [0.001, 0.01, 0.03]
                """);
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Main.execute(new String[] {"tune", f.toString(), "--spark", "local[2]", "--runs", tmp.resolve("runs").toString(), "--progress",
            "lines"}, new PrintWriter(o, true), new PrintWriter(e, true));
        assertThat(code).as(o + "\n" + e).isZero();
        assertThat(o.toString()).contains("Spark tasks on local[2]").contains("trial 002 done");
        Path sweep;
        try (Stream<Path> s = Files.list(tmp.resolve("runs").resolve("cli-sweep"))) {
            sweep = s.findFirst().orElseThrow();
        }
        JsonNode lb = JSON.readTree(sweep.resolve("leaderboard.json").toFile());
        assertThat(lb.get("trials")).hasSize(3);
        for (String file : new String[] {"sweep.yaml", "sweep.json", "leaderboard.csv", "best.yaml", "report.html", "trials/000/run.json",
            "trials/002/model.safetensors", "trials/001/metrics.jsonl"}) {
            assertThat(sweep.resolve(file)).as(file).exists();
        }
        assertThat(sweep.resolve(".incoming")).doesNotExist();
    }
}
