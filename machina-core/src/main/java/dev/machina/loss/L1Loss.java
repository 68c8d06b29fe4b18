package dev.machina.loss;

import dev.machina.tensor.Tensor;

/** Absolute error |input − target|, as {@code torch.nn.L1Loss} (gradient sign(x − t), 0 at 0); built from tensor ops. */
public record L1Loss(Reduction reduction) {
    public L1Loss() {
        this(Reduction.MEAN);
    }

    public Tensor forward(Tensor input, Tensor target) {
        Losses.checkSameShape("L1Loss", input, target);
        return Losses.reduce(input.sub(target).abs(), reduction);
    }
}
