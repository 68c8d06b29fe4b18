package dev.machina.nn;

import dev.machina.tensor.Rng;

/**
 * A multi-layer gated recurrent unit layer, as {@code torch.nn.GRU}:
 * <pre>
 * r = σ(W_ir x + b_ir + W_hr h + b_hr)    z = σ(W_iz x + b_iz + W_hz h + b_hz)
 * n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
 * h' = (1 − z) ⊙ n + z ⊙ h
 * </pre>
 * Weights stack the gates in the order r, z, n ({@code weight_ih_l0} [3H, I]); b_hn sits
 * inside the reset product, as PyTorch (and cuDNN) place it. Inputs are batch first by default
 * (see {@link RnnConfig}).
 */
public final class GRU extends RNNBase {

    /** One layer, batch first, initialised from {@link Rng#global()}. */
    public GRU(int inputSize, int hiddenSize) {
        this(RnnConfig.of(inputSize, hiddenSize), Rng.global());
    }

    public GRU(RnnConfig config) {
        this(config, Rng.global());
    }

    public GRU(RnnConfig config, Rng rng) {
        super(FusedRecurrence.Cell.GRU, config, rng);
    }
}
