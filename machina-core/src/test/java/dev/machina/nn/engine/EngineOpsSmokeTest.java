package dev.machina.nn.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.nn.testing.NnGradCheck;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Gradchecks of the engine ops the nn layers and losses build on, with the nn test checker,
 * including the broadcasting shapes layers produce (bias rows, per-column scales, scalars).
 */
class EngineOpsSmokeTest {
    final Rng rng = new Rng(17);

    Tensor r(int... shape) {
        return Tensor.randn(rng, shape).requiresGrad(true);
    }

    Tensor pos(int... shape) {
        return Tensor.uniform(rng, 0.5f, 2f, shape).requiresGrad(true);
    }

    @Test
    void broadcastingBinaryOps() {
        Tensor a = r(3, 1), b = r(1, 4), c = r(2, 3), d = r(3), s = r(), p = pos(2, 1), q = pos(3);
        NnGradCheck.check("[3,1]+[1,4]", () -> a.add(b), List.of(a, b), rng, 50);
        NnGradCheck.check("[3,1]-[1,4]", () -> a.sub(b), List.of(a, b), rng, 50);
        NnGradCheck.check("[2,3]*[3]", () -> c.mul(d), List.of(c, d), rng, 50);
        NnGradCheck.check("[2,3]/[2,1]", () -> c.div(p), List.of(c, p), rng, 50);
        NnGradCheck.check("[3]/[2,3]", () -> q.div(c.abs().add(0.5f)), List.of(q, c), rng, 50);
        NnGradCheck.check("scalar*[2,3]", () -> s.mul(c), List.of(s, c), rng, 50);
        NnGradCheck.check("[2,3]-scalar", () -> c.sub(s), List.of(c, s), rng, 50);
        NnGradCheck.check("[2,3]/scalar", () -> c.div(s.abs().add(1f)), List.of(c, s), rng, 50);
        NnGradCheck.check("x*x", () -> c.mul(c), List.of(c), rng, 50);
    }

    @Test
    void unaryAndReductions() {
        Tensor a = r(2, 3, 4), p = pos(3, 4);
        NnGradCheck.check("exp/log/sqrt/pow", () -> p.log().add(p.sqrt()).add(p.pow(3f)).add(p.exp()), List.of(p), rng, 50);
        NnGradCheck.check("sum(dim 1)", () -> a.sum(1, false), List.of(a), rng, 50);
        NnGradCheck.check("mean(dim 0, keep)", () -> a.mean(0, true), List.of(a), rng, 50);
        NnGradCheck.check("mean()", () -> a.mean(), List.of(a), rng, 50);
        NnGradCheck.check("max(dim 2)", () -> a.max(2, false), List.of(a), rng, 50);
        NnGradCheck.check("softmax(dim 1) of 3-D", () -> a.softmax(1), List.of(a), rng, 50);
        NnGradCheck.check("logSoftmax(dim 0) of 3-D", () -> a.logSoftmax(0), List.of(a), rng, 50);
        NnGradCheck.check("sigmoid/tanh/gelu", () -> a.sigmoid().add(a.tanh()).add(a.gelu()), List.of(a), rng, 50);
    }

    @Test
    void shapesAndProducts() {
        Tensor a = r(2, 3, 4), w = r(4, 5), b3 = r(2, 4, 3), m = r(3, 4), bias = r(5);
        NnGradCheck.check("transpose(0,2)", () -> a.transpose(0, 2), List.of(a), rng, 50);
        NnGradCheck.check("narrow/concat", () -> Tensor.concat(List.of(a.narrow(2, 1, 2), a.narrow(2, 0, 1)), 2), List.of(a), rng, 50);
        NnGradCheck.check("stack", () -> Tensor.stack(List.of(m, m.mul(2f)), 1), List.of(m), rng, 50);
        NnGradCheck.check("indexSelect", () -> a.indexSelect(1, new int[] {2, 0, 2}), List.of(a), rng, 50);
        NnGradCheck.check("gather", () -> m.gather(new int[] {3, 0, 1}), List.of(m), rng, 50);
        NnGradCheck.check("3-D·2-D matmul", () -> a.matmul(w), List.of(a, w), rng, 50);
        NnGradCheck.check("bmm", () -> a.matmul(b3), List.of(a, b3), rng, 50);
        NnGradCheck.check("linear 3-D", () -> Tensor.linear(a, w.t(), bias), List.of(a, w, bias), rng, 50);
    }

    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        Tensor x = Tensor.vector(1f, 2f).requiresGrad(true);
        x.mul(3f).sum().backward();
        x.mul(x).sum().backward();
        assertThat(x.grad().data()).containsExactly(3f + 2f, 3f + 4f);
    }
}
