package dev.machina.nn;

import dev.machina.tensor.Tensor;

/** Hyperbolic tangent, as {@code torch.nn.Tanh}. */
public final class Tanh extends Module {

    @Override
    public Tensor forward(Tensor x) {
        return x.tanh();
    }

    @Override
    protected String extraRepr() {
        return "";
    }
}
