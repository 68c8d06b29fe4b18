package dev.machina.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Machina worker in its own JVM, on a few hundred synthetic examples. */
class E2eWorkerTest {

    static E2eWorker.Settings tiny(String mode) {
        return new E2eWorker.Settings(null, 300, 2, new int[] {64, 256}, 1, 1, 0, 1000, 1, 3, 20, 100, mode);
    }

    @Test
    void settingsRoundTripThroughTheCommandLine() {
        E2eWorker.Settings s = tiny("bench");
        E2eWorker.Settings back = E2eWorker.Settings.parse(s.args());
        assertThat(back.args()).containsExactly(s.args());
        assertThat(back.synthetic()).isEqualTo(300);
        assertThat(back.batchSizes()).containsExactly(64, 256);
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
