package dev.machina.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.machina.kernel.KernelProvider;
import dev.machina.kernel.Kernels;
import dev.machina.kernel.Parallel;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Sequential's forward without gradients, which runs each linear layer as one fused product with
 * the ReLU after it: the same bits as the layers run one by one (the forward with gradients), on
 * awkward sizes, for Linear and LazyLinear, on 1 and 2 threads, in training and evaluation mode. (Both kernel providers'
 * fused product is checked against its parts in {@code kernel.LinearKernelTest}.)
 */
class SequentialNoGradTest {
    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    /** Both forwards of {@code model} on x: with gradients (each layer as is), then without; asserts the same shape and bits, and x untouched. */
    static Tensor sameBitsBothWays(Module model, Tensor x, String what) {
        float[] before = x.toArray();
        Tensor expected = model.forward(x).detach();
        Tensor got;
        try (var g = Tensor.noGrad()) {
            got = model.forward(x);
        }
        assertThat(got.shape()).as(what).containsExactly(expected.shape());
        float[] e = expected.toArray(), o = got.toArray();
        for (int i = 0; i < e.length; i++) {
            if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(o[i])) {
                throw new AssertionError(what + ": element " + i + " is " + o[i] + " without gradients, " + e[i] + " with");
            }
        }
        assertThat(x.toArray()).as(what + ": the input is not touched").containsExactly(before);
        return got;
    }

    static Sequential mlp(int in, int h1, int h2, int out, boolean lazy, long seed) {
        Rng rng = new Rng(seed);
        return new Sequential(lazy ? new LazyLinear(h1, true, rng) : new Linear(in, h1, true, rng), new ReLU(), new Dropout(0.2),
                new Linear(h1, h2, false, rng), new ReLU(), new Linear(h2, out, true, rng), new ReLU());
    }

    @Test
    void noGradForwardHasTheBitsOfTheLayerByLayerForward() {
        int[][] sizes = {{1, 1, 1, 1, 1}, {1, 784, 256, 128, 10}, {3, 7, 17, 33, 3}, {4, 33, 257, 5, 17}, {5, 13, 8, 16, 1},
            {7, 33, 257, 5, 17}, {17, 13, 8, 16, 1}, {33, 20, 300, 7, 9}, {1000, 31, 64, 9, 10}};
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            for (boolean lazy : new boolean[] {false, true}) {
                for (int[] s : sizes) {
                    Sequential model = mlp(s[1], s[2], s[3], s[4], lazy, 7);
                    Tensor x = Tensor.randn(new Rng(s[0] * 31L + s[1]), s[0], s[1]);
                    model.eval();
                    String what = "sizes " + java.util.Arrays.toString(s) + " lazy " + lazy + " threads " + threads;
                    Tensor got = sameBitsBothWays(model, x, what);
                    for (float v : got.toArray()) assertThat(v).as(what).isGreaterThanOrEqualTo(0f); // the last ReLU was applied
                }
            }
        }
    }

    @Test
    void resultsAreNeverAliasedAcrossCallsAndBatchSizes() {
        // four linear layers, with an evaluation-mode dropout on either side of a ReLU and an identity between them
        Rng rng = new Rng(11);
        Sequential model = new Sequential(new Linear(13, 40, true, rng), new ReLU(), new Dropout(0.3), new Linear(40, 33, true, rng),
                new Dropout(0.5), new ReLU(), new Identity(), new Linear(33, 17, false, rng), new ReLU(), new Linear(17, 5, true, rng));
        model.eval();
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            List<Tensor> results = new ArrayList<>();
            List<float[]> values = new ArrayList<>();
            for (int batch : new int[] {1, 6, 6, 1000, 257, 1, 1000, 64, 64}) {
                Tensor x = Tensor.randn(new Rng(batch * 7L + threads), batch, 13);
                Tensor got = sameBitsBothWays(model, x, "batch " + batch + " threads " + threads);
                for (Tensor earlier : results) assertThat(got.data()).as("each result is a new array").isNotSameAs(earlier.data());
                results.add(got);
                values.add(got.toArray());
            }
            for (int r = 0; r < results.size(); r++) {
                assertThat(results.get(r).toArray()).as("result %d is not overwritten by a later call", r).containsExactly(values.get(r));
            }
        }
    }

    @Test
    void higherRankInputsAndLayersBetweenLinearsThatAreNotFused() {
        Rng rng = new Rng(4);
        // training-mode dropout with p = 0 returns its input; Tanh between linear layers is run as it is
        Sequential model = new Sequential(new Linear(6, 9, true, rng), new Dropout(0.0), new ReLU(), new Linear(9, 8, true, rng),
                new Tanh(), new Linear(8, 3, true, rng), new ReLU());
        model.train();
        sameBitsBothWays(model, Tensor.randn(new Rng(5), 2, 4, 6), "rank 3, training mode");
        model.eval();
        sameBitsBothWays(model, Tensor.randn(new Rng(6), 5, 6), "rank 2, evaluation mode");
    }

    @Test
    void aLazyLinearIsBuiltByItsFirstNoGradForwardAsByAnyOther() {
        Sequential a = new Sequential(new LazyLinear(12, true, new Rng(3)), new ReLU(), new Linear(12, 4, true, new Rng(8)));
        Sequential b = new Sequential(new LazyLinear(12, true, new Rng(3)), new ReLU(), new Linear(12, 4, true, new Rng(8)));
        Tensor x = Tensor.randn(new Rng(9), 3, 10);
        Tensor expected = a.forward(x).detach();
        Tensor got;
        try (var g = Tensor.noGrad()) {
            got = b.forward(x);
            assertThat(b.forward(x).toArray()).as("built, then fused").containsExactly(expected.toArray());
        }
        assertThat(got.toArray()).containsExactly(expected.toArray());
    }

    @Test
    void aWrongInputNamesTheLayerWithoutGradientsToo() {
        Sequential model = new Sequential(new Linear(5, 4, true, new Rng(1)), new ReLU(), new Linear(4, 2, true, new Rng(2)));
        Tensor x = Tensor.randn(new Rng(3), 2, 6);
        String withGrad = catchThrowable(() -> model.forward(x)).getMessage();
        try (var g = Tensor.noGrad()) {
            assertThatThrownBy(() -> model.forward(x)).hasMessage(withGrad).hasMessageContaining("Linear(in=5, out=4)");
        }
    }

    @Test
    void trainingModeDropoutBetweenLinearAndReluIsNotFusedAcross() {
        // Linear, Dropout, ReLU: nothing to fuse; with dropout drawn from equal generators both forwards agree
        Sequential a = new Sequential(new Linear(9, 12, true, new Rng(1)), new Dropout(0.5, new Rng(5)), new ReLU());
        Sequential b = new Sequential(new Linear(9, 12, true, new Rng(1)), new Dropout(0.5, new Rng(5)), new ReLU());
        Tensor x = Tensor.randn(new Rng(2), 4, 9);
        Tensor expected = a.forward(x).detach();
        Tensor got;
        try (var g = Tensor.noGrad()) {
            got = b.forward(x);
        }
        assertThat(got.toArray()).containsExactly(expected.toArray());
    }

    @Test
    void nanFromTheLinearLayerSurvivesTheFusedRelu() {
        Sequential model = new Sequential(new Linear(3, 4, true, new Rng(1)), new ReLU());
        Tensor x = Tensor.of(new float[] {Float.NaN, 1f, 2f}, 1, 3);
        try (var g = Tensor.noGrad()) {
            for (float v : model.forward(x).toArray()) assertThat(v).isNaN(); // as PyTorch: a NaN guard must see it
        }
    }

    @Test
    void reluInPlaceEqualsReluIntoANewArrayOnBothProviders() {
        List<Kernels> providers = new ArrayList<>(List.of(KernelProvider.scalar()));
        if (KernelProvider.vectorOrNull() != null) providers.add(KernelProvider.vectorOrNull());
        for (Kernels k : providers) {
            for (int n : new int[] {1, 3, 7, 17, 33, 257}) {
                float[] a = Tensor.randn(new Rng(n), n).toArray();
                a[0] = -0f;
                if (n > 2) a[2] = Float.NaN;
                float[] out = new float[n];
                k.relu(a, 0, out, 0, n);
                k.relu(a, 0, a, 0, n);
                assertThat(a).as("%s n=%d", k.name(), n).containsExactly(out);
            }
        }
    }
}
