package dev.machina.bench.ab;

import dev.machina.bench.BenchMain;
import dev.machina.experiment.UserError;
import dev.machina.loss.CrossEntropyLoss;
import dev.machina.nn.Linear;
import dev.machina.nn.Module;
import dev.machina.nn.ReLU;
import dev.machina.nn.Sequential;
import dev.machina.optim.Adam;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * Time of one training step of the 784-256-128-10 MLP (forward, cross-entropy, backward, Adam)
 * on random data, for A/B runs in alternating JVMs (docs/BENCHMARKS.md):
 *
 * <pre>./machina bench mlp-step [--warmms MS] BATCH</pre>
 *
 * 3 s of warm-up (--warmms), then ten 0.2 s windows; prints the median and the best µs per step.
 * The JMH benchmark of the same step is {@code dev.machina.bench.MlpStepBench}.
 */
@Command(name = "mlp-step", mixinStandardHelpOptions = true, description = {
    "µs per training step of the 784-256-128-10 MLP (forward, cross-entropy, backward, Adam) on random data:",
    "the median and the best of ten 0.2 s windows after the warm-up, for A/B runs in alternating JVMs."})
public class MlpStep implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--warmms", defaultValue = "${sys:warmms:-3000}", description = "Warm-up in ms (default: ${DEFAULT-VALUE}).")
    long warmms;

    @Parameters(index = "0", paramLabel = "BATCH", description = "Batch size.")
    int batch;

    public static void main(String[] args) {
        BenchMain.main(Shape.prepend("mlp-step", args));
    }

    @Override
    public void run() {
        if (batch < 1) throw new UserError("BATCH must be at least 1, got " + batch);
        Rng rng = new Rng(0);
        Module model = new Sequential(new Linear(784, 256, true, rng), new ReLU(), new Linear(256, 128, true, rng), new ReLU(),
                new Linear(128, 10, true, rng));
        Adam opt = new Adam(model.parameters(), Adam.Config.defaults());
        Tensor x = Tensor.rand(rng, batch, 784);
        int[] y = new int[batch];
        for (int i = 0; i < y.length; i++) y[i] = rng.nextInt(10);
        CrossEntropyLoss ce = new CrossEntropyLoss();
        long warm = System.nanoTime() + warmms * 1_000_000L;
        while (System.nanoTime() < warm) step(model, opt, ce, x, y);
        List<Double> w = new ArrayList<>();
        for (int r = 0; r < 10; r++) {
            long t0 = System.nanoTime();
            int n = 0;
            while (System.nanoTime() - t0 < 200_000_000L) {
                step(model, opt, ce, x, y);
                n++;
            }
            w.add((System.nanoTime() - t0) / 1e3 / n);
        }
        Collections.sort(w);
        spec.commandLine().getOut().printf("batch %d step: median %.0f us, best %.0f us%n", batch, w.get(5), w.get(0));
    }

    private static void step(Module model, Adam opt, CrossEntropyLoss ce, Tensor x, int[] y) {
        opt.zeroGrad();
        ce.forward(model.forward(x), y).backward();
        opt.step();
    }
}
