package dev.machina.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * After backward() releases a graph, a second backward through a shared part of it must fail
 * loudly (PyTorch: "Trying to backward through the graph a second time") rather than silently
 * leave the parameters without that part of their gradient.
 */
class BackwardReleaseTest {
    @Test
    void secondBackwardThroughAReleasedGraphFails() {
        Tensor w = Tensor.vector(1f, 2f).requiresGrad(true);
        Tensor h = w.mul(3f);            // shared interior node
        Tensor l1 = h.sum(), l2 = h.mul(h).sum();
        l1.backward();
        assertThat(w.grad().data()).containsExactly(3f, 3f);
        assertThatThrownBy(l2::backward).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already released");
    }

    @Test
    void detachedValuesCanBeReusedAndFreshGraphsWork() {
        Tensor w = Tensor.vector(1f, 2f).requiresGrad(true);
        Tensor h = w.mul(3f);
        h.sum().backward();
        w.setGrad(null);
        h.detach().mul(w).sum().backward(); // h as a constant: d/dw = h
        assertThat(w.grad().data()).containsExactly(3f, 6f);
        w.setGrad(null);
        w.mul(3f).sum().backward();
        assertThat(w.grad().data()).containsExactly(3f, 3f);
    }
}
