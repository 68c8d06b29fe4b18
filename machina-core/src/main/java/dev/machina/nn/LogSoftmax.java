package dev.machina.nn;

import dev.machina.tensor.Tensor;

/** Log-softmax along a dimension, as {@code torch.nn.LogSoftmax(dim)} (stable). */
public final class LogSoftmax extends Module {
    private final int dim;

    public int dim() {
        return dim;
    }

    public LogSoftmax(int dim) {
        this.dim = dim;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.logSoftmax(dim);
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
