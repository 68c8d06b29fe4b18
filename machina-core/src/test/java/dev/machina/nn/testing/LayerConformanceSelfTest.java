package dev.machina.nn.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.machina.nn.Module;
import dev.machina.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checks must be able to fail: a layer with a wrong backward rule, or a wrong shape, is caught. */
class LayerConformanceSelfTest {

    /** y = 2x, but its backward sends 3·g. */
    static final class WrongGrad extends Module {
        @Override
        public Tensor forward(Tensor x) {
            float[] o = x.toArray();
            for (int i = 0; i < o.length; i++) o[i] *= 2;
            return Tensor.fromOp("wrong", o, x.shape(), new Tensor[] {x}, g -> {
                float[] gx = x.gradBuffer();
                for (int i = 0; i < g.length; i++) gx[i] += 3 * g[i];
            });
        }
    }

    @Test
    void wrongGradientIsCaught() {
        assertThatThrownBy(() -> LayerConformance.check(r -> new WrongGrad(), new int[] {2, 3}, new int[] {2, 3}, Map.of()))
                .isInstanceOf(AssertionError.class).hasMessageContaining("analytic");
    }

    @Test
    void wrongShapeIsCaught() {
        assertThatThrownBy(() -> LayerConformance.check(r -> new WrongGrad(), new int[] {2, 3}, new int[] {3, 2}, Map.of()))
                .isInstanceOf(AssertionError.class).hasMessageContaining("output shape");
    }
}
