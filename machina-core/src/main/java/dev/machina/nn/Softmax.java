package dev.machina.nn;

import dev.machina.tensor.Tensor;

/** Softmax along a dimension, as {@code torch.nn.Softmax(dim)}. */
public final class Softmax extends Module {
    private final int dim;

    public int dim() {
        return dim;
    }

    public Softmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.softmax(dim);
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
