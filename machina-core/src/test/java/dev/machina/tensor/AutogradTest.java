package dev.machina.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.machina.kernel.Parallel;
import java.util.List;
import org.junit.jupiter.api.Test;

class AutogradTest {

    @Test
    void onlyAnOpThatTakesNoGradientRunsItsRuleWithoutOne() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
        Tensor y = a.matmul(a);
        // an op on y whose rule asks y's rule to run without a gradient: matmul's rule cannot take null
        Tensor side = Tensor.fromOp("side", new float[] {0}, new int[] {1}, new Tensor[] {y}, g -> y.runBackwardWithoutGradient());
        assertThatThrownBy(() -> side.sum().backward()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("op 'matmul'").hasMessageContaining("fromOpTakingNoGradient");

        Tensor b = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        float[][] seen = {new float[] {42}};
        Tensor fused = Tensor.fromOpTakingNoGradient("fused", new float[] {5, 6}, new int[] {2}, new Tensor[] {b}, g -> {
            seen[0] = g;
            b.takeOrAddGrad(new float[] {7, 8});
        });
        Tensor small = Tensor.fromOp("small", new float[] {1}, new int[] {1}, new Tensor[] {fused}, g -> fused.runBackwardWithoutGradient());
        small.sum().backward();
        assertThat(seen[0]).as("the fused rule ran, with no gradient").isNull();
        assertArrayEquals(new float[] {7, 8}, b.grad().data());
    }

    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        Tensor x = Tensor.vector(1f, 2f, 3f).requiresGrad(true);
        x.mul(x).sum().backward();
        assertArrayEquals(new float[] {2f, 4f, 6f}, x.grad().toArray());
        x.mul(3f).sum().backward();
        assertArrayEquals(new float[] {5f, 7f, 9f}, x.grad().toArray());
        x.setGrad(null);
        assertThat(x.grad()).isNull();
    }

    /**
     * releaseGrad clears the gradient as setGrad(null) does, and the next backward that reaches the
     * tensor refills the same array from zero (not the old values plus the new); one that does
     * not reach it leaves no gradient.
     */
    @Test
    void releasedGradientArraysAreZeroedAndReused() {
        Tensor w = Tensor.vector(1f, 2f, 3f).requiresGrad(true), unused = Tensor.vector(4f).requiresGrad(true);
        Tensor x = Tensor.vector(2f, 0.5f, -1f);
        w.mul(x).sum().backward();
        unused.mul(2f).sum().backward();
        float[] first = w.grad().data();
        assertArrayEquals(new float[] {2f, 0.5f, -1f}, first);
        w.releaseGrad();
        unused.releaseGrad();
        assertThat(w.grad()).isNull();
        assertThat(unused.grad()).isNull();
        w.mul(w).sum().backward(); // d(w·w)/dw = 2w, from a zeroed buffer
        assertThat(w.grad().data()).isSameAs(first);
        assertArrayEquals(new float[] {2f, 4f, 6f}, w.grad().data());
        assertThat(unused.grad()).as("not reached by the second backward").isNull();
        w.setGrad(null); // a plain clear drops the array
        w.mul(x).sum().backward();
        assertThat(w.grad().data()).isNotSameAs(first);
        Tensor given = Tensor.vector(9f, 9f, 9f); // a gradient set from outside is never written by a later backward
        w.setGrad(given);
        w.releaseGrad();
        w.mul(x).sum().backward();
        assertThat(w.grad().data()).isNotSameAs(given.data());
        assertArrayEquals(new float[] {9f, 9f, 9f}, given.data());
    }

    /**
     * linear's backward writes a first gradient straight over the (released, unzeroed) array and
     * adds into one that is there: across backwards without zeroing, for a weight used twice in
     * one graph, and for an input; an empty batch still leaves zeros, not the released values.
     */
    @Test
    void linearGradientsOverwriteReleasedArraysAndAddIntoExistingOnes() {
        Tensor w = Tensor.of(new float[] {1f, -2f, 0.5f, 3f, 1f, -1f}, 2, 3).requiresGrad(true), b = Tensor.vector(0.5f, -0.5f).requiresGrad(true);
        Tensor x1 = Tensor.of(new float[] {1f, 2f, 3f, -1f, 0f, 2f}, 2, 3).requiresGrad(true), x2 = Tensor.of(new float[] {2f, -1f, 1f}, 1, 3);
        Tensor g1 = Tensor.of(new float[] {1f, 2f, -1f, 0.5f}, 2, 2), g2 = Tensor.of(new float[] {3f, -2f}, 1, 2);
        float[] dw1 = {1f * 1 + -1f * -1, 1f * 2 + -1f * 0, 1f * 3 + -1f * 2, 2f * 1 + 0.5f * -1, 2f * 2 + 0.5f * 0, 2f * 3 + 0.5f * 2};
        float[] dw2 = {3f * 2, 3f * -1, 3f * 1, -2f * 2, -2f * -1, -2f * 1};
        float[] dx1 = {1f * 1 + 2f * 3, 1f * -2 + 2f * 1, 1f * 0.5f + 2f * -1, -1f * 1 + 0.5f * 3, -1f * -2 + 0.5f * 1, -1f * 0.5f + 0.5f * -1};
        Tensor.linear(x1, w, b).backward(g1);
        assertArrayEquals(dw1, w.grad().data());
        assertArrayEquals(new float[] {0f, 2.5f}, b.grad().data());
        assertArrayEquals(dx1, x1.grad().data());
        Tensor.linear(x2, w, b).backward(g2); // no zeroing: added
        for (int i = 0; i < 6; i++) assertThat(w.grad().data()[i]).isEqualTo(dw1[i] + dw2[i]);
        assertArrayEquals(new float[] {3f, 0.5f}, b.grad().data());
        float[] reused = w.grad().data();
        w.releaseGrad();
        b.releaseGrad();
        Tensor.linear(x2, w, b).backward(g2); // over the released array, none of its old values left
        assertThat(w.grad().data()).isSameAs(reused);
        assertArrayEquals(dw2, w.grad().data());
        assertArrayEquals(new float[] {3f, -2f}, b.grad().data());
        w.releaseGrad();
        Tensor.linear(x1, w, null).add(Tensor.linear(x2, w, null).sum()).backward(g1); // w twice in one graph
        float[] dw2Summed = new float[6];
        for (int j = 0; j < 3; j++) for (int o = 0; o < 2; o++) dw2Summed[o * 3 + j] = (1f + 2f - 1f + 0.5f) * x2.data()[j];
        for (int i = 0; i < 6; i++) assertThat(w.grad().data()[i]).isEqualTo(dw1[i] + dw2Summed[i]);
        w.releaseGrad();
        b.releaseGrad();
        Tensor.linear(Tensor.zeros(0, 3), w, b).sum().backward(); // an empty batch: zero gradients
        assertArrayEquals(new float[6], w.grad().data());
        assertArrayEquals(new float[2], b.grad().data());
    }

    @Test
    void viewGradientsAccumulateWhateverArrivesFirst() {
        // reshape hands its gradient array on when the input has none yet, and narrow copies into a
        // fresh buffer: later contributions (another use, another backward) must still add up
        Tensor x = Tensor.vector(1f, 2f, 3f, 4f).requiresGrad(true);
        Tensor h = x.mul(2f);
        Tensor loss = h.reshape(2, 2).mul(Tensor.of(new float[] {1f, 2f, 3f, 4f}, 2, 2)).sum()
                .add(h.narrow(0, 1, 2).mul(10f).sum()).add(h.reshape(4, 1).sum()).add(x.reshape(2, 2).sum());
        loss.backward();
        assertArrayEquals(new float[] {2 * (1 + 1) + 1, 2 * (2 + 10 + 1) + 1, 2 * (3 + 10 + 1) + 1, 2 * (4 + 1) + 1}, x.grad().toArray());
        x.reshape(4).narrow(0, 0, 2).sum().backward();
        assertArrayEquals(new float[] {6f, 28f, 29f, 11f}, x.grad().toArray());
        Tensor y = Tensor.vector(1f, 2f).requiresGrad(true);
        Tensor gy = Tensor.of(new float[] {5f, 6f}, 2, 1);
        y.reshape(2, 1).backward(gy);
        assertArrayEquals(new float[] {5f, 6f}, y.grad().toArray());
        assertArrayEquals(new float[] {5f, 6f}, gy.toArray()); // the caller's gradient is not taken over
        // a leading range of the first dimension: copied out, its gradient followed by zeros
        Tensor z = Tensor.vector(1f, 2f, 3f, 4f).requiresGrad(true);
        assertArrayEquals(new float[] {2f, 3f}, z.narrow(0, 1, 2).toArray());
        z.narrow(0, 0, 2).mul(3f).sum().backward();
        assertArrayEquals(new float[] {3f, 3f, 0f, 0f}, z.grad().toArray());
        z.narrow(0, 0, 3).sum().backward();
        assertArrayEquals(new float[] {4f, 4f, 1f, 0f}, z.grad().toArray());
    }

    @Test
    void backwardWithExplicitGradient() {
        Tensor x = Tensor.vector(1f, 2f).requiresGrad(true);
        Tensor y = x.mul(x);
        y.backward(Tensor.vector(10f, 1f));
        assertArrayEquals(new float[] {20f, 4f}, x.grad().toArray());
    }

    @Test
    void graphIsReleasedAfterBackward() {
        Tensor x = Tensor.vector(1f, 2f).requiresGrad(true);
        Tensor y = x.exp().sum();
        y.backward();
        assertThat(y.isLeaf()).isTrue();
        assertThatThrownBy(y::backward).isInstanceOf(IllegalStateException.class).hasMessageContaining("already released");
    }

    @Test
    void backwardNeedsScalarOrGradient() {
        Tensor x = Tensor.vector(1f, 2f).requiresGrad(true);
        assertThatThrownBy(() -> x.mul(2f).backward()).hasMessageContaining("one-element tensor");
    }

    @Test
    void noGradScopeRecordsNothingAndRestores() {
        Tensor x = Tensor.vector(1f, 2f).requiresGrad(true);
        try (var s = Tensor.noGrad()) {
            Tensor y = x.mul(2f);
            assertThat(y.requiresGrad()).isFalse();
            assertThat(y.isLeaf()).isTrue();
            try (var e = Tensor.enableGrad()) {
                assertThat(x.mul(2f).requiresGrad()).isTrue();
            }
            assertThat(Tensor.isGradEnabled()).isFalse();
        }
        assertThat(Tensor.isGradEnabled()).isTrue();
        assertThat(x.mul(2f).requiresGrad()).isTrue();
    }

    @Test
    void detachCutsTheGraph() {
        Tensor x = Tensor.vector(1f, 2f).requiresGrad(true);
        Tensor d = x.mul(2f).detach();
        assertThat(d.requiresGrad()).isFalse();
        Tensor y = x.mul(d).sum();
        y.backward();
        assertArrayEquals(new float[] {2f, 4f}, x.grad().toArray());
    }

    @Test
    void opsOnTensorsWithoutGradRecordNothing() {
        Tensor a = Tensor.ones(2, 2), b = Tensor.ones(2, 2);
        assertThat(a.matmul(b).op()).isNull();
    }

    @Test
    void shapeErrorsNameTheOpAndBothShapes() {
        assertThatThrownBy(() -> Tensor.zeros(64, 784).matmul(Tensor.zeros(256, 128)))
                .hasMessage("matmul: cannot multiply [64, 784] by [256, 128]: inner dimensions 784 and 256 differ");
        assertThatThrownBy(() -> Tensor.zeros(3, 4).add(Tensor.zeros(5)))
                .hasMessageContaining("add: shapes [3, 4] and [5] cannot be broadcast");
        assertThatThrownBy(() -> Tensor.zeros(3, 4).reshape(5, -1)).hasMessageContaining("reshape: cannot view [3, 4] (12 values) as [5, -1]");
        assertThatThrownBy(() -> Tensor.of(new float[3], 2, 2)).hasMessageContaining("shape [2, 2] holds 4 values but 3 were given");
        assertThatThrownBy(() -> Tensor.zeros(1, 1, 1, 1, 1)).hasMessageContaining("rank 0 to 4");
    }

    @Test
    void factoriesAreReproducibleFromTheSeed() {
        Tensor a = Tensor.randn(new Rng(3), 4, 5), b = Tensor.randn(new Rng(3), 4, 5), c = Tensor.randn(new Rng(4), 4, 5);
        assertArrayEquals(a.data(), b.data());
        assertThat(a.data()).isNotEqualTo(c.data());
        Tensor u = Tensor.uniform(new Rng(1), -2f, 3f, 1000);
        for (float v : u.data()) assertThat(v).isBetween(-2f, 3f);
        assertEquals(5f, Tensor.full(5f, 2, 3).sum().item() / 6f);
        assertArrayEquals(new float[] {0, 1, 2}, Tensor.arange(3).data());
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0}, Tensor.oneHot(new int[] {2, 0}, 3).data());
    }

    @Test
    void rngStateRoundTrips() {
        Rng r = new Rng(99);
        r.nextGaussian();
        long[] st = r.state();
        double a = r.nextGaussian(), b = r.nextDouble();
        Rng s = Rng.fromState(st);
        assertEquals(a, s.nextGaussian());
        assertEquals(b, s.nextDouble());
    }

    @Test
    void toStringShowsShapeAndValues() {
        assertThat(Tensor.vector(1f, 2.5f).toString()).isEqualTo("Tensor[2] [1.000, 2.500]");
        assertThat(Tensor.zeros(3, 4).requiresGrad(true).mul(2f).toString()).contains("grad_fn=affine");
    }

    @Test
    void softmaxStaysFiniteForHugeInputs() {
        Tensor x = Tensor.of(new float[] {1e4f, -1e4f, 0f, -1e4f, -1e4f, -1e4f}, 2, 3).requiresGrad(true);
        Tensor s = x.softmax(1), l = x.logSoftmax(1);
        for (float v : s.data()) assertThat(v).isFinite();
        for (float v : l.data()) assertThat(v).isFinite();
        assertArrayEquals(new float[] {1f, 0f, 0f}, java.util.Arrays.copyOf(s.data(), 3), 1e-6f);
        assertEquals(-2e4f, l.data()[1], 1f);
        l.sum().backward();
        for (float v : x.grad().data()) assertThat(v).isFinite();
    }

    @Test
    void forwardAndBackwardAreBitIdenticalOnOneAndTwoThreads() {
        int saved = Parallel.threads();
        try {
            float[][] one = trainStep(1), two = trainStep(2);
            for (int i = 0; i < one.length; i++) {
                for (int j = 0; j < one[i].length; j++) {
                    assertEquals(Float.floatToRawIntBits(one[i][j]), Float.floatToRawIntBits(two[i][j]),
                            "array " + i + " element " + j + " differs between 1 and 2 threads");
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /** Forward + backward of a 784-256-10 network on a batch of 128; returns output and gradients. */
    private static float[][] trainStep(int threads) {
        Parallel.setThreads(threads);
        Rng rng = new Rng(2024);
        Tensor x = Tensor.randn(rng, 128, 784);
        Tensor w1 = Tensor.uniform(rng, -0.05f, 0.05f, 256, 784).requiresGrad(true);
        Tensor b1 = Tensor.zeros(256).requiresGrad(true);
        Tensor w2 = Tensor.uniform(rng, -0.05f, 0.05f, 10, 256).requiresGrad(true);
        Tensor b2 = Tensor.zeros(10).requiresGrad(true);
        int[] labels = new int[128];
        for (int i = 0; i < labels.length; i++) labels[i] = i % 10;
        Tensor logits = Tensor.linear(Tensor.linear(x, w1, b1).relu(), w2, b2);
        Tensor loss = logits.logSoftmax(1).gather(labels).mean().neg();
        float[] out = logits.toArray();
        loss.backward();
        return new float[][] {out, w1.grad().data(), b1.grad().data(), w2.grad().data(), b2.grad().data()};
    }

    @Test
    void linearNoGradIsLinearThenReluWithoutAGraphAndOnlyUnderNoGrad() {
        Rng rng = new Rng(8);
        Tensor x = Tensor.randn(rng, 3, 2, 9), w = Tensor.randn(rng, 5, 9).requiresGrad(true), b = Tensor.randn(rng, 5).requiresGrad(true);
        Tensor plain = Tensor.linear(x, w, b), relu = plain.relu();
        assertThatThrownBy(() -> Tensor.linearNoGrad(x, w, b, true)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("noGrad");
        try (var g = Tensor.noGrad()) {
            Tensor y = Tensor.linearNoGrad(x, w, b, true);
            assertThat(y.shape()).containsExactly(3, 2, 5);
            assertThat(y.toArray()).containsExactly(relu.toArray());
            assertThat(y.requiresGrad()).isFalse();
            Tensor z = Tensor.linearNoGrad(x, w, null, false);
            assertThat(z.toArray()).containsExactly(Tensor.linear(x, w, null).toArray());
            for (Tensor t : new Tensor[] {x, w, b, y}) assertThat(z.data()).as("a new array").isNotSameAs(t.data());
            Tensor empty = Tensor.linearNoGrad(Tensor.zeros(4, 0), Tensor.zeros(3, 0), b.narrow(0, 0, 3), false);
            assertThat(empty.shape()).containsExactly(4, 3);
            float[] b3 = b.narrow(0, 0, 3).toArray();
            for (int r = 0; r < 4; r++) assertThat(java.util.Arrays.copyOfRange(empty.toArray(), 3 * r, 3 * r + 3)).as("no inputs: the bias").containsExactly(b3);
            assertThatThrownBy(() -> Tensor.linearNoGrad(Tensor.randn(rng, 2, 8), w, b, false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("linearNoGrad: input [2, 8]")
                    .hasMessageContaining("expected last dimension 9");
            assertThatThrownBy(() -> Tensor.linearNoGrad(x, Tensor.randn(rng, 9), null, false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("linearNoGrad: weight [9] must have 2 dimensions");
            assertThatThrownBy(() -> Tensor.linearNoGrad(x, w, Tensor.randn(rng, 4), false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("linearNoGrad: bias [4]")
                    .hasMessageContaining("expected shape [5]");
        }
    }

    @Test
    void concatSplitStackShapes() {
        Tensor a = Tensor.arange(6).reshape(2, 3), b = Tensor.arange(4).reshape(2, 2);
        Tensor c = Tensor.concat(List.of(a, b), 1);
        assertArrayEquals(new int[] {2, 5}, c.shape());
        assertArrayEquals(new float[] {0, 1, 2, 0, 1, 3, 4, 5, 2, 3}, c.data());
        List<Tensor> parts = c.split(1, 3, 2);
        assertArrayEquals(a.data(), parts.get(0).data());
        assertArrayEquals(b.data(), parts.get(1).data());
        Tensor s = Tensor.stack(List.of(a, a), 0);
        assertArrayEquals(new int[] {2, 2, 3}, s.shape());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, a.t().data());
        assertArrayEquals(new int[] {2, 1}, a.argmax(1).length == 2 ? new int[] {2, 1} : null);
        assertArrayEquals(new int[] {2, 2}, a.argmax(1));
    }
}
