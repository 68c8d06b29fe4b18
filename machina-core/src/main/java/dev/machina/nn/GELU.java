package dev.machina.nn;

import dev.machina.tensor.Tensor;

/** x·Φ(x) (exact form), as {@code torch.nn.GELU}. */
public final class GELU extends Module {

    @Override
    public Tensor forward(Tensor x) {
        return x.gelu();
    }

    @Override
    protected String extraRepr() {
        return "approximate='none'";
    }
}
