package dev.machina.nn;

import dev.machina.tensor.Shape;
import dev.machina.tensor.Tensor;

/** Merges dimensions startDim..endDim into one, as {@code torch.nn.Flatten} (defaults 1, -1). */
public final class Flatten extends Module {
    private final int startDim, endDim;

    public Flatten() {
        this(1, -1);
    }

    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    /** The first dimension merged (negative counts from the end). */
    public int startDim() {
        return startDim;
    }

    /** The last dimension merged (negative counts from the end). */
    public int endDim() {
        return endDim;
    }

    @Override
    public Tensor forward(Tensor x) {
        int r = x.rank();
        if (r == 0) return x.reshape(1);
        int s = startDim < 0 ? startDim + r : startDim, e = endDim < 0 ? endDim + r : endDim;
        if (s < 0 || e >= r || s > e) {
            throw inputError("Flatten(start_dim=" + startDim + ", end_dim=" + endDim + ")", "dimensions out of range for input " + Shape.str(x.shape()));
        }
        int[] sh = x.shape();
        int[] ns = new int[r - (e - s)];
        for (int i = 0, j = 0; i < r; i++) {
            if (i < s || i > e) ns[j++] = sh[i];
            else if (i == s) ns[j++] = Shape.prod(sh, s, e + 1);
        }
        return x.reshape(ns);
    }

    @Override
    protected String extraRepr() {
        return "start_dim=" + startDim + ", end_dim=" + endDim;
    }
}
