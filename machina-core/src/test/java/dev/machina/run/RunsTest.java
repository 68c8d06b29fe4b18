package dev.machina.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunsTest {

    private static RunDirectory run(Path root, String name, double lr, double[] valAcc, String status) throws Exception {
        RunDirectory r = RunDirectory.create(root, name);
        r.record().set("config", RunDirectory.JSON.valueToTree(Map.of("optimizer", Map.of("name", "adam", "lr", lr), "seed", 42)));
        r.record().put("status", status);
        r.record().put("start_time", "2026-11-25T10:00:0" + (int) (lr * 1000) + "Z");
        r.saveRecord();
        for (int e = 0; e < valAcc.length; e++) r.appendMetrics(Map.of("type", "epoch", "epoch", e + 1, "val_accuracy", valAcc[e], "val_loss", 1 - valAcc[e]));
        return r;
    }

    @Test
    void listsAndComparesRuns(@TempDir Path tmp) throws Exception {
        RunDirectory a = run(tmp, "mlp", 0.001, new double[] {0.8, 0.9, 0.85}, "completed");
        RunDirectory b = run(tmp, "mlp", 0.003, new double[] {0.7, 0.95}, "stopped-early");
        List<RunInfo> runs = Runs.list(tmp);
        assertThat(runs).hasSize(2);
        assertThat(runs.get(0).dir()).isEqualTo(b.dir()); // newest first
        RunInfo ia = RunInfo.load(a.dir());
        assertThat(ia.best("val_accuracy")).isEqualTo(0.9);
        assertThat(ia.best("val_loss")).isEqualTo(1 - 0.9);
        assertThat(ia.status()).isEqualTo("completed");
        Runs.Comparison c = Runs.compare(List.of(ia, RunInfo.load(b.dir())));
        assertThat(c.differing()).containsExactly("optimizer.lr");
        assertThat(c.config().get("seed")).containsExactly("42", "42");
        assertThat(c.metrics().get("best_val_accuracy")).containsExactly(0.9, 0.95);
    }

    @Test
    void halfWrittenRunsAreReadWithProblemsNotExceptions(@TempDir Path tmp) throws Exception {
        RunDirectory r = run(tmp, "crash", 0.001, new double[] {0.5}, "running");
        Files.writeString(r.file("metrics.jsonl"), "{\"type\":\"epoch\",\"epoch\":2,\"val_acc", java.nio.file.StandardOpenOption.APPEND);
        RunInfo info = RunInfo.load(r.dir());
        assertThat(info.epochs()).hasSize(1);
        assertThat(info.problems()).anyMatch(p -> p.contains("line 2 is not valid JSON"));

        Files.writeString(r.file("run.json"), "{\"name\": \"crash\", \"sta");
        RunInfo broken = RunInfo.load(r.dir());
        assertThat(broken.problems()).anyMatch(p -> p.contains("run.json is not valid JSON"));
        assertThat(broken.status()).isEqualTo("unknown");
        assertThat(broken.testAccuracy()).isNaN();

        Path empty = Files.createDirectories(tmp.resolve("x/y"));
        assertThatThrownBy(() -> RunInfo.require(empty)).hasMessageContaining("is not a run directory");
        assertThatThrownBy(() -> RunDirectory.open(empty)).hasMessageContaining("has no run.json");
    }

    @Test
    void aRunLeftRunningByADeadProcessReadsAsCrashed(@TempDir Path tmp) throws Exception {
        RunDirectory r = run(tmp, "dead", 0.001, new double[] {0.5}, "running");
        r.record().put("pid", Long.MAX_VALUE - 1);
        r.saveRecord();
        assertThat(RunInfo.load(r.dir()).status()).isEqualTo("crashed");
    }

    @Test
    void runNamesAreValidated(@TempDir Path tmp) {
        assertThatThrownBy(() -> RunDirectory.create(tmp, "../evil")).hasMessageContaining("run name must be");
    }

    @Test
    void twoRunsInOneSecondGetDistinctDirectories(@TempDir Path tmp) throws Exception {
        RunDirectory a = RunDirectory.create(tmp, "same"), b = RunDirectory.create(tmp, "same");
        assertThat(a.dir()).isNotEqualTo(b.dir());
    }
}
