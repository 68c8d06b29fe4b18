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

    @Test
    void aRunWhoseFirstEpochEndedWithoutACheckpointSaysSo(@TempDir Path dir) throws Exception {
        Path run = SpecRunner.of(spec(1)).runsDir(dir).report(false).run().dir();
        Files.delete(run.resolve("checkpoints").resolve("last.safetensors"));
        assertThatThrownBy(() -> SpecRunner.resume(run, List.of())).isInstanceOf(UserError.class)
                .hasMessageContaining("its first epoch ended but the process was stopped before its checkpoint was saved");
        Files.writeString(run.resolve(RunDirectory.METRICS), "");
        assertThatThrownBy(() -> SpecRunner.resume(run, List.of())).hasMessageContaining("it stopped before its first epoch ended");
    }
}
