package dev.machina.nn;

import dev.machina.tensor.Tensor;

/** 1/(1+e^−x), as {@code torch.nn.Sigmoid}. */
public final class Sigmoid extends Module {

    @Override
    public Tensor forward(Tensor x) {
        return x.sigmoid();
    }

    @Override
    protected String extraRepr() {
        return "";
    }
}
