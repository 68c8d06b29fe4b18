package dev.machina.optim;

import dev.machina.tensor.Tensor;
import java.util.Map;

/** Explicit penalty terms to add to a loss. */
public final class Regularization {
    private Regularization() {}

    /**
     * λ·Σw² over a model's weights ({@code model.namedParameters()}), as a differentiable scalar
     * to add to the loss. Only
     * parameters whose own name (last dotted segment) starts with {@code weight} are included
     * ({@code 0.weight}, {@code weight_ih_l0}); biases are not. Its gradient 2λw equals an
     * optimizer weight decay of 2λ on those parameters (for plain SGD).
     */
    public static Tensor l2Penalty(Map<String, Tensor> namedParameters, double lambda) {
        Tensor total = null;
        for (var e : namedParameters.entrySet()) {
            String name = e.getKey().substring(e.getKey().lastIndexOf('.') + 1);
            if (!name.startsWith("weight")) continue;
            Tensor w = e.getValue();
            Tensor sq = w.mul(w).sum();
            total = total == null ? sq : total.add(sq);
        }
        return total == null ? Tensor.scalar(0f) : total.mul((float) lambda);
    }
}
