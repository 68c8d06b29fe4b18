package dev.machina.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.machina.run.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A resumed run's records read as an uninterrupted run's, and one process at a time trains a run. */
class ResumeRecordsTest {
    static final String SPEC = "name: r\nseed: 3\ndata: {dataset: digits, validation: 0.1}\nmodel: [{linear: 16}, relu, {linear: 10}]\n"
            + "training: {epochs: %d, batch_size: 64, log_every: 5}\n";
    static final ObjectMapper JSON = new ObjectMapper();

    static Experiment spec(int epochs) {
        return Experiment.parse("spec.yaml", String.format(SPEC, epochs), List.of());
    }

    /** The records of metrics.jsonl without the fields that are timings. */
    static List<JsonNode> records(Path run) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve(RunDirectory.METRICS))) {
            ObjectNode r = (ObjectNode) JSON.readTree(line);
            r.remove(List.of("epoch_time_s", "samples_per_s", "time_s", "steps_per_s"));
            out.add(r);
        }
        return out;
    }

    @Test
    void aResumeAfterAKillBetweenLogAndCheckpointKeepsOneRecordPerEpoch(@TempDir Path dir) throws Exception {
        Path whole = SpecRunner.of(spec(5)).runsDir(dir.resolve("whole")).report(false).run().dir();
        Path cut = SpecRunner.of(spec(3)).runsDir(dir.resolve("cut")).report(false).run().dir();
        // as if the process was killed after epoch 4's records were written and before its checkpoint was
        List<String> lines = Files.readAllLines(cut.resolve(RunDirectory.METRICS));
        String last = lines.get(lines.size() - 1);
        Files.writeString(cut.resolve(RunDirectory.METRICS), last.replace("\"epoch\":3", "\"epoch\":4") + "\n"
                + "{\"type\":\"step\",\"loss\":0.5,\"step\":999}\n{\"type\":\"epo", java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(cut.resolve(".model.safetensors.12345.tmp"), "half a file");
        long before = JSON.readTree(cut.resolve(RunDirectory.RUN_JSON).toFile()).path("duration_s").asLong();

        SpecRunner.Result r = SpecRunner.resume(cut, List.of("training.epochs=5")).report(false).run();
        assertThat(r.finished()).isTrue();
        List<JsonNode> resumed = records(cut), uninterrupted = records(whole);
        assertThat(resumed.stream().filter(n -> n.path("type").asText().equals("epoch")).count()).isEqualTo(5);
        assertThat(resumed).isEqualTo(uninterrupted);
        assertThat(Files.readAllLines(cut.resolve(RunDirectory.HISTORY))).hasSameSizeAs(Files.readAllLines(whole.resolve(RunDirectory.HISTORY)));
        assertThat(cut.resolve(".model.safetensors.12345.tmp")).doesNotExist();
        JsonNode rec = JSON.readTree(cut.resolve(RunDirectory.RUN_JSON).toFile());
        assertThat(rec.path("epochs_completed").asInt()).isEqualTo(5);
        assertThat(rec.path("duration_s").asDouble()).isGreaterThanOrEqualTo(before);
    }

    @Test
    void aSecondProcessOnTheSameRunIsRefusedAndAReleasedLockIsTakenOver(@TempDir Path dir) throws Exception {
        Path run = SpecRunner.of(spec(1)).runsDir(dir).report(false).run().dir();
        try (var held = RunDirectory.open(run).lock()) {
            assertThatThrownBy(() -> SpecRunner.resume(run, List.of("training.epochs=2")).report(false).run())
                    .isInstanceOf(UserError.class).hasMessageContaining("is being trained by another process")
                    .hasMessageContaining("pid " + ProcessHandle.current().pid());
        }
        assertThat(SpecRunner.resume(run, List.of("training.epochs=2")).report(false).run().finished()).isTrue();
    }

    /** Fewer epochs than a run has trained are refused; as many evaluate it again without training (the model file stays as it was). */
    @Test
    void resumingWithNoMoreEpochsThanTrainedDoesNotTrain(@TempDir Path dir) throws Exception {
        Path run = SpecRunner.of(spec(2)).runsDir(dir).report(false).run().dir();
        byte[] model = Files.readAllBytes(run.resolve(RunDirectory.MODEL));
        assertThatThrownBy(() -> SpecRunner.resume(run, List.of("training.epochs=1"))).isInstanceOf(UserError.class)
                .hasMessageStartingWith("--set training.epochs=1: " + run + " has already trained 2 epochs; give more than 2");
        long modified = Files.getLastModifiedTime(run.resolve(RunDirectory.MODEL)).toMillis();
        SpecRunner.Result r = SpecRunner.resume(run, List.of("training.epochs=2")).report(false).run();
        assertThat(r.finished()).isTrue();
        assertThat(r.history().size()).isEqualTo(2);
        assertThat(Files.readAllBytes(run.resolve(RunDirectory.MODEL))).isEqualTo(model);
        assertThat(Files.getLastModifiedTime(run.resolve(RunDirectory.MODEL)).toMillis()).isEqualTo(modified);
        assertThat(JSON.readTree(run.resolve(RunDirectory.RUN_JSON).toFile()).path("epochs_completed").asInt()).isEqualTo(2);
    }

    @Test
    void aRunWhoseFirstEpochEndedWithoutACheckpointSaysSo(@TempDir Path dir) throws Exception {
        Path run = SpecRunner.of(spec(1)).runsDir(dir).report(false).run().dir();
        Files.delete(run.resolve("checkpoints").resolve("last.safetensors"));
        assertThatThrownBy(() -> SpecRunner.resume(run, List.of())).isInstanceOf(UserError.class)
                .hasMessageContaining("its first epoch ended but the process was stopped before its checkpoint was saved");
        Files.writeString(run.resolve(RunDirectory.METRICS), "");
        assertThatThrownBy(() -> SpecRunner.resume(run, List.of())).hasMessageContaining("it stopped before its first epoch ended");
    }

    static final String EARLY = "name: es\nseed: 5\ndata: {dataset: digits, validation: 0.2}\nmodel: [{linear: 16}, relu, {linear: 10}]\n"
            + "optimizer: {name: sgd, lr: 0.1}\n"
            + "training: {epochs: %d, batch_size: 64, log_every: 0, early_stopping: {monitor: val_loss, patience: 2, min_delta: 0.03}}\n";

    /**
     * A run with early stopping (restore-best), stopped after epoch k and resumed, ends as the
     * uninterrupted run does: the same epochs, history, status, reason and saved (best) weights;
     * a run killed after the checkpoint of the epoch at which early stopping fired is finished by
     * its resume the same way; and a stopped-early run given more epochs is refused, unchanged.
     */
    @Test
    void aRunWithEarlyStoppingResumedAtAnyEpochEndsAsAnUninterruptedOne(@TempDir Path dir) throws Exception {
        Experiment spec = Experiment.parse("spec.yaml", String.format(EARLY, 40), List.of());
        Path whole = SpecRunner.of(spec).runsDir(dir.resolve("whole")).report(false).run().dir();
        JsonNode wholeRec = JSON.readTree(whole.resolve(RunDirectory.RUN_JSON).toFile());
        assertThat(wholeRec.path("status").asText()).isEqualTo("stopped-early");
        int stopped = wholeRec.path("epochs_completed").asInt();
        assertThat(stopped).as("epochs before early stopping fired").isBetween(4, 39);
        for (int cut : List.of(1, stopped - 2, stopped - 1)) {
            Experiment first = Experiment.parse("spec.yaml", String.format(EARLY, cut), List.of());
            Path run = SpecRunner.of(first).runsDir(dir.resolve("cut" + cut)).report(false).run().dir();
            SpecRunner.Result r = SpecRunner.resume(run, List.of("training.epochs=40")).report(false).run();
            assertSameRun(run, whole, "resumed after epoch " + cut);
            assertThat(r.history().size()).isEqualTo(stopped);
        }
        // killed after the stopping epoch's checkpoint, before the run was ended: its resume ends it
        Path killed = killedCopy(whole, dir.resolve("killed"));
        Files.delete(killed.resolve(RunDirectory.MODEL));
        SpecRunner.Result r = SpecRunner.resume(killed, List.of()).report(false).run();
        assertThat(r.history().size()).as("no epoch trained after the stop").isEqualTo(stopped);
        assertSameRun(killed, whole, "resumed after a kill at the stopping epoch");
        // a finished stopped-early run given more epochs: refused, nothing changed
        byte[] model = Files.readAllBytes(whole.resolve(RunDirectory.MODEL)), runJson = Files.readAllBytes(whole.resolve(RunDirectory.RUN_JSON));
        assertThatThrownBy(() -> SpecRunner.resume(whole, List.of("training.epochs=80"))).isInstanceOf(UserError.class)
                .hasMessageStartingWith(whole + " was stopped by its early stopping after epoch " + stopped + ", so its training has ended")
                .hasMessageContaining("./machina train --resume " + whole + ", or train a new run with a larger training.early_stopping.patience")
                .hasMessageContaining("(val_loss did not improve for 2 epochs");
        assertThat(Files.readAllBytes(whole.resolve(RunDirectory.MODEL))).isEqualTo(model);
        assertThat(Files.readAllBytes(whole.resolve(RunDirectory.RUN_JSON))).isEqualTo(runJson);
    }

    /**
     * A run stopped early whose checkpoint was written before early stopping kept whether it had
     * stopped (no "stopped" key) is refused more epochs too: its count of epochs without
     * improvement, over the patience, tells the stop. Nothing of it changes.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aRunWhoseCheckpointPredatesTheStoppedKeyIsRefusedMoreEpochs(@TempDir Path dir) throws Exception {
        Path whole = SpecRunner.of(Experiment.parse("spec.yaml", String.format(EARLY, 40), List.of())).runsDir(dir).report(false).run().dir();
        Path ckpt = whole.resolve("checkpoints").resolve("last.safetensors");
        var cp = dev.machina.io.Checkpoint.load(ckpt);
        var es = (java.util.Map<String, Object>) ((java.util.Map<String, Object>) cp.state().get("callbacks")).get("EarlyStopping.val_loss");
        assertThat(es.remove("stopped")).isEqualTo(true);
        cp.save(ckpt);
        byte[] model = Files.readAllBytes(whole.resolve(RunDirectory.MODEL)), runJson = Files.readAllBytes(whole.resolve(RunDirectory.RUN_JSON));
        assertThatThrownBy(() -> SpecRunner.resume(whole, List.of("training.epochs=80"))).isInstanceOf(UserError.class)
                .hasMessageStartingWith(whole + " was stopped by its early stopping after epoch ");
        assertThat(Files.readAllBytes(whole.resolve(RunDirectory.MODEL))).isEqualTo(model);
        assertThat(Files.readAllBytes(whole.resolve(RunDirectory.RUN_JSON))).isEqualTo(runJson);
    }

    /**
     * A resume given more epochs that passed the check while the run was not finished (killed at
     * its stop), and that another process's resume then finished, is refused once it holds the
     * run's lock: it rewrites nothing.
     */
    @Test
    void aRunFinishedByAnotherResumeMeanwhileIsRefusedUnderTheLock(@TempDir Path dir) throws Exception {
        Path whole = SpecRunner.of(Experiment.parse("spec.yaml", String.format(EARLY, 40), List.of())).runsDir(dir.resolve("whole")).report(false).run().dir();
        Path killed = killedCopy(whole, dir.resolve("killed"));
        SpecRunner late = SpecRunner.resume(killed, List.of("training.epochs=80")).report(false); // checked while running: passes
        SpecRunner.resume(killed, List.of()).report(false).run(); // another process ends it, stopped early
        assertThat(JSON.readTree(killed.resolve(RunDirectory.RUN_JSON).toFile()).path("status").asText()).isEqualTo("stopped-early");
        byte[] model = Files.readAllBytes(killed.resolve(RunDirectory.MODEL)), runJson = Files.readAllBytes(killed.resolve(RunDirectory.RUN_JSON));
        assertThatThrownBy(late::run).isInstanceOf(UserError.class).hasMessageStartingWith(killed + " was stopped by its early stopping after epoch ");
        assertThat(Files.readAllBytes(killed.resolve(RunDirectory.MODEL))).isEqualTo(model);
        assertThat(Files.readAllBytes(killed.resolve(RunDirectory.RUN_JSON))).isEqualTo(runJson);
    }

    private static void assertSameRun(Path run, Path whole, String what) throws Exception {
        JsonNode a = JSON.readTree(run.resolve(RunDirectory.RUN_JSON).toFile()), b = JSON.readTree(whole.resolve(RunDirectory.RUN_JSON).toFile());
        for (String k : List.of("status", "stop_reason", "epochs_completed", "steps")) assertThat(a.path(k)).as(what + ": " + k).isEqualTo(b.path(k));
        assertThat(records(run)).as(what + ": metrics.jsonl").isEqualTo(records(whole));
        var got = dev.machina.io.SafeTensors.read(run.resolve(RunDirectory.MODEL)).tensors();
        var want = dev.machina.io.SafeTensors.read(whole.resolve(RunDirectory.MODEL)).tensors();
        assertThat(got.keySet()).isEqualTo(want.keySet());
        for (var e : want.entrySet()) {
            float[] x = got.get(e.getKey()).data(), y = e.getValue().data();
            assertThat(x.length).isEqualTo(y.length);
            for (int i = 0; i < y.length; i++) {
                if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(y[i])) {
                    throw new AssertionError(what + ": " + e.getKey() + "[" + i + "] is " + x[i] + ", the uninterrupted run's " + y[i]);
                }
            }
        }
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else if (!p.getFileName().toString().endsWith(".lock")) Files.copy(p, t);
            }
        }
    }

    /** A copy of a finished run made to look killed before it was ended: status running, no end. */
    private static Path killedCopy(Path run, Path to) throws Exception {
        copyTree(run, to);
        ObjectNode rec = (ObjectNode) JSON.readTree(to.resolve(RunDirectory.RUN_JSON).toFile());
        rec.put("status", "running");
        rec.remove(List.of("stop_reason", "end_time", "final_metrics"));
        Files.writeString(to.resolve(RunDirectory.RUN_JSON), rec.toString());
        return to;
    }
}
