package dev.machina.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.kernel.KernelProvider;
import dev.machina.kernel.Kernels;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Sequential's forward without gradients, which applies the ReLU after a Linear in place on the
 * linear output: the same bits as the layers run one by one (the forward with gradients), on
 * awkward sizes, for Linear and LazyLinear, in training and evaluation mode.
 */
class SequentialNoGradTest {

    static Sequential mlp(int in, int h1, int h2, int out, boolean lazy, long seed) {
        Rng rng = new Rng(seed);
        return new Sequential(lazy ? new LazyLinear(h1, true, rng) : new Linear(in, h1, true, rng), new ReLU(), new Dropout(0.2),
                new Linear(h1, h2, false, rng), new ReLU(), new Linear(h2, out, true, rng), new ReLU());
    }

    @Test
    void noGradForwardHasTheBitsOfTheLayerByLayerForward() {
        int[][] sizes = {{1, 1, 1, 1, 1}, {1, 784, 256, 128, 10}, {3, 7, 17, 33, 3}, {7, 33, 257, 5, 17}, {17, 13, 8, 16, 1}, {1000, 31, 64, 9, 10}};
        for (boolean lazy : new boolean[] {false, true}) {
            for (int[] s : sizes) {
                Sequential model = mlp(s[1], s[2], s[3], s[4], lazy, 7);
                Tensor x = Tensor.randn(new Rng(s[0] * 31L + s[1]), s[0], s[1]);
                float[] before = x.toArray();
                model.eval();
                Tensor expected = model.forward(x).detach(); // with gradients: each layer as is
                Tensor got;
                try (var g = Tensor.noGrad()) {
                    got = model.forward(x);
                }
                assertThat(got.shape()).containsExactly(expected.shape());
                assertThat(got.toArray()).as("sizes %s lazy %s", java.util.Arrays.toString(s), lazy).containsExactly(expected.toArray());
                assertThat(x.toArray()).as("the input is not touched").containsExactly(before);
                for (float v : got.toArray()) assertThat(v).isGreaterThanOrEqualTo(0f); // the last ReLU was applied
            }
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
    void nanFromTheLinearLayerSurvivesTheInPlaceRelu() {
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
