package dev.machina.report;

import dev.machina.experiment.Experiment;
import dev.machina.experiment.SpecRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Small real runs of the two tasks besides classification, trained as machina train trains them
 * (a few seconds each), once per test JVM under target/trained-runs/. A test that changes a run
 * works on a copy ({@link #copy}).
 */
final class TrainedRuns {
    private static final Path ROOT = Path.of("target", "trained-runs").toAbsolutePath();
    private static Path sine, text;

    private TrainedRuns() {}

    /** A GRU forecasting a sine series one step ahead. */
    static synchronized Path sine() throws IOException {
        if (sine == null) sine = train(fresh(ROOT.resolve("sine")), """
                name: sine-forecast
                seed: 42
                data: {dataset: sine, length: 600, noise: 0.05, window: 20, validation: 0.1, test: 0.15}
                model: [{gru: 16}, last_step, {linear: 1}]
                optimizer: {name: adam, lr: 1.0e-2}
                training: {epochs: 4, batch_size: 32}
                """);
        return sine;
    }

    /** A character-level LSTM on a repetitive text. */
    static synchronized Path text() throws IOException {
        if (text != null) return text;
        Path runs = fresh(ROOT.resolve("text"));
        Path txt = runs.resolve("text.txt");
        Files.writeString(txt, "the cat sat on the mat. the dog sat on the log. <&> ".repeat(30));
        text = train(runs, """
                name: text-lstm
                seed: 42
                data: {dataset: text, path: %s, seq_len: 24, stride: 12, validation: 0.1, test: 0.1}
                model: [{embedding: 8}, {lstm: 32}, {linear: auto}]
                optimizer: {name: adam, lr: 1.0e-2}
                training: {epochs: 4, batch_size: 16}
                """.formatted(txt));
        return text;
    }

    /** A copy of a run directory under {@code to} (its name kept), for a test to change or keep. */
    static Path copy(Path run, Path to) throws IOException {
        Path dest = to.resolve(run.getFileName());
        try (Stream<Path> s = Files.walk(run)) {
            for (Path p : s.toList()) {
                Path t = dest.resolve(run.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
        return dest;
    }

    /** {@code dir}, emptied. */
    private static Path fresh(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
        return Files.createDirectories(dir);
    }

    private static Path train(Path runs, String yaml) throws IOException {
        Experiment e = Experiment.parse("spec.yaml", yaml, List.of());
        SpecRunner.Result r = SpecRunner.of(e).runsDir(runs).report(false).run();
        if (!r.finished()) throw new IllegalStateException("the run did not finish: " + r.history().status());
        return r.dir();
    }
}
