package dev.machina.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.machina.run.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a finished run leaves for its report: a regression's test predictions, a language model's samples. */
class SpecRunnerTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aSeriesRunSavesEveryTestPredictionWithItsStepInTheSeries(@TempDir Path dir) throws Exception {
        Experiment e = Experiment.parse("sine.yaml", """
                name: sine
                seed: 5
                data: {dataset: sine, length: 400, noise: 0.05, window: 20, stride: 2, validation: 0.1, test: 0.2}
                model: [{gru: 8}, last_step, {linear: 1}]
                training: {epochs: 2, batch_size: 32}
                """, List.of());
        Path run = SpecRunner.of(e).runsDir(dir).report(false).run().dir();

        List<String> lines = Files.readAllLines(run.resolve(SpecRunner.TEST_PREDICTIONS));
        assertThat(lines.get(0)).isEqualTo("example,output,step,actual,predicted");
        JsonNode test = JSON.readTree(run.resolve(RunDirectory.TEST_RESULTS).toFile());
        int n = test.path("examples").asInt();
        assertThat(lines).hasSize(n + 1);
        // windows start every 2 steps; the test part is the last 20% of the 190 windows; a window of 20 predicts the step after it
        float[] series = DatasetRegistry.sine(400, 0.05, 5).data();
        double sq = 0;
        for (int i = 0; i < n; i++) {
            String[] c = lines.get(i + 1).split(",");
            assertThat(Integer.parseInt(c[0])).isEqualTo(i);
            assertThat(c[1]).isEqualTo("0");
            int step = Integer.parseInt(c[2]);
            assertThat(step).isEqualTo((190 - n + i) * 2 + 20);
            assertThat(Float.parseFloat(c[3])).as("the actual value is the series' value at its step").isEqualTo(series[step]);
            double err = Float.parseFloat(c[4]) - Float.parseFloat(c[3]);
            sq += err * err;
        }
        assertThat(n).isEqualTo(38);
        assertThat(sq / n).as("the metrics are those of the saved predictions").isCloseTo(test.path("mse").asDouble(), within(1e-6));
    }

    @Test
    void aClassifiersTestResultsAreWhatItsFileHolds(@TempDir Path dir) throws Exception {
        Experiment e = Experiment.parse("d.yaml", """
                name: d
                data: {dataset: digits, test: 0.2}
                model: [{linear: 16}, relu, {linear: 10}]
                training: {epochs: 1, batch_size: 64}
                """, List.of());
        SpecRunner.Result r = SpecRunner.of(e).runsDir(dir).report(false).run();
        Object file = JSON.readValue(r.dir().resolve(RunDirectory.TEST_RESULTS).toFile(), java.util.Map.class);
        assertThat(r.testResults()).isEqualTo(file).containsKeys("accuracy", "confusion_matrix", "curves");
        assertThat(r.testResults().get("accuracy")).isEqualTo(r.report().accuracy());
    }

    @Test
    void aCharacterModelGeneratesTheSameTextForTheSameSeed(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("t.txt"), "the cat sat on the mat. ".repeat(30));
        Experiment e = Experiment.parse("t.yaml", """
                name: chars
                data: {dataset: text, path: %s, seq_len: 16, stride: 8, validation: 0.1, test: 0.1}
                model: [{embedding: 8}, {lstm: 16}, {linear: auto}]
                training: {epochs: 2, batch_size: 16}
                """.formatted(dir.resolve("t.txt")), List.of());
        Path run = SpecRunner.of(e).runsDir(dir.resolve("runs")).report(false).run().dir();
        assertThat(run.resolve(SpecRunner.TEST_PREDICTIONS)).as("a language model's test is its loss and perplexity").doesNotExist();

        TrainedModel tm = TrainedModel.load(run);
        String a = tm.generate("", 40, 0.8, null, 0), b = tm.generate("", 40, 0.8, null, 0), c = tm.generate("", 40, 0.8, null, 1);
        assertThat(a).hasSize(40).isEqualTo(b).isNotEqualTo(c);
        assertThat(a.chars().allMatch(ch -> "the cat sat on the mat. ".indexOf(ch) >= 0)).as(a).isTrue();
        assertThat(tm.generate("the ", 10, 0.5, 3, 7)).startsWith("the ").hasSize(14);
        assertThat(tm.generate("", 0, 1.0, null, 0)).isEmpty();
        assertThatThrownBy(() -> tm.generate("xyz", 5, 1.0, null, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'x'");
        assertThatThrownBy(() -> tm.generate("", 5, 0.0, null, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("temperature");
    }
}
