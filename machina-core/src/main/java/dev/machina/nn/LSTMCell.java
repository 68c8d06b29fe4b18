package dev.machina.nn;

import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;

/** One step of an LSTM, as {@code torch.nn.LSTMCell} (gates i, f, g, o; see {@link LSTM}). */
public final class LSTMCell extends RNNCellBase {

    /** The state after a step: hidden h' and cell c', each [B, H]. */
    public record State(Tensor h, Tensor c) {}

    /** With bias, initialised from {@link Rng#global()}. */
    public LSTMCell(int inputSize, int hiddenSize) {
        this(inputSize, hiddenSize, true, Rng.global());
    }

    public LSTMCell(int inputSize, int hiddenSize, boolean bias, Rng rng) {
        super(FusedRecurrence.Cell.LSTM, inputSize, hiddenSize, bias, rng);
    }

    /** h' from zero states (use {@link #forward(Tensor, Tensor, Tensor)} for c' too). */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null, null).h();
    }

    /** (h', c') from x [B, I], h [B, H] and c [B, H] (null for zeros). */
    public State forward(Tensor x, Tensor h, Tensor c) {
        FusedRecurrence.Parts p = step(x, h, c);
        return new State(p.hn(), p.cn());
    }
}
