package dev.machina.nn;

import dev.machina.nn.init.Init;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Shape;
import dev.machina.tensor.Tensor;

/**
 * Shared body of the single-step cells {@link RNNCell}, {@link LSTMCell} and {@link GRUCell},
 * as PyTorch's {@code RNNCellBase}: parameters {@code weight_ih} [G·H, I], {@code weight_hh}
 * [G·H, H], {@code bias_ih} [G·H], {@code bias_hh} [G·H], initialised U(−1/√H, 1/√H). Input
 * [B, I], states [B, H]. A step is the fused recurrence of {@link FusedRecurrence} run for one
 * time step.
 */
public abstract sealed class RNNCellBase extends Module permits RNNCell, LSTMCell, GRUCell {
    private final FusedRecurrence.Cell cell;
    private final int inputSize, hiddenSize;
    private final Tensor wIh, wHh, bIh, bHh;

    RNNCellBase(FusedRecurrence.Cell cell, int inputSize, int hiddenSize, boolean bias, Rng rng) {
        if (inputSize <= 0 || hiddenSize <= 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": input_size and hidden_size must be positive, got "
                    + inputSize + " and " + hiddenSize);
        }
        this.cell = cell;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        int g = cell.gates * hiddenSize;
        wIh = registerParameter("weight_ih", Tensor.zeros(g, inputSize));
        wHh = registerParameter("weight_hh", Tensor.zeros(g, hiddenSize));
        bIh = bias ? registerParameter("bias_ih", Tensor.zeros(g)) : null;
        bHh = bias ? registerParameter("bias_hh", Tensor.zeros(g)) : null;
        resetParameters(rng);
    }

    /** Re-initialises every weight and bias U(−1/√H, 1/√H), in registration order, as PyTorch. */
    public final void resetParameters(Rng rng) {
        double stdv = 1.0 / Math.sqrt(hiddenSize);
        for (Tensor p : parameters()) Init.uniform(p, -stdv, stdv, rng);
    }

    public final int inputSize() {
        return inputSize;
    }

    public final int hiddenSize() {
        return hiddenSize;
    }

    /** The one-step result (see {@link FusedRecurrence}); h and c may be null (zeros). */
    final FusedRecurrence.Parts step(Tensor x, Tensor h, Tensor c) {
        String what = kind() + "(" + inputSize + ", " + hiddenSize + ")";
        if (x.rank() != 2 || x.shape(1) != inputSize) {
            throw inputError(what, "expected input [B, " + inputSize + "], got " + Shape.str(x.shape()));
        }
        int bsz = x.shape(0);
        for (Tensor s : new Tensor[] {h, c}) {
            if (s != null && (s.rank() != 2 || s.shape(0) != bsz || s.shape(1) != hiddenSize)) {
                throw inputError(what, "expected state [" + bsz + ", " + hiddenSize + "], got " + Shape.str(s.shape()));
            }
        }
        int[] one = new int[bsz];
        java.util.Arrays.fill(one, 1);
        return FusedRecurrence.parts(cell, x.reshape(bsz, 1, inputSize), h, c, wIh, wHh, bIh, bHh, one, false);
    }

    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize + (bIh == null ? ", bias=False" : "");
    }
}
