package dev.machina.bench;

import dev.machina.loss.CrossEntropyLoss;
import dev.machina.nn.Linear;
import dev.machina.nn.Module;
import dev.machina.nn.ReLU;
import dev.machina.nn.Sequential;
import dev.machina.optim.Adam;
import dev.machina.optim.Optimizer;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training step of a 784-256-128-10 ReLU MLP on a batch of 64 (forward, cross-entropy,
 * backward, Adam step), in milliseconds per step. Run:
 * {@code ./machina bench jmh MlpStep}, or without the launcher
 * {@code java --add-modules jdk.incubator.vector -cp machina-bench/target/machina-bench.jar org.openjdk.jmh.Main MlpStep}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class MlpStepBench {
    private Module model;
    private Optimizer opt;
    private Tensor x;
    private int[] y;
    private final CrossEntropyLoss ce = new CrossEntropyLoss();

    @Setup
    public void setup() {
        Rng rng = new Rng(0);
        model = new Sequential(new Linear(784, 256, true, rng), new ReLU(), new Linear(256, 128, true, rng), new ReLU(),
                new Linear(128, 10, true, rng));
        opt = new Adam(model.parameters(), Adam.Config.defaults());
        x = Tensor.rand(rng, 64, 784);
        y = new int[64];
        for (int i = 0; i < y.length; i++) y[i] = rng.nextInt(10);
    }

    @Benchmark
    public float step() {
        opt.zeroGrad();
        Tensor loss = ce.forward(model.forward(x), y);
        loss.backward();
        opt.step();
        return loss.item();
    }
}
