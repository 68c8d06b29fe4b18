package dev.machina.nn;

import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;

/** One step of a GRU, as {@code torch.nn.GRUCell} (gates r, z, n; see {@link GRU}). */
public final class GRUCell extends RNNCellBase {

    /** With bias, initialised from {@link Rng#global()}. */
    public GRUCell(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, true, Rng.global());
    }

    public GRUCell(int inputSize, int hiddenSize, boolean bias, Rng rng) {
        super(FusedRecurrence.Cell.GRU, inputSize, hiddenSize, bias, rng);
    }

    /** h' from a zero state. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null);
    }

    /** h' [B, H] from x [B, I] and h [B, H] (null for zeros). */
    public Tensor forward(Tensor x, Tensor h) {
        return step(x, h, null).hn();
    }
}
