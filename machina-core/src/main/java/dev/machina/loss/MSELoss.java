package dev.machina.loss;

import dev.machina.tensor.Tensor;

/** Squared error (input − target)², as {@code torch.nn.MSELoss}; built from tensor ops, so both sides get gradients. */
public record MSELoss(Reduction reduction) {
    public MSELoss() {
        this(Reduction.MEAN);
    }

    public Tensor forward(Tensor input, Tensor target) {
        Losses.checkSameShape("MSELoss", input, target);
        Tensor d = input.sub(target);
        return Losses.reduce(d.mul(d), reduction);
    }
}
