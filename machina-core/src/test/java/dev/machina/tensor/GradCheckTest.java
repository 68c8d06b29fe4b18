package dev.machina.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker itself: it must catch a wrong backward rule, not only pass right ones. */
class GradCheckTest {

    @Test
    void catchesAWrongBackwardRule() {
        Tensor x = Tensor.uniform(new Rng(1), -1f, 1f, 3, 2).requiresGrad(true);
        // forward x³ with a deliberately wrong backward 2x (the right one is 3x²)
        List<GradCheck.Mismatch> bad = GradCheck.check(in -> {
            Tensor a = in.get(0);
            float[] o = new float[a.size()];
            for (int i = 0; i < o.length; i++) o[i] = a.data()[i] * a.data()[i] * a.data()[i];
            return Tensor.fromOp("cube-wrong", o, a.shape(), new Tensor[] {a}, g -> {
                float[] ga = a.gradBuffer();
                for (int i = 0; i < g.length; i++) ga[i] += g[i] * 2 * a.data()[i];
            });
        }, List.of(x));
        assertThat(bad).isNotEmpty();
    }

    @Test
    void acceptsTheRightRuleForACustomOp() {
        Tensor x = Tensor.uniform(new Rng(1), -1f, 1f, 3, 2).requiresGrad(true);
        List<GradCheck.Mismatch> bad = GradCheck.check(in -> {
            Tensor a = in.get(0);
            float[] o = new float[a.size()];
            for (int i = 0; i < o.length; i++) o[i] = a.data()[i] * a.data()[i] * a.data()[i];
            return Tensor.fromOp("cube", o, a.shape(), new Tensor[] {a}, g -> {
                float[] ga = a.gradBuffer();
                for (int i = 0; i < g.length; i++) ga[i] += g[i] * 3 * a.data()[i] * a.data()[i];
            });
        }, List.of(x));
        assertThat(bad).isEmpty();
    }
}
