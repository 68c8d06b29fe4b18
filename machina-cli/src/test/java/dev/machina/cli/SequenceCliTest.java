package dev.machina.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recurrent specs end to end: a forecasting run, a character model and sampling from it. */
class SequenceCliTest {

    private static Path onlyRun(Path runs, String name) throws Exception {
        try (Stream<Path> s = Files.list(runs.resolve(name))) {
            return s.findFirst().orElseThrow();
        }
    }

    @Test
    void sineForecastWithAGruLearnsTheSeries(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("sine.yaml");
        Files.writeString(spec, """
                name: sine
                data: {dataset: sine, length: 600, noise: 0.05, window: 20, validation: 0.1, test: 0.1}
                model: [{gru: 16}, last_step, {linear: auto}]
                optimizer: {name: adam, lr: 1.0e-2}
                training: {epochs: 6, batch_size: 32}
                """);
        CliTest.Result r = CliTest.run("train", spec.toString(), "--runs", tmp.resolve("runs").toString(), "--progress", "none", "--no-report");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("machina: test loss");
        var rj = new com.fasterxml.jackson.databind.ObjectMapper().readTree(onlyRun(tmp.resolve("runs"), "sine").resolve("run.json").toFile());
        // a constant prediction has a mean squared error near the series' variance (about 0.6); the GRU does far better
        assertThat(rj.at("/final_metrics/test_loss").asDouble()).isLessThan(0.1);
        // regression runs get the errors in the targets' units too: MSE equals the test loss, RMSE its root, R² near 1
        var tr = new com.fasterxml.jackson.databind.ObjectMapper().readTree(onlyRun(tmp.resolve("runs"), "sine").resolve("test-results.json").toFile());
        assertThat(tr.path("mse").asDouble()).isCloseTo(tr.path("test_loss").asDouble(), org.assertj.core.api.Assertions.within(1e-6));
        assertThat(tr.path("rmse").asDouble()).isCloseTo(Math.sqrt(tr.path("mse").asDouble()), org.assertj.core.api.Assertions.within(1e-9));
        assertThat(tr.path("mae").asDouble()).isPositive().isLessThan(tr.path("rmse").asDouble() + 1e-12);
        assertThat(tr.path("r2").asDouble()).isGreaterThan(0.8).isLessThanOrEqualTo(1.0);
        assertThat(rj.at("/final_metrics/test_r2").asDouble()).isEqualTo(tr.path("r2").asDouble());
        assertThat(rj.at("/config/training/clip_norm").asDouble()).as("clipping is on by default for recurrent models").isEqualTo(1.0);
    }

    @Test
    void characterModelTrainsAndGeneratesDeterministically(@TempDir Path tmp) throws Exception {
        Path text = tmp.resolve("t.txt");
        Files.writeString(text, "the cat sat on the mat. the dog sat on the log. ".repeat(40));
        Path spec = tmp.resolve("text.yaml");
        Files.writeString(spec, """
                name: chars
                data: {dataset: text, path: %s, seq_len: 24, stride: 12, validation: 0.1, test: 0.1}
                model: [{embedding: 8}, {lstm: 32}, {linear: auto}]
                optimizer: {name: adam, lr: 1.0e-2}
                training: {epochs: 8, batch_size: 16}
                """.formatted(text));
        CliTest.Result r = CliTest.run("train", spec.toString(), "--runs", tmp.resolve("runs").toString(), "--progress", "none", "--no-report");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("perplexity");
        Path run = onlyRun(tmp.resolve("runs"), "chars");
        CliTest.Result g1 = CliTest.run("generate", run.toString(), "--prompt", "the ", "--length", "60", "--temperature", "0.5", "--seed", "3");
        CliTest.Result g2 = CliTest.run("generate", run.toString(), "--prompt", "the ", "--length", "60", "--temperature", "0.5", "--seed", "3");
        CliTest.Result g3 = CliTest.run("generate", run.toString(), "--prompt", "the ", "--length", "60", "--temperature", "0.5", "--seed", "4");
        assertThat(g1.code()).as(g1.err()).isZero();
        assertThat(g1.out()).isEqualTo(g2.out()).startsWith("the ").hasSize("the ".length() + 60 + 1);
        assertThat(g3.out()).isNotEqualTo(g1.out());
        // after training on this text, most generated words are words of the text
        String[] words = g1.out().trim().split("[ .]+");
        long known = Stream.of(words).filter(w -> w.matches("the|cat|sat|on|mat|dog|log")).count();
        assertThat(known).as(g1.out()).isGreaterThanOrEqualTo(words.length * 6L / 10);
        CliTest.Result bad = CliTest.run("generate", run.toString(), "--prompt", "xyz");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("'x'").contains("not in the model's vocabulary");
    }

    @Test
    void recurrentSpecMistakesAreExplained(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("s.yaml");
        Files.writeString(spec, "data: digits\nmodel: [{lstm: 8}, {linear: 10}]\n");
        CliTest.Result r = CliTest.run("train", spec.toString(), "--runs", tmp.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("a recurrent layer needs sequences");
        Files.writeString(spec, "data: {dataset: sine, length: 300, window: 10}\nmodel: [{lstm: 8}, {linear: 1}]\n");
        r = CliTest.run("train", spec.toString(), "--runs", tmp.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("the model's output is [10, 1]");
    }
}
