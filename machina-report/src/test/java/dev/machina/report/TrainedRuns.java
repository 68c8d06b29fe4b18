package dev.machina.report;

import dev.machina.experiment.Experiment;
import dev.machina.experiment.SpecRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small real runs of the two tasks besides classification, trained as machina train trains them (a second or two each). */
final class TrainedRuns {
    private TrainedRuns() {}

    /** A GRU forecasting a sine series one step ahead. */
    static Path sine(Path runs) throws IOException {
        return train(runs, """
                name: sine-forecast
                seed: 42
                data: {dataset: sine, length: 600, noise: 0.05, window: 20, validation: 0.1, test: 0.15}
                model: [{gru: 16}, last_step, {linear: 1}]
                optimizer: {name: adam, lr: 1.0e-2}
                training: {epochs: 4, batch_size: 32}
                """);
    }

    /** A character-level LSTM on a repetitive text. */
    static Path text(Path runs) throws IOException {
        Path txt = runs.resolve("text.txt");
        Files.createDirectories(runs);
        Files.writeString(txt, "the cat sat on the mat. the dog sat on the log. <&> ".repeat(30));
        return train(runs, """
                name: text-lstm
                seed: 42
                data: {dataset: text, path: %s, seq_len: 24, stride: 12, validation: 0.1, test: 0.1}
                model: [{embedding: 8}, {lstm: 32}, {linear: auto}]
                optimizer: {name: adam, lr: 1.0e-2}
                training: {epochs: 4, batch_size: 16}
                """.formatted(txt));
    }

    private static Path train(Path runs, String yaml) throws IOException {
        Experiment e = Experiment.parse("spec.yaml", yaml, List.of());
        SpecRunner.Result r = SpecRunner.of(e).runsDir(runs).report(false).run();
        if (!r.finished()) throw new IllegalStateException("the run did not finish: " + r.history().status());
        return r.dir();
    }
}
