package dev.machina.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.machina.cli.Main;
import dev.machina.experiment.UserError;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `machina tune SWEEP --spark local[2]` in-process (the CLI finds the backend; the sweep directory
 * is a complete one), and the Spark context the backend starts.
 */
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

    @Test
    void settingsComeFromConfThenSystemPropertiesThenMachinasDefaults() {
        System.setProperty("spark.task.maxFailures", "3");
        try (SparkTrials t = SparkTrials.start("local[2]", Map.of("spark.app.name", "mine"))) {
            var c = t.context().getConf();
            assertThat(t.context().master()).isEqualTo("local[2,3]"); // local mode's form of 3 attempts
            assertThat(c.get("spark.app.name")).isEqualTo("mine");
            assertThat(c.get("spark.executor.extraJavaOptions")).endsWith(" -Xss4m"); // after the flags Spark adds itself
            assertThat(c.get("spark.driver.host")).isEqualTo("127.0.0.1");
            assertThat(t.parallelism()).isEqualTo(2);
        } finally {
            System.clearProperty("spark.task.maxFailures");
        }
    }

    @Test
    void aMasterSparkDoesNotKnowIsAOneLineError() {
        assertThatThrownBy(() -> SparkTrials.start("lokal[2]", Map.of())).isInstanceOf(UserError.class)
                .hasMessageStartingWith("--spark: 'lokal[2]' is not a Spark master: expected local[N]");
    }
}
