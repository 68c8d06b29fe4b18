package dev.machina.nn;

import dev.machina.tensor.Tensor;

/** max(x, 0), as {@code torch.nn.ReLU}. */
public final class ReLU extends Module {

    @Override
    public Tensor forward(Tensor x) {
        return x.relu();
    }

    @Override
    protected String extraRepr() {
        return "";
    }
}
