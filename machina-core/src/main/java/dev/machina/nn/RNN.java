package dev.machina.nn;

import dev.machina.tensor.Rng;

/**
 * A multi-layer Elman RNN, as {@code torch.nn.RNN}: h' = act(W_ih x + b_ih + W_hh h + b_hh)
 * with act tanh (the default) or relu. Inputs are batch first by default (see
 * {@link RnnConfig}).
 */
public final class RNN extends RNNBase {

    /** The non-linearity of an Elman cell. */
    public enum Nonlinearity {
        TANH, RELU
    }

    private final Nonlinearity nonlinearity;

    /** One layer, tanh, batch first, initialised from {@link Rng#global()}. */
    public RNN(int inputSize, int hiddenSize) {
        this(RnnConfig.of(inputSize, hiddenSize), Nonlinearity.TANH, Rng.global());
    }

    public RNN(RnnConfig config) {
        this(config, Nonlinearity.TANH, Rng.global());
    }

    public RNN(RnnConfig config, Nonlinearity nonlinearity, Rng rng) {
        super(cellOf(nonlinearity), config, rng);
        this.nonlinearity = nonlinearity;
    }

    static FusedRecurrence.Cell cellOf(Nonlinearity n) {
        if (n == null) throw new IllegalArgumentException("RNN: nonlinearity must be TANH or RELU, got null");
        return n == Nonlinearity.TANH ? FusedRecurrence.Cell.RNN_TANH : FusedRecurrence.Cell.RNN_RELU;
    }

    public Nonlinearity nonlinearity() {
        return nonlinearity;
    }

    @Override
    void extraNonlinearity(StringBuilder sb) {
        if (nonlinearity == Nonlinearity.RELU) sb.append(", nonlinearity='relu'");
    }
}
