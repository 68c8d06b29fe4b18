package dev.machina.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** A finite-difference gradient check for every op, including broadcasting and reuse. */
class OpsGradTest {
    private final Rng rng = new Rng(42);

    private Tensor param(int... shape) {
        return Tensor.uniform(rng, -1f, 1f, shape).requiresGrad(true);
    }

    /** Values kept at least 0.1 away from 0 (for kinks at 0 and for division). */
    private Tensor awayFromZero(int... shape) {
        Tensor t = param(shape);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (d[i] >= 0 ? 0.1f : -0.1f) + d[i] * 0.9f;
        return t;
    }

    private static void assertGrad(String what, Function<List<Tensor>, Tensor> f, Tensor... inputs) {
        List<GradCheck.Mismatch> bad = GradCheck.check(f, List.of(inputs));
        assertThat(bad).as(what).isEmpty();
    }

    @Test
    void binaryOpsWithBroadcasting() {
        int[][][] shapes = {
            {{3, 4}, {3, 4}}, {{3, 4}, {4}}, {{4}, {3, 4}}, {{3, 1}, {1, 4}}, {{2, 3, 4}, {3, 1}},
            {{2, 1, 4}, {2, 3, 1}}, {{3, 4}, {}}, {{}, {2, 2}}, {{2, 3, 4, 5}, {1, 3, 1, 5}}
        };
        for (int[][] s : shapes) {
            String tag = java.util.Arrays.deepToString(s);
            assertGrad("add " + tag, in -> in.get(0).add(in.get(1)), param(s[0]), param(s[1]));
            assertGrad("sub " + tag, in -> in.get(0).sub(in.get(1)), param(s[0]), param(s[1]));
            assertGrad("mul " + tag, in -> in.get(0).mul(in.get(1)), param(s[0]), param(s[1]));
            assertGrad("div " + tag, in -> in.get(0).div(in.get(1)), param(s[0]), awayFromZero(s[1]));
        }
    }

    @Test
    void unaryOps() {
        assertGrad("neg", in -> in.get(0).neg(), param(3, 5));
        assertGrad("scalar affine", in -> in.get(0).mul(3f).add(2f).sub(1f).div(4f), param(3, 5));
        assertGrad("pow 3", in -> in.get(0).pow(3f), param(3, 5));
        assertGrad("pow 2", in -> in.get(0).pow(2f), param(3, 5));
        assertGrad("exp", in -> in.get(0).exp(), param(3, 5));
        assertGrad("log", in -> in.get(0).abs().add(0.5f).log(), awayFromZero(3, 5));
        assertGrad("sqrt", in -> in.get(0).abs().add(0.5f).sqrt(), awayFromZero(3, 5));
        assertGrad("abs", in -> in.get(0).abs(), awayFromZero(3, 5));
        assertGrad("clamp", in -> in.get(0).clamp(-0.45f, 0.55f), clampSafe());
        assertGrad("relu", in -> in.get(0).relu(), awayFromZero(4, 5));
        assertGrad("leaky_relu", in -> in.get(0).leakyRelu(0.1f), awayFromZero(4, 5));
        assertGrad("sigmoid", in -> in.get(0).sigmoid(), param(4, 5));
        assertGrad("tanh", in -> in.get(0).tanh(), param(4, 5));
        assertGrad("gelu", in -> in.get(0).gelu(), param(4, 5));
    }

    /** Values at least 0.05 away from the clamp bounds -0.45 and 0.55. */
    private Tensor clampSafe() {
        Tensor t = param(4, 5);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) {
            if (Math.abs(d[i] + 0.45f) < 0.05f || Math.abs(d[i] - 0.55f) < 0.05f) d[i] = 0f;
        }
        return t;
    }

    @Test
    void matmulAndLinear() {
        assertGrad("matmul 2-D", in -> in.get(0).matmul(in.get(1)), param(3, 4), param(4, 5));
        assertGrad("matmul batched", in -> in.get(0).matmul(in.get(1)), param(2, 3, 4), param(2, 4, 5));
        assertGrad("matmul 3-D by 2-D", in -> in.get(0).matmul(in.get(1)), param(2, 3, 4), param(4, 5));
        assertGrad("linear", in -> Tensor.linear(in.get(0), in.get(1), in.get(2)), param(5, 7), param(3, 7), param(3));
        assertGrad("linear without bias", in -> Tensor.linear(in.get(0), in.get(1), null), param(5, 7), param(3, 7));
        assertGrad("linear on 3-D input", in -> Tensor.linear(in.get(0), in.get(1), in.get(2)), param(2, 5, 7), param(3, 7), param(3));
    }

    @Test
    void shapeOps() {
        assertGrad("transpose", in -> in.get(0).transpose(0, 1).mul(in.get(1)), param(3, 4), param(4, 3));
        assertGrad("transpose 3-D", in -> in.get(0).transpose(0, 2).mul(in.get(1)), param(2, 3, 4), param(4, 3, 2));
        assertGrad("reshape", in -> in.get(0).reshape(6, -1).mul(in.get(1)), param(3, 4), param(6, 2));
        assertGrad("flatten", in -> in.get(0).flatten(1).mul(in.get(1)), param(2, 3, 4), param(2, 12));
        assertGrad("narrow", in -> in.get(0).narrow(1, 1, 2), param(3, 4, 2));
        assertGrad("split", in -> in.get(0).split(0, 1, 2).get(1).mul(2f), param(3, 4));
        assertGrad("concat", in -> Tensor.concat(List.of(in.get(0), in.get(1)), 1), param(2, 3), param(2, 2));
        assertGrad("stack", in -> Tensor.stack(List.of(in.get(0), in.get(1)), 1), param(2, 3), param(2, 3));
        assertGrad("indexSelect with repeats", in -> in.get(0).indexSelect(0, new int[] {2, 0, 2}), param(3, 4));
        assertGrad("indexSelect dim 1", in -> in.get(0).indexSelect(1, new int[] {3, 1}), param(2, 4, 2));
        assertGrad("gather", in -> in.get(0).gather(new int[] {1, 0, 3}), param(3, 4));
    }

    @Test
    void reductions() {
        assertGrad("sum", in -> in.get(0).sum(), param(3, 4));
        assertGrad("mean", in -> in.get(0).mean(), param(3, 4));
        for (int dim = 0; dim < 3; dim++) {
            int d = dim;
            assertGrad("sum dim " + d, in -> in.get(0).sum(d, false), param(2, 3, 4));
            assertGrad("sum keepdim " + d, in -> in.get(0).sum(d, true), param(2, 3, 4));
            assertGrad("mean dim " + d, in -> in.get(0).mean(d, false), param(2, 3, 4));
            assertGrad("max dim " + d, in -> in.get(0).max(d, false), distinct(2, 3, 4));
            assertGrad("softmax dim " + d, in -> in.get(0).softmax(d), param(2, 3, 4));
            assertGrad("log_softmax dim " + d, in -> in.get(0).logSoftmax(d), param(2, 3, 4));
        }
        assertGrad("max all", in -> in.get(0).max(), distinct(3, 4));
    }

    /** Values spaced at least 0.1 apart, so no max has a near tie. */
    private Tensor distinct(int... shape) {
        int n = Shape.size(shape);
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        rng.shuffle(perm);
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = perm[i] * 0.1f - n * 0.05f;
        return Tensor.of(d, shape).requiresGrad(true);
    }

    @Test
    void maskAndDropout() {
        float[] mask = {2f, 0f, 2f, 0f, 2f, 2f};
        assertGrad("applyMask", in -> Elementwise.applyMask(in.get(0), mask), param(2, 3));
    }

    @Test
    void tensorUsedTwiceGetsBothContributions() {
        assertGrad("x*x", in -> in.get(0).mul(in.get(0)), param(3, 3));
        assertGrad("x·x + x", in -> in.get(0).matmul(in.get(0)).add(in.get(0)), param(3, 3));
        assertGrad("shared weight in two layers",
                in -> Tensor.linear(Tensor.linear(in.get(0), in.get(1), null).tanh(), in.get(1), null),
                param(2, 4), param(4, 4));
    }

    @Test
    void compositeTwoLayerNetwork() {
        assertGrad("mlp + log_softmax + nll",
                in -> Tensor.linear(Tensor.linear(in.get(0), in.get(1), in.get(2)).tanh(), in.get(3), in.get(4))
                        .logSoftmax(1).gather(new int[] {0, 2, 1, 2}).mean().neg(),
                param(4, 5), param(6, 5), param(6), param(3, 6), param(3));
    }
}
