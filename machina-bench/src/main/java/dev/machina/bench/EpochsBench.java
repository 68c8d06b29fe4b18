package dev.machina.bench;

import dev.machina.data.DatasetNotFoundException;
import dev.machina.data.TrainTest;
import dev.machina.experiment.UserError;
import dev.machina.kernel.Parallel;
import dev.machina.train.History;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `machina bench epochs`: the e2e benchmark's MLP recipe ({@link E2eWorker#mlp}, {@link
 * E2eWorker#train}) for several epochs in one JVM, each epoch's time printed: how soon the JIT
 * reaches the steady state. {@code bench e2e} measures the second epoch; the first includes most
 * of the compiling.
 * <pre>./machina bench epochs [--batch 64] [--epochs 5] [--threads 2] [--data DIR | --synthetic N]</pre>
 * JVM options (a flight recording of the compilations, other thresholds) go in {@code MACHINA_JAVA_OPTS}.
 */
@Command(name = "epochs", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Each epoch's time when the e2e benchmark's MLP (784-256-128-10, ReLU, dropout 0.2, Adam) trains for several epochs in one JVM:",
            "how soon the JIT reaches the steady state (bench e2e measures the second epoch)."})
final class EpochsBench implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--batch", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs, at least 2 (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--threads", defaultValue = "2", description = "Kernel threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST directory (default: the first standard one that has it).")
    Path data;

    @Option(names = "--synthetic", paramLabel = "N", defaultValue = "0",
            description = "Train on N synthetic examples instead of Fashion-MNIST (as bench e2e --synthetic).")
    int synthetic;

    @Override
    public Integer call() {
        if (epochs < 2) throw new UserError("--epochs must be at least 2, got " + epochs);
        if (batch < 1) throw new UserError("--batch must be at least 1, got " + batch);
        if (threads < 1) throw new UserError("--threads must be at least 1, got " + threads);
        if (synthetic < 0) throw new UserError("--synthetic must be 0 (Fashion-MNIST) or more, got " + synthetic);
        PrintWriter out = spec.commandLine().getOut();
        TrainTest tt;
        try {
            tt = E2eWorker.load(synthetic > 0 ? E2eWorker.Settings.defaults().with("synthetic", synthetic)
                    : E2eWorker.Settings.defaults().with("data", data != null ? data : Path.of("/usr/share/datasets/fashion-mnist")));
        } catch (DatasetNotFoundException e) {
            throw new UserError(e.getMessage() + ", or use --data DIR (or --synthetic N)");
        }
        Parallel.setThreads(threads);
        out.printf(Locale.ROOT, "machina bench epochs: %d training examples, batch %d, %d thread(s), %d epochs%n", tt.train().size(), batch, threads, epochs);
        out.flush();
        History h = E2eWorker.train(E2eWorker.mlp(0), tt.train(), batch, epochs, 0);
        double[] t = h.get("epoch_time_s");
        for (int e = 0; e < t.length; e++) {
            out.printf(Locale.ROOT, "epoch %d: %.3f s (%,.0f samples/s)%n", e + 1, t[e], tt.train().size() / t[e]);
        }
        if (t.length >= 3) {
            double steady = E2eBench.median(Arrays.copyOfRange(t, 2, t.length));
            out.printf(Locale.ROOT, "steady state (median of epochs 3-%d): %.3f s; epoch 2 took %.2f× it, epoch 1 %.2f×%n",
                    t.length, steady, t[1] / steady, t[0] / steady);
        }
        out.flush();
        return 0;
    }
}
