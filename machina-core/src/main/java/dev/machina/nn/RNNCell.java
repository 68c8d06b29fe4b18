package dev.machina.nn;

import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;

/** One step of an Elman RNN, as {@code torch.nn.RNNCell}: h' = act(W_ih x + b_ih + W_hh h + b_hh). */
public final class RNNCell extends RNNCellBase {
    private final RNN.Nonlinearity nonlinearity;

    /** tanh, with bias, initialised from {@link Rng#global()}. */
    public RNNCell(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, true, RNN.Nonlinearity.TANH, Rng.global());
    }

    public RNNCell(int inputSize, int hiddenSize, boolean bias, RNN.Nonlinearity nonlinearity, Rng rng) {
        super(RNN.cellOf(nonlinearity), inputSize, hiddenSize, bias, rng);
        this.nonlinearity = nonlinearity;
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

    @Override
    protected String extraRepr() {
        return super.extraRepr() + (nonlinearity == RNN.Nonlinearity.RELU ? ", nonlinearity='relu'" : "");
    }
}
