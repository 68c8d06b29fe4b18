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

/**
 * Time of one training step of the 784-256-128-10 MLP (forward, cross-entropy, backward, Adam)
 * on random data, for A/B runs in alternating JVMs (docs/BENCHMARKS.md):
 *
 * <pre>./machina java bench/MlpStep.java BATCH</pre>
 *
 * 3 s of warm-up, then ten 0.2 s windows; prints the median and the best µs per step.
 */
public class MlpStep {
    public static void main(String[] args) {
        int batch = Integer.parseInt(args[0]);
        Rng rng = new Rng(0);
        Module model = new Sequential(new Linear(784, 256, true, rng), new ReLU(), new Linear(256, 128, true, rng), new ReLU(),
                new Linear(128, 10, true, rng));
        Adam opt = new Adam(model.parameters(), Adam.Config.defaults());
        Tensor x = Tensor.rand(rng, batch, 784);
        int[] y = new int[batch];
        for (int i = 0; i < y.length; i++) y[i] = rng.nextInt(10);
        CrossEntropyLoss ce = new CrossEntropyLoss();
        long warm = System.nanoTime() + 3_000_000_000L;
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
        System.out.printf("batch %d step: median %.0f us, best %.0f us%n", batch, w.get(5), w.get(0));
    }

    private static void step(Module model, Adam opt, CrossEntropyLoss ce, Tensor x, int[] y) {
        opt.zeroGrad();
        ce.forward(model.forward(x), y).backward();
        opt.step();
    }
}
