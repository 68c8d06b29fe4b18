package dev.machina.bench;

import dev.machina.experiment.SweepRunner;
import dev.machina.experiment.SweepSpec;
import dev.machina.experiment.UserError;
import dev.machina.kernel.Parallel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * `machina bench tune-parallel`: the wall time of two digits trials run one after the other
 * (each with every kernel thread) against the same two side by side (--parallel 2, the threads
 * shared out), and the ratio. A figure, never a pass/fail.
 */
@Command(mixinStandardHelpOptions = true, name = "tune-parallel", description = {
    "Wall time of a 2-trial sweep on the digits in sequence vs. two trials at once in one JVM (the ratio)."})
public final class TuneParallelBench implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--epochs", defaultValue = "6", description = "Epochs per trial (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--hidden", defaultValue = "256", description = "Hidden width of the MLP (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--repeats", defaultValue = "3", description = "Measurements of each; the fastest counts (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Override
    public Integer call() throws IOException {
        if (epochs < 1 || hidden < 1 || repeats < 1) throw new UserError("--epochs, --hidden and --repeats must be at least 1");
        PrintWriter out = spec.commandLine().getOut();
        String text = """
                name: tune-parallel
                base:
                  seed: 1
                  data: {dataset: digits, validation: 0.1}
                  model: [{linear: %d}, relu, {linear: %d}, relu, {linear: 10}]
                  training: {epochs: %d, batch_size: 32}
                space:
                  optimizer.lr: [1.0e-3, 3.0e-3]
                strategy: grid
                """.formatted(hidden, hidden / 2, epochs);
        SweepSpec sweep = SweepSpec.parse("tune-parallel", text, null, List.of());
        Path tmp = Files.createTempDirectory("machina-bench-tune");
        try {
            out.printf("machina: 2 digits trials (MLP %d-%d, %d epochs), %d kernel thread(s); warming up…%n", hidden, hidden / 2, epochs, Parallel.threads());
            out.flush();
            time(sweep, tmp, 2);
            time(sweep, tmp, 1);
            double seq = Double.MAX_VALUE, par = Double.MAX_VALUE;
            for (int r = 0; r < repeats; r++) {
                seq = Math.min(seq, time(sweep, tmp, 1));
                par = Math.min(par, time(sweep, tmp, 2));
            }
            out.printf(Locale.ROOT, "in sequence (%d thread(s) each): %.2f s%n", Parallel.threads(), seq);
            out.printf(Locale.ROOT, "side by side, --parallel 2 (%d thread(s) each): %.2f s%n", Math.max(1, Parallel.threads() / 2), par);
            out.printf(Locale.ROOT, "ratio parallel / sequential: %.2f (%.2fx faster)%n", par / seq, seq / par);
            return 0;
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private static double time(SweepSpec sweep, Path tmp, int parallel) throws IOException {
        Path dir = SweepRunner.createDir(tmp, "bench-p" + parallel);
        long t0 = System.nanoTime();
        SweepRunner.Outcome o = new SweepRunner(sweep, dir, parallel, null).run();
        double s = (System.nanoTime() - t0) / 1e9;
        if (o.leaderboard().ranked().size() != 2) throw new IllegalStateException("the benchmark sweep did not run both trials");
        return s;
    }
}
