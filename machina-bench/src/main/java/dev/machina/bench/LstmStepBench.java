package dev.machina.bench;

import dev.machina.loss.CrossEntropyLoss;
import dev.machina.nn.LSTM;
import dev.machina.nn.Linear;
import dev.machina.nn.RnnConfig;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
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
 * Forward and backward of one training step of a row-by-row MNIST-style sequence classifier:
 * LSTM(28→128) over [64, 28, 28] (batch first), last output → Linear(128→10), cross-entropy,
 * backward (gradients of every parameter; no optimizer step), in milliseconds per step. Run:
 * {@code ./machina bench jmh LstmStep}, or without the launcher
 * {@code java --add-modules jdk.incubator.vector -cp machina-bench/target/machina-bench.jar org.openjdk.jmh.Main LstmStep}.
 * {@code forwardOnly} times the same forward without a graph, to split forward from backward.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class LstmStepBench {
    private LSTM lstm;
    private Linear head;
    private List<Tensor> params;
    private Tensor x;
    private int[] y;
    private final CrossEntropyLoss ce = new CrossEntropyLoss();

    @Setup
    public void setup() {
        Rng rng = new Rng(0);
        lstm = new LSTM(RnnConfig.of(28, 128), rng);
        head = new Linear(128, 10, true, rng);
        params = new ArrayList<>(lstm.parameters());
        params.addAll(head.parameters());
        x = Tensor.rand(rng, 64, 28, 28);
        y = new int[64];
        for (int i = 0; i < y.length; i++) y[i] = rng.nextInt(10);
    }

    @Benchmark
    public float step() {
        for (Tensor p : params) p.setGrad(null);
        Tensor out = lstm.forward(x);
        Tensor loss = ce.forward(head.forward(lstm.lastOutput(out, null)), y);
        loss.backward();
        return loss.item() + params.get(0).grad().data()[0];
    }

    /** The forward alone, without recording a graph (inference), for the forward/backward split. */
    @Benchmark
    public float forwardOnly() {
        try (var s = Tensor.noGrad()) {
            return ce.forward(head.forward(lstm.lastOutput(lstm.forward(x), null)), y).item();
        }
    }
}
