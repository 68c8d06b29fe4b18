package dev.machina.nn;

import dev.machina.tensor.Shape;
import dev.machina.tensor.Tensor;
import java.util.List;

/**
 * The last useful output of a recurrent layer's sequence {@code [B, T, D·H]} (batch first):
 * the forward direction's output at the last step and, for a bidirectional layer, the reverse
 * direction's output at step 0 (where it has read the whole sequence) — {@code [B, D·H]}, the
 * usual input of a classifier head ({@code out[:, -1, :]} in PyTorch for one direction).
 * It has no parameters. On an LSTM's own output sequence (forward, unpadded) the last step is
 * the LSTM's h_n, the same values, whose gradient reaches the LSTM without one of the whole sequence.
 */
public final class LastStep extends Module {
    private final int directions;

    public int directions() {
        return directions;
    }

    public LastStep(int directions) {
        if (directions != 1 && directions != 2) throw new IllegalArgumentException("directions must be 1 or 2, got " + directions);
        this.directions = directions;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 3 || x.shape(2) % directions != 0) {
            throw inputError("LastStep", "expected a sequence [B, T, " + (directions == 2 ? "2·H" : "H") + "], got " + Shape.str(x.shape()));
        }
        int b = x.shape(0), t = x.shape(1), w = x.shape(2), h = w / directions;
        if (t == 0) throw inputError("LastStep", "the sequence " + Shape.str(x.shape()) + " has no step (T = 0): there is no last output");
        if (directions == 1) { // an LSTM's own output sequence: its last step is its h_n
            Tensor hn = FusedRecurrence.lastStepOf(x);
            if (hn != null) return hn;
        }
        Tensor rows = x.reshape(b * t, w);
        int[] last = new int[b];
        for (int i = 0; i < b; i++) last[i] = i * t + t - 1;
        Tensor fw = rows.indexSelect(0, last);
        if (directions == 1) return fw;
        int[] first = new int[b];
        for (int i = 0; i < b; i++) first[i] = i * t;
        return Tensor.concat(List.of(fw.narrow(1, 0, h), rows.indexSelect(0, first).narrow(1, h, h)), 1);
    }

    @Override
    protected String extraRepr() {
        return "directions=" + directions;
    }
}
