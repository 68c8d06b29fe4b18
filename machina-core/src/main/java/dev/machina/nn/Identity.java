package dev.machina.nn;

import dev.machina.tensor.Tensor;

/** Returns its input, as {@code torch.nn.Identity}. */
public final class Identity extends Module {

    @Override
    public Tensor forward(Tensor x) {
        return x;
    }

    @Override
    protected String extraRepr() {
        return "";
    }
}
