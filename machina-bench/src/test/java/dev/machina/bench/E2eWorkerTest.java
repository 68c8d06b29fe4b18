package dev.machina.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Machina worker in its own JVM, on a few hundred synthetic examples. */
class E2eWorkerTest {

    static E2eWorker.Settings tiny(String mode) {
        return E2eWorker.Settings.of(Map.of("synthetic", 300, "infer-warmup", 1, "infer-passes", 3, "latency-warmup", 20,
                "latency-calls", 100, "mode", mode, "lstm-examples", 0));
    }

    @Test
    void settingsRoundTripThroughTheCommandLine() {
        E2eWorker.Settings s = tiny("bench");
        E2eWorker.Settings back = E2eWorker.Settings.parse(s.args());
        assertThat(back).isEqualTo(s);
        assertThat(back.args()).containsExactly(s.args());
        assertThat(back.synthetic()).isEqualTo(300);
        assertThat(back.batchSizes()).containsExactly(64, 256);
        assertThat(back.latencyCalls()).isEqualTo(100);
        assertThat(back.mode()).isEqualTo("bench");
    }

    @Test
    void settingsAreNamedOptionsWithDefaults() {
        E2eWorker.Settings d = E2eWorker.Settings.defaults();
        assertThat(d.threads()).isEqualTo(2);
        assertThat(d.batchSizes()).containsExactly(64, 256);
        assertThat(d.inferBatch()).isEqualTo(1000);
        assertThat(d.lstmExamples()).isEqualTo(E2eWorker.LSTM_EXAMPLES);
        assertThat(d.data()).isNull();
        // every setting is written by name, as --name=value; synthetic data without a directory, the directory with one
        assertThat(d.with("threads", 1).args()).contains("--threads=1", "--synthetic=0", "--batch-sizes=64,256", "--mode=bench")
                .allMatch(a -> a.startsWith("--") && a.contains("=")).noneMatch(a -> a.startsWith("--data"));
        E2eWorker.Settings withData = d.with("data", Path.of("/data/fashion mnist"));
        assertThat(withData.args()).contains("--data=/data/fashion mnist").noneMatch(a -> a.startsWith("--synthetic"));
        assertThat(withData.data()).isEqualTo(Path.of("/data/fashion mnist"));
        assertThat(withData.with("data", null).data()).isNull();
        // both spellings on the command line; what is not given keeps its default; the order does not matter
        E2eWorker.Settings p = E2eWorker.Settings.parse(new String[] {"--mode", "accuracy", "--batch-sizes=64", "--seed=7", "--epochs", "3"});
        assertThat(p).isEqualTo(d.with("mode", "accuracy").with("batch-sizes", new int[] {64}).with("seed", 7L).with("epochs", 3));
        assertThat(p.seed()).isEqualTo(7L);
        assertThat(p.threads()).isEqualTo(2);
    }

    @Test
    void badSettingsNameTheSetting() {
        assertThatThrownBy(() -> E2eWorker.Settings.parse(new String[] {"--thread=2"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option --thread");
        assertThatThrownBy(() -> E2eWorker.Settings.parse(new String[] {"--epochs"})).hasMessageContaining("--epochs needs a value");
        assertThatThrownBy(() -> E2eWorker.Settings.parse(new String[] {"2"})).hasMessageContaining("expected --name=value");
        assertThatThrownBy(() -> E2eWorker.Settings.defaults().with("epochs", "two")).hasMessageContaining("--epochs must be an integer");
        assertThatThrownBy(() -> E2eWorker.Settings.defaults().with("batch-sizes", "64,,256")).hasMessageContaining("--batch-sizes");
        assertThatThrownBy(() -> E2eWorker.Settings.defaults().with("mode", "fast")).hasMessageContaining("--mode must be bench or accuracy");
        assertThatThrownBy(() -> E2eWorker.Settings.of(Map.of("nosuch", 1))).hasMessageContaining("unknown setting 'nosuch'");
    }

    @Test
    void syntheticDataIsTheSameFixedPattern() {
        var d = E2eWorker.synthetic(20);
        assertThat(d.train().size()).isEqualTo(20);
        assertThat(d.test().size()).isEqualTo(4);
        assertThat(d.train().labels()[13]).isEqualTo(3);
        // x[i, j] = ((i*31 + j*17 + y*j) mod 256) / 255 (torch_bench.py makes the same numbers)
        assertThat(d.train().features().data()[13 * 784 + 5]).isEqualTo(((13 * 31 + 5 * 17 + 3 * 5) % 256) / 255f);
        assertThat(d.test().labels()[0]).isEqualTo(0); // example 20 of the stream
    }

    @Test
    void workerJvmReportsPositiveTimesAndItsPeakMemory() throws Exception {
        E2eWorker.Settings s = tiny("bench");
        List<String> cmd = E2eBench.machinaCommand(s.args(), s.threads(), List.of());
        assertThat(cmd).contains("-Dmachina.threads=2", E2eWorker.class.getName());
        assertThat(String.join(" ", cmd)).contains("jdk.incubator.vector");
        E2eBench.ProcessResult r = E2eBench.exec(cmd, 300);
        JsonNode j = E2eBench.parseResult(new ObjectMapper(), r, "machina worker");
        assertThat(j.get("side").asText()).isEqualTo("machina");
        assertThat(j.get("threads").asInt()).isEqualTo(2);
        assertThat(j.get("train_examples").asInt()).isEqualTo(300);
        assertThat(j.get("load_s").asDouble()).isPositive();
        for (String b : List.of("64", "256")) {
            JsonNode t = j.path("train").path(b);
            assertThat(t.path("epoch_s")).hasSize(1);
            assertThat(t.path("warmup_epoch_s")).hasSize(1);
            assertThat(t.path("mean_epoch_s").asDouble()).isPositive();
            assertThat(t.path("samples_per_s").asDouble()).isPositive();
            assertThat(t.path("final_train_loss").asDouble()).isBetween(0.0, 10.0);
        }
        JsonNode inf = j.path("infer");
        assertThat(inf.path("throughput_samples_per_s").asDouble()).isPositive();
        assertThat(inf.path("latency_median_us").asDouble()).isPositive();
        assertThat(inf.path("latency_p99_us").asDouble()).isGreaterThanOrEqualTo(inf.path("latency_median_us").asDouble());
        assertThat(j.path("vmhwm_train_kb").asLong()).isPositive();
        assertThat(j.path("vmhwm_kb").asLong()).isGreaterThanOrEqualTo(j.path("vmhwm_train_kb").asLong());
    }
}
