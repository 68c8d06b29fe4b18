package dev.machina.nn;

import dev.machina.nn.init.Init;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Shape;
import dev.machina.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Shared body of the multi-layer recurrent layers {@link RNN}, {@link LSTM} and {@link GRU}, as
 * PyTorch's {@code RNNBase}.
 *
 * <p>Parameters, registered in PyTorch's order and with its names and shapes, per layer l and
 * direction (suffix {@code _reverse} for the backward one): {@code weight_ih_l{l}} [G·H, in_l],
 * {@code weight_hh_l{l}} [G·H, H], {@code bias_ih_l{l}} [G·H], {@code bias_hh_l{l}} [G·H], where
 * G is 1 (RNN), 4 (LSTM, gates i, f, g, o) or 3 (GRU, gates r, z, n), in_0 = I and
 * in_l = H·directions. All are initialised U(−1/√H, 1/√H) in that order, as PyTorch's
 * {@code reset_parameters}, so a state dict moves between the two (e.g. via safetensors).
 *
 * <p>Each layer and direction is one fused op ({@link FusedRecurrence}); layers are joined by
 * ordinary tensor ops (concat of the two directions, dropout between layers, stack of the
 * final states).
 *
 * <p>{@link #forward(Tensor)} returns the output sequence only, as the single tensor a
 * {@link Module} returns; {@link #run} returns the output and the final states and takes
 * optional initial states and per-sequence lengths.
 */
public abstract sealed class RNNBase extends Module permits RNN, LSTM, GRU {
    private final FusedRecurrence.Cell cell;
    private final RnnConfig cfg;
    private final Tensor[] wIh, wHh, bIh, bHh; // indexed l·directions + d

    RNNBase(FusedRecurrence.Cell cell, RnnConfig cfg, Rng rng) {
        this.cell = cell;
        this.cfg = cfg;
        int dirs = cfg.directions(), n = cfg.numLayers() * dirs, g = cell.gates * cfg.hiddenSize();
        wIh = new Tensor[n];
        wHh = new Tensor[n];
        bIh = new Tensor[n];
        bHh = new Tensor[n];
        for (int l = 0; l < cfg.numLayers(); l++) {
            int in = l == 0 ? cfg.inputSize() : cfg.hiddenSize() * dirs;
            for (int d = 0; d < dirs; d++) {
                int i = l * dirs + d;
                String sfx = "_l" + l + (d == 1 ? "_reverse" : "");
                wIh[i] = registerParameter("weight_ih" + sfx, Tensor.zeros(g, in));
                wHh[i] = registerParameter("weight_hh" + sfx, Tensor.zeros(g, cfg.hiddenSize()));
                if (cfg.bias()) {
                    bIh[i] = registerParameter("bias_ih" + sfx, Tensor.zeros(g));
                    bHh[i] = registerParameter("bias_hh" + sfx, Tensor.zeros(g));
                }
            }
        }
        resetParameters(rng);
    }

    /** Re-initialises every weight and bias U(−1/√H, 1/√H), in registration order, as PyTorch. */
    public final void resetParameters(Rng rng) {
        double stdv = 1.0 / Math.sqrt(cfg.hiddenSize());
        for (Tensor p : parameters()) Init.uniform(p, -stdv, stdv, rng);
    }

    public final RnnConfig config() {
        return cfg;
    }

    /** The output sequence of {@link #run} with zero initial states and full lengths. */
    @Override
    public final Tensor forward(Tensor x) {
        return run(x, null, null, null, false).output();
    }

    /** The output and final states, zero initial states, full lengths. */
    public final RnnOutput run(Tensor x) {
        return run(x, null, null, null);
    }

    /**
     * Runs the whole stack.
     *
     * @param x       [B, T, I] (batch first) or [T, B, I]
     * @param h0      initial hidden states [layers·directions, B, H], or null for zeros
     * @param c0      initial cell states, same shape (LSTM only; must be null otherwise), or null
     * @param lengths valid steps of each sequence (length B, each in [1, T]), or null for all T.
     *                Padded steps change neither the states nor the outputs (zero there); the
     *                reverse direction starts at each sequence's last valid step, as with
     *                PyTorch's {@code pack_padded_sequence}.
     */
    public final RnnOutput run(Tensor x, Tensor h0, Tensor c0, int[] lengths) {
        return run(x, h0, c0, lengths, true);
    }

    /** {@link #run}; without {@code states} the final states are not stacked (h and c null). */
    private RnnOutput run(Tensor x, Tensor h0, Tensor c0, int[] lengths, boolean states) {
        int dirs = cfg.directions(), hid = cfg.hiddenSize(), layers = cfg.numLayers();
        if (x.rank() != 3 || x.shape(2) != cfg.inputSize()) {
            throw inputError(what(), "expected input " + (cfg.batchFirst() ? "[B, T, " : "[T, B, ") + cfg.inputSize() + "], got " + Shape.str(x.shape()));
        }
        Tensor xb = cfg.batchFirst() ? x : x.transpose(0, 1);
        int bsz = xb.shape(0), tLen = xb.shape(1);
        int[] len = checkLengths(lengths, bsz, tLen);
        int[] stateShape = {layers * dirs, bsz, hid};
        checkState("h0", h0, stateShape);
        if (cell != FusedRecurrence.Cell.LSTM && c0 != null) throw inputError(what(), "c0 is only for LSTM");
        checkState("c0", c0, stateShape);
        boolean lstm = cell == FusedRecurrence.Cell.LSTM;

        List<Tensor> hs = new ArrayList<>(), cs = new ArrayList<>();
        Tensor layerIn = xb;
        for (int l = 0; l < layers; l++) {
            List<Tensor> outs = new ArrayList<>(dirs);
            for (int d = 0; d < dirs; d++) {
                int i = l * dirs + d;
                Tensor hInit = h0 == null ? null : h0.narrow(0, i, 1).reshape(bsz, hid);
                Tensor cInit = c0 == null ? null : c0.narrow(0, i, 1).reshape(bsz, hid);
                FusedRecurrence.Parts p = FusedRecurrence.parts(cell, layerIn, hInit, cInit, wIh[i], wHh[i], bIh[i], bHh[i], len, d == 1);
                outs.add(p.output());
                hs.add(p.hn());
                if (lstm) cs.add(p.cn());
            }
            Tensor y = dirs == 1 ? outs.get(0) : Tensor.concat(outs, 2);
            if (l < layers - 1 && isTraining() && cfg.dropout() > 0) {
                y = cfg.dropout() >= 1 ? y.mul(0f) : y.dropout((float) cfg.dropout(), rng());
            }
            layerIn = y;
        }
        Tensor output = cfg.batchFirst() ? layerIn : layerIn.transpose(0, 1);
        if (!states) return new RnnOutput(output, null, null);
        return new RnnOutput(output, Tensor.stack(hs, 0), lstm ? Tensor.stack(cs, 0) : null);
    }

    /**
     * The last valid output of each sequence, [B, directions·H]: for the forward direction the
     * output at step lengths[b]−1, for the reverse direction the output at step 0 (where it
     * has read the whole sequence). Without lengths (null) every sequence has T steps. This is
     * the usual input of a classifier head.
     *
     * @param output the output of {@link #run} or {@link #forward}, in this layer's layout
     */
    public final Tensor lastOutput(Tensor output, int[] lengths) {
        int dirs = cfg.directions(), hid = cfg.hiddenSize();
        if (output.rank() != 3 || output.shape(2) != dirs * hid) {
            throw inputError(what(), "lastOutput: expected an output [.., .., " + dirs * hid + "], got " + Shape.str(output.shape()));
        }
        Tensor ob = cfg.batchFirst() ? output : output.transpose(0, 1);
        int bsz = ob.shape(0), tLen = ob.shape(1);
        if (tLen == 0) throw inputError(what(), "lastOutput: the output " + Shape.str(output.shape()) + " has no step (T = 0)");
        int[] len = checkLengths(lengths, bsz, tLen);
        if (dirs == 1 && cell == FusedRecurrence.Cell.LSTM) { // the LSTM's own output sequence, unpadded: its last step is its h_n
            boolean whole = true;
            for (int l : len) whole &= l == tLen;
            Tensor hn = whole ? FusedRecurrence.lastStepOf(ob) : null;
            if (hn != null) return hn;
        }
        Tensor rows = ob.reshape(bsz * tLen, dirs * hid);
        int[] last = new int[bsz];
        for (int b = 0; b < bsz; b++) last[b] = b * tLen + len[b] - 1;
        Tensor fw = rows.indexSelect(0, last);
        if (dirs == 1) return fw;
        int[] first = new int[bsz];
        for (int b = 0; b < bsz; b++) first[b] = b * tLen;
        Tensor bw = rows.indexSelect(0, first);
        return Tensor.concat(List.of(fw.narrow(1, 0, hid), bw.narrow(1, hid, hid)), 1);
    }

    private int[] checkLengths(int[] lengths, int bsz, int tLen) {
        if (lengths == null) {
            int[] len = new int[bsz];
            java.util.Arrays.fill(len, tLen);
            return len;
        }
        if (lengths.length != bsz) throw inputError(what(), lengths.length + " lengths for a batch of " + bsz);
        for (int b = 0; b < bsz; b++) {
            if (lengths[b] < 1 || lengths[b] > tLen) {
                throw inputError(what(), "length " + lengths[b] + " of sequence " + b + " is outside [1, " + tLen + "]");
            }
        }
        return lengths.clone();
    }

    private void checkState(String name, Tensor s, int[] expected) {
        if (s != null && !java.util.Arrays.equals(s.shape(), expected)) {
            throw inputError(what(), "expected " + name + " " + Shape.str(expected) + ", got " + Shape.str(s.shape()));
        }
    }

    private String what() {
        return kind() + "(" + cfg.inputSize() + ", " + cfg.hiddenSize() + ")";
    }

    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder().append(cfg.inputSize()).append(", ").append(cfg.hiddenSize());
        extraNonlinearity(sb);
        if (cfg.numLayers() != 1) sb.append(", num_layers=").append(cfg.numLayers());
        if (!cfg.bias()) sb.append(", bias=False");
        sb.append(", batch_first=").append(cfg.batchFirst() ? "True" : "False");
        if (cfg.dropout() != 0) sb.append(", dropout=").append(cfg.dropout());
        if (cfg.bidirectional()) sb.append(", bidirectional=True");
        return sb.toString();
    }

    void extraNonlinearity(StringBuilder sb) {}
}
