package dev.machina.nn;

import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The recurrent layers composed from primitive tensor ops (linear, narrow, sigmoid, tanh, relu,
 * mul, add, concat, stack), one step at a time, autograd doing the backward: the slow, obviously
 * right version the fused op is compared with.
 *
 * <p>Variable lengths by masking: at time t, sequence b updates only if t &lt; lengths[b]
 * (h = m·h' + (1−m)·h, output m·h'). The reverse direction walks t = T−1 … 0 with the same
 * mask, so its state stays at h0 until t reaches lengths[b]−1: it starts at the last valid step.
 */
final class RecurrentReference {
    private RecurrentReference() {}

    enum Kind { RNN_TANH, RNN_RELU, LSTM, GRU }

    static Kind kindOf(Module m) {
        if (m instanceof LSTM || m instanceof LSTMCell) return Kind.LSTM;
        if (m instanceof GRU || m instanceof GRUCell) return Kind.GRU;
        if (m instanceof RNN r) return r.nonlinearity() == RNN.Nonlinearity.TANH ? Kind.RNN_TANH : Kind.RNN_RELU;
        throw new IllegalArgumentException(m.repr());
    }

    /** One cell step from primitives: returns {h', c'} (c' null unless LSTM). */
    static Tensor[] cell(Kind kind, Tensor x, Tensor h, Tensor c, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        int hid = wHh.shape(1);
        Tensor gi = Tensor.linear(x, wIh, bIh), gh = Tensor.linear(h, wHh, bHh);
        switch (kind) {
            case LSTM -> {
                Tensor gates = gi.add(gh);
                Tensor i = gates.narrow(1, 0, hid).sigmoid(), f = gates.narrow(1, hid, hid).sigmoid();
                Tensor g = gates.narrow(1, 2 * hid, hid).tanh(), o = gates.narrow(1, 3 * hid, hid).sigmoid();
                Tensor c2 = f.mul(c).add(i.mul(g));
                return new Tensor[] {o.mul(c2.tanh()), c2};
            }
            case GRU -> {
                Tensor r = gi.narrow(1, 0, hid).add(gh.narrow(1, 0, hid)).sigmoid();
                Tensor z = gi.narrow(1, hid, hid).add(gh.narrow(1, hid, hid)).sigmoid();
                Tensor n = gi.narrow(1, 2 * hid, hid).add(r.mul(gh.narrow(1, 2 * hid, hid))).tanh();
                return new Tensor[] {z.neg().add(1f).mul(n).add(z.mul(h)), null};
            }
            case RNN_TANH -> {
                return new Tensor[] {gi.add(gh).tanh(), null};
            }
            default -> {
                return new Tensor[] {gi.add(gh).relu(), null};
            }
        }
    }

    /** The whole stack, as {@link RNNBase#run}; dropout draws from {@code dropoutRng} in the same order. */
    static RnnOutput run(RNNBase m, Tensor x, Tensor h0, Tensor c0, int[] lengths, Rng dropoutRng) {
        Kind kind = kindOf(m);
        RnnConfig cfg = m.config();
        Map<String, Tensor> p = m.namedParameters();
        int dirs = cfg.directions(), hid = cfg.hiddenSize();
        Tensor xb = cfg.batchFirst() ? x : x.transpose(0, 1);
        int bsz = xb.shape(0), tLen = xb.shape(1);
        List<Tensor> hs = new ArrayList<>(), cs = new ArrayList<>();
        Tensor layerIn = xb;
        for (int l = 0; l < cfg.numLayers(); l++) {
            List<Tensor> dirOuts = new ArrayList<>();
            for (int d = 0; d < dirs; d++) {
                int idx = l * dirs + d;
                String sfx = "_l" + l + (d == 1 ? "_reverse" : "");
                Tensor wIh = p.get("weight_ih" + sfx), wHh = p.get("weight_hh" + sfx), bIh = p.get("bias_ih" + sfx), bHh = p.get("bias_hh" + sfx);
                Tensor h = h0 == null ? Tensor.zeros(bsz, hid) : h0.narrow(0, idx, 1).reshape(bsz, hid);
                Tensor c = c0 == null ? Tensor.zeros(bsz, hid) : c0.narrow(0, idx, 1).reshape(bsz, hid);
                Tensor[] outs = new Tensor[tLen];
                for (int s = 0; s < tLen; s++) {
                    int t = d == 1 ? tLen - 1 - s : s;
                    float[] mk = new float[bsz];
                    for (int b = 0; b < bsz; b++) mk[b] = lengths == null || t < lengths[b] ? 1f : 0f;
                    Tensor mask = Tensor.of(mk, bsz, 1), keep = Tensor.of(mk.clone(), bsz, 1).neg().add(1f);
                    Tensor xt = layerIn.narrow(1, t, 1).reshape(bsz, layerIn.shape(2));
                    Tensor[] hc = cell(kind, xt, h, c, wIh, wHh, bIh, bHh);
                    outs[t] = hc[0].mul(mask);
                    h = hc[0].mul(mask).add(h.mul(keep));
                    if (hc[1] != null) c = hc[1].mul(mask).add(c.mul(keep));
                }
                dirOuts.add(Tensor.stack(List.of(outs), 1));
                hs.add(h);
                cs.add(c);
            }
            Tensor y = dirs == 1 ? dirOuts.get(0) : Tensor.concat(dirOuts, 2);
            if (l < cfg.numLayers() - 1 && m.isTraining() && cfg.dropout() > 0) y = y.dropout((float) cfg.dropout(), dropoutRng);
            layerIn = y;
        }
        Tensor out = cfg.batchFirst() ? layerIn : layerIn.transpose(0, 1);
        return new RnnOutput(out, Tensor.stack(hs, 0), kind == Kind.LSTM ? Tensor.stack(cs, 0) : null);
    }
}
