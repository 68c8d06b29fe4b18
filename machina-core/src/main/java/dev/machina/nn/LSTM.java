package dev.machina.nn;

import dev.machina.tensor.Rng;

/**
 * A multi-layer long short-term memory layer, as {@code torch.nn.LSTM} (without projections):
 * <pre>
 * i = σ(W_ii x + b_ii + W_hi h + b_hi)    f = σ(W_if x + b_if + W_hf h + b_hf)
 * g = tanh(W_ig x + b_ig + W_hg h + b_hg) o = σ(W_io x + b_io + W_ho h + b_ho)
 * c' = f ⊙ c + i ⊙ g                      h' = o ⊙ tanh(c')
 * </pre>
 * Weights stack the gates in the order i, f, g, o ({@code weight_ih_l0} [4H, I]). Inputs are
 * batch first by default (see {@link RnnConfig}); {@link #run} returns the output with h and c.
 */
public final class LSTM extends RNNBase {

    /** One layer, batch first, initialised from {@link Rng#global()}. */
    public LSTM(int inputSize, int hiddenSize) {
        this(RnnConfig.of(inputSize, hiddenSize), Rng.global());
    }

    public LSTM(RnnConfig config) {
        this(config, Rng.global());
    }

    public LSTM(RnnConfig config, Rng rng) {
        super(FusedRecurrence.Cell.LSTM, config, rng);
    }
}
