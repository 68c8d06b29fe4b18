package dev.machina.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.machina.nn.RecurrentReference.Kind;
import dev.machina.tensor.GradCheck;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused recurrent layers against (1) the same layers composed from primitive ops
 * ({@link RecurrentReference}): outputs, final states and every gradient; and (2) finite
 * differences ({@link GradCheck}) of the output sequence and final states with respect to the
 * input, the initial states and every parameter.
 */
class RecurrentLayersTest {
    static final int B = 3, T = 4, I = 3, H = 3;
    static final int[] LENGTHS = {4, 2, 1};

    /** One configuration of a layer under test. */
    record Case(Kind kind, int layers, boolean bidirectional, boolean bias, boolean batchFirst, boolean lengths,
                boolean states, double dropout) {
        RNNBase build(long seed) {
            RnnConfig cfg = RnnConfig.of(I, H).layers(layers).bidirectional(bidirectional).bias(bias).batchFirst(batchFirst).dropout(dropout);
            Rng r = new Rng(seed);
            return switch (kind) {
                case LSTM -> new LSTM(cfg, r);
                case GRU -> new GRU(cfg, r);
                case RNN_TANH -> new RNN(cfg, RNN.Nonlinearity.TANH, r);
                case RNN_RELU -> new RNN(cfg, RNN.Nonlinearity.RELU, r);
            };
        }

        @Override
        public String toString() {
            return kind + " layers=" + layers + (bidirectional ? " bidirectional" : "") + (bias ? "" : " no-bias")
                    + (batchFirst ? "" : " time-major") + (lengths ? " lengths" : "") + (states ? " h0/c0" : "")
                    + (dropout > 0 ? " dropout=" + dropout : "");
        }
    }

    static Stream<Case> cases() {
        List<Case> out = new ArrayList<>();
        for (Kind k : Kind.values()) {
            out.add(new Case(k, 1, false, true, true, false, false, 0));
            out.add(new Case(k, 2, true, true, true, false, false, 0));
            out.add(new Case(k, 2, true, true, true, true, true, 0));
            out.add(new Case(k, 2, true, false, true, true, false, 0));
            out.add(new Case(k, 1, true, true, false, true, true, 0));
            out.add(new Case(k, 2, false, true, true, true, true, 0.4));
        }
        return out.stream();
    }

    static Stream<Case> smoothCases() {
        return cases().filter(c -> c.kind() != Kind.RNN_RELU);
    }

    /** Input and optional states for a case, all requiring grad. */
    record Inputs(Tensor x, Tensor h0, Tensor c0, int[] lengths) {
        static Inputs of(Case c, RNNBase m) {
            Rng r = new Rng(77);
            int n = c.layers() * m.config().directions();
            Tensor x = (c.batchFirst() ? Tensor.randn(r, B, T, I) : Tensor.randn(r, T, B, I)).requiresGrad(true);
            Tensor h0 = c.states() ? Tensor.randn(r, n, B, H).mul(0.5f).detach().requiresGrad(true) : null;
            Tensor c0 = c.states() && c.kind() == Kind.LSTM ? Tensor.randn(r, n, B, H).detach().requiresGrad(true) : null;
            return new Inputs(x, h0, c0, c.lengths() ? LENGTHS : null);
        }

        List<Tensor> list(RNNBase m) {
            List<Tensor> l = new ArrayList<>();
            l.add(x);
            if (h0 != null) l.add(h0);
            if (c0 != null) l.add(c0);
            l.addAll(m.parameters());
            return l;
        }
    }

    /** Output, h and c flattened into one vector (so one backward reaches all three). */
    static Tensor flat(RnnOutput o) {
        List<Tensor> parts = new ArrayList<>();
        parts.add(o.output().reshape(o.output().size()));
        parts.add(o.h().reshape(o.h().size()));
        if (o.c() != null) parts.add(o.c().reshape(o.c().size()));
        return Tensor.concat(parts, 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fusedMatchesPrimitiveComposition(Case c) {
        RNNBase m = c.build(3);
        Inputs in = Inputs.of(c, m);
        List<Tensor> wrt = in.list(m);

        m.setRng(new Rng(7));
        RnnOutput fused = m.run(in.x(), in.h0(), in.c0(), in.lengths());
        RnnOutput ref = RecurrentReference.run(m, in.x(), in.h0(), in.c0(), in.lengths(), new Rng(7));
        assertThat(fused.output().shape()).containsExactly(ref.output().shape());
        assertThat(fused.h().shape()).containsExactly(c.layers() * m.config().directions(), B, H);
        assertThat(fused.c() == null).isEqualTo(c.kind() != Kind.LSTM);
        Tensor ff = flat(fused), rf = flat(ref);
        assertClose(ff.data(), rf.data(), 1e-5, "forward");

        Tensor proj = Tensor.randn(new Rng(11), ff.size());
        ff.backward(proj);
        List<float[]> gFused = new ArrayList<>();
        for (Tensor t : wrt) {
            assertThat(t.grad()).as("gradient of input %d", gFused.size()).isNotNull();
            gFused.add(t.grad().toArray());
            t.setGrad(null);
        }
        rf.backward(proj);
        for (int i = 0; i < wrt.size(); i++) assertClose(gFused.get(i), wrt.get(i).grad().data(), 2e-5, "gradient of input " + i);
    }

    /**
     * The LSTM at sizes its time loops cut into pieces: 37 sequences (two chunks of 16 and one
     * of 5), I + H = 160 and 4H = 524 (two K blocks of the backward's step product), 131 units; both directions, lengths, states.
     */
    @Test
    void lstmMatchesCompositionAtSizesCutIntoChunksAndBlocks() {
        int bsz = 37, tLen = 4, in = 29, hid = 131;
        LSTM m = new LSTM(RnnConfig.of(in, hid).bidirectional(true), new Rng(3));
        Rng r = new Rng(5);
        Tensor x = Tensor.randn(r, bsz, tLen, in).requiresGrad(true);
        Tensor h0 = Tensor.randn(r, 2, bsz, hid).mul(0.5f).detach().requiresGrad(true);
        Tensor c0 = Tensor.randn(r, 2, bsz, hid).detach().requiresGrad(true);
        int[] len = new int[bsz];
        for (int b = 0; b < bsz; b++) len[b] = 1 + r.nextInt(tLen);
        matchesComposition(m, x, h0, c0, len, "LSTM");
    }

    /** The layer's fused run against the composition of primitives: outputs, then the gradient of every input and parameter. */
    static void matchesComposition(RNNBase m, Tensor x, Tensor h0, Tensor c0, int[] len, String what) {
        List<Tensor> wrt = new ArrayList<>(List.of(x));
        if (h0 != null) wrt.add(h0);
        if (c0 != null) wrt.add(c0);
        wrt.addAll(m.parameters());
        Tensor ff = flat(m.run(x, h0, c0, len)), rf = flat(RecurrentReference.run(m, x, h0, c0, len, new Rng(7)));
        assertClose(ff.data(), rf.data(), 1e-5, what + " forward");
        Tensor proj = Tensor.randn(new Rng(11), ff.size());
        ff.backward(proj);
        List<float[]> gFused = new ArrayList<>();
        for (Tensor t : wrt) {
            gFused.add(t.grad().toArray());
            t.setGrad(null);
        }
        rf.backward(proj);
        for (int i = 0; i < wrt.size(); i++) assertClose(gFused.get(i), wrt.get(i).grad().data(), 1e-4, what + " gradient of input " + i);
    }

    /**
     * RNN and GRU at sizes their time loops cut into chunks (37 sequences: 16, 16 and 5), both
     * directions, lengths and h0: the fused op against the composition of primitives, forward and
     * gradients.
     */
    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"GRU", "RNN_TANH", "RNN_RELU"})
    void rnnAndGruMatchCompositionWithSeveralChunks(Kind kind) {
        int bsz = 37, tLen = 5, in = 6, hid = 9;
        RnnConfig cfg = RnnConfig.of(in, hid).bidirectional(true);
        RNNBase m = switch (kind) {
            case GRU -> new GRU(cfg, new Rng(3));
            case RNN_TANH -> new RNN(cfg, RNN.Nonlinearity.TANH, new Rng(3));
            default -> new RNN(cfg, RNN.Nonlinearity.RELU, new Rng(3));
        };
        Rng r = new Rng(5);
        Tensor x = Tensor.randn(r, bsz, tLen, in).requiresGrad(true);
        Tensor h0 = Tensor.randn(r, 2, bsz, hid).mul(0.5f).detach().requiresGrad(true);
        int[] len = new int[bsz];
        for (int b = 0; b < bsz; b++) len[b] = 1 + r.nextInt(tLen);
        matchesComposition(m, x, h0, null, len, kind.toString());
    }

    /** Finite differences of the GRU with several chunks of sequences (33: 16, 16 and 1), lengths and h0. */
    @Test
    void gruGradcheckWithSeveralChunks() {
        GRU m = new GRU(RnnConfig.of(3, 4), new Rng(4));
        Rng r = new Rng(6);
        Tensor x = Tensor.randn(r, 33, 3, 3).requiresGrad(true);
        Tensor h0 = Tensor.randn(r, 1, 33, 4).mul(0.5f).detach().requiresGrad(true);
        int[] len = new int[33];
        for (int b = 0; b < 33; b++) len[b] = 1 + r.nextInt(3);
        List<Tensor> wrt = new ArrayList<>(List.of(x, h0));
        wrt.addAll(m.parameters());
        assertThat(GradCheck.check(l -> flat(m.run(x, h0, null, len)), wrt)).isEmpty();
    }

    /** Finite differences of the LSTM with several chunks of sequences (33: 16, 16 and 1). */
    @Test
    void lstmGradcheckWithSeveralChunks() {
        LSTM m = new LSTM(RnnConfig.of(3, 5), new Rng(4));
        Rng r = new Rng(6);
        Tensor x = Tensor.randn(r, 33, 3, 3).requiresGrad(true);
        int[] len = new int[33];
        for (int b = 0; b < 33; b++) len[b] = 1 + r.nextInt(3);
        List<Tensor> wrt = new ArrayList<>(List.of(x));
        wrt.addAll(m.parameters());
        assertThat(GradCheck.check(l -> flat(m.run(x, null, null, len)), wrt)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smoothCases")
    void gradcheck(Case c) {
        RNNBase m = c.build(5);
        Inputs in = Inputs.of(c, m);
        var bad = GradCheck.check(l -> {
            m.setRng(new Rng(9)); // the same dropout mask for every evaluation
            return flat(m.run(in.x(), in.h0(), in.c0(), in.lengths()));
        }, in.list(m));
        assertThat(bad).as(c.toString()).isEmpty();
    }

    /**
     * A loss of the LSTM's output sequence alone, of h_n alone or of c_n alone (h_n and c_n are
     * ops of their own whose gradients the sequence's backward takes): each reaches every input,
     * as finite differences say, and bit for bit as the same loss through all three at once.
     */
    @Test
    void eachLstmPartAloneCarriesItsGradient() {
        Case c = new Case(Kind.LSTM, 2, true, true, true, true, true, 0);
        RNNBase m = c.build(6);
        Inputs in = Inputs.of(c, m);
        List<Tensor> wrt = in.list(m);
        for (int part = 0; part < 3; part++) {
            int which = part;
            java.util.function.Function<List<Tensor>, Tensor> pick = l -> {
                RnnOutput o = m.run(in.x(), in.h0(), in.c0(), in.lengths());
                return (which == 0 ? o.output() : which == 1 ? o.h() : o.c()).reshape(-1);
            };
            assertThat(GradCheck.check(pick, wrt)).as("part %d", part).isEmpty();
            // the same loss through all three parts (zero weight on the other two): the same bits
            Rng r = new Rng(5);
            for (Tensor t : wrt) t.setGrad(null);
            Tensor alone = pick.apply(wrt);
            Tensor weights = Tensor.randn(r, alone.shape());
            alone.backward(weights);
            List<float[]> expected = new ArrayList<>();
            for (Tensor t : wrt) expected.add(t.grad().toArray());
            for (Tensor t : wrt) t.setGrad(null);
            RnnOutput o = m.run(in.x(), in.h0(), in.c0(), in.lengths());
            Tensor all = flat(o);
            float[] g = new float[all.size()];
            int at = part == 0 ? 0 : part == 1 ? o.output().size() : o.output().size() + o.h().size();
            System.arraycopy(weights.data(), 0, g, at, weights.size());
            all.backward(Tensor.of(g, all.size()));
            for (int i = 0; i < wrt.size(); i++) assertThat(wrt.get(i).grad().toArray()).as("part %d, input %d", part, i).containsExactly(expected.get(i));
        }
    }

    static void assertClose(float[] a, float[] e, double tol, String what) {
        assertThat(a).hasSameSizeAs(e);
        for (int i = 0; i < a.length; i++) {
            assertThat((double) a[i]).as("%s [%d]", what, i).isCloseTo(e[i], within(tol * Math.max(1, Math.abs(e[i]))));
        }
    }

    // ---------------------------------------------------------------- cells

    static RNNCellBase cell(Kind k, boolean bias, long seed) {
        Rng r = new Rng(seed);
        return switch (k) {
            case LSTM -> new LSTMCell(I, H, bias, r);
            case GRU -> new GRUCell(I, H, bias, r);
            case RNN_TANH -> new RNNCell(I, H, bias, RNN.Nonlinearity.TANH, r);
            case RNN_RELU -> new RNNCell(I, H, bias, RNN.Nonlinearity.RELU, r);
        };
    }

    /** {h', c'} of a cell through its public API (c' null unless LSTM). */
    static Tensor[] step(RNNCellBase cell, Tensor x, Tensor h, Tensor c) {
        if (cell instanceof LSTMCell l) {
            LSTMCell.State s = l.forward(x, h, c);
            return new Tensor[] {s.h(), s.c()};
        }
        if (cell instanceof GRUCell g) return new Tensor[] {g.forward(x, h), null};
        return new Tensor[] {((RNNCell) cell).forward(x, h), null};
    }

    static Stream<Object[]> cellCases() {
        List<Object[]> out = new ArrayList<>();
        for (Kind k : Kind.values()) for (boolean bias : new boolean[] {true, false}) for (boolean states : new boolean[] {true, false}) out.add(new Object[] {k, bias, states});
        return out.stream();
    }

    @ParameterizedTest(name = "{0} bias={1} states={2}")
    @MethodSource("cellCases")
    void cellsMatchCompositionAndGradcheck(Kind k, boolean bias, boolean states) {
        RNNCellBase cell = cell(k, bias, 4);
        Rng r = new Rng(8);
        Tensor x = Tensor.randn(r, B, I).requiresGrad(true);
        Tensor h = states ? Tensor.randn(r, B, H).requiresGrad(true) : null;
        Tensor c = states && k == Kind.LSTM ? Tensor.randn(r, B, H).requiresGrad(true) : null;
        var p = cell.namedParameters();
        Tensor[] fused = step(cell, x, h, c);
        Tensor[] ref = RecurrentReference.cell(k, x, h == null ? Tensor.zeros(B, H) : h, c == null ? Tensor.zeros(B, H) : c,
                p.get("weight_ih"), p.get("weight_hh"), p.get("bias_ih"), p.get("bias_hh"));
        assertThat(fused[0].shape()).containsExactly(B, H);
        assertClose(fused[0].data(), ref[0].data(), 1e-5, "h'");
        if (k == Kind.LSTM) assertClose(fused[1].data(), ref[1].data(), 1e-5, "c'");

        List<Tensor> wrt = new ArrayList<>(List.of(x));
        if (h != null) wrt.add(h);
        if (c != null) wrt.add(c);
        wrt.addAll(cell.parameters());
        if (k == Kind.RNN_RELU) return; // kinks: covered by the composition comparison above
        var bad = GradCheck.check(l -> {
            Tensor[] o = step(cell, x, h, c);
            return o[1] == null ? o[0] : Tensor.concat(List.of(o[0], o[1]), 1);
        }, wrt);
        assertThat(bad).isEmpty();
    }

    // ---------------------------------------------------------------- lengths, last output, dropout, errors

    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Kind.class)
    void paddedStepsChangeNothingAndEachSequenceRunsAsIfAlone(Kind k) {
        RNNBase m = new Case(k, 2, true, true, true, true, false, 0).build(21);
        Tensor x = Tensor.randn(new Rng(1), B, T, I);
        RnnOutput batched;
        try (var s = Tensor.noGrad()) {
            batched = m.run(x, null, null, LENGTHS);
            // Garbage in the padded steps changes nothing.
            Tensor x2 = x.copy();
            for (int b = 0; b < B; b++) for (int t = LENGTHS[b]; t < T; t++) for (int i = 0; i < I; i++) x2.data()[(b * T + t) * I + i] = 100f + t;
            RnnOutput again = m.run(x2, null, null, LENGTHS);
            assertThat(again.output().data()).containsExactly(batched.output().data());
            assertThat(again.h().data()).containsExactly(batched.h().data());
            for (int b = 0; b < B; b++) {
                int len = LENGTHS[b];
                // Outputs at padded steps are exactly zero.
                for (int t = len; t < T; t++) for (int j = 0; j < 2 * H; j++) assertThat(batched.output().get(b, t, j)).isZero();
                // The sequence alone, cut to its length, gives the same outputs and final states.
                Tensor alone = x.narrow(0, b, 1).narrow(1, 0, len);
                RnnOutput single = m.run(alone);
                for (int t = 0; t < len; t++) {
                    for (int j = 0; j < 2 * H; j++) {
                        assertThat(batched.output().get(b, t, j)).isCloseTo(single.output().get(0, t, j), within(1e-6f));
                    }
                }
                for (int l = 0; l < 4; l++) for (int j = 0; j < H; j++) assertThat(batched.h().get(l, b, j)).isCloseTo(single.h().get(l, 0, j), within(1e-6f));
                if (k == Kind.LSTM) {
                    for (int l = 0; l < 4; l++) for (int j = 0; j < H; j++) assertThat(batched.c().get(l, b, j)).isCloseTo(single.c().get(l, 0, j), within(1e-6f));
                }
            }
        }
    }

    /**
     * LastStep (and lastOutput) on an LSTM's own output sequence that read every sequence whole is
     * its h_n, as an op whose gradient goes to the LSTM's backward as h_n's does (no gradient of the
     * whole sequence): the values and every gradient are the bits of selecting the last step of the
     * sequence, alone and with a loss of the sequence too; a gradient check agrees. A padded batch,
     * a reverse direction or a copy of the sequence take the selection.
     */
    @Test
    void lastStepOfAnLstmIsItsFinalStateWithTheSameBits() {
        int b = 5, t = 6, in = 4, hid = 9;
        for (int layers = 1; layers <= 2; layers++) {
            LSTM m = new LSTM(RnnConfig.of(in, hid).layers(layers), new Rng(11));
            Tensor x = Tensor.randn(new Rng(12), b, t, in).requiresGrad(true);
            List<Tensor> wrt = new ArrayList<>(m.parameters());
            wrt.add(x);
            Tensor weights = Tensor.randn(new Rng(13), b, hid), seqWeights = Tensor.randn(new Rng(14), b, t, hid);
            for (int withSeq = 0; withSeq < 2; withSeq++) {
                List<float[]> expected = new ArrayList<>(), got = new ArrayList<>();
                for (int path = 0; path < 2; path++) {
                    for (Tensor p : wrt) p.setGrad(null);
                    Tensor out = m.forward(x);
                    int[] rows = new int[b];
                    for (int i = 0; i < b; i++) rows[i] = i * t + t - 1;
                    Tensor last = path == 0 ? out.reshape(b * t, hid).indexSelect(0, rows) : new LastStep(1).forward(out);
                    if (path == 1) assertThat(last.op()).isEqualTo("lstm_last_step");
                    if (path == 1) assertThat(m.lastOutput(out, null).op()).isEqualTo("lstm_last_step");
                    Tensor loss = last.mul(weights).sum();
                    if (withSeq == 1) loss = loss.add(out.mul(seqWeights).sum());
                    loss.backward();
                    List<float[]> into = path == 0 ? expected : got;
                    into.add(last.toArray());
                    for (Tensor p : wrt) into.add(p.grad().toArray());
                }
                for (int i = 0; i < expected.size(); i++) {
                    assertThat(got.get(i)).as("layers %d, with the sequence %d, array %d", layers, withSeq, i).containsExactly(expected.get(i));
                }
            }
            assertThat(GradCheck.check(l -> new LastStep(1).forward(m.forward(x)).reshape(-1), wrt)).isEmpty();
        }
        LSTM m = new LSTM(RnnConfig.of(in, hid), new Rng(11));
        Tensor x = Tensor.randn(new Rng(12), b, t, in);
        assertThat(new LastStep(1).forward(m.run(x, null, null, new int[] {6, 6, 5, 6, 6}).output()).op()).isEqualTo("index_select");
        assertThat(new LastStep(1).forward(m.forward(x).mul(1f)).op()).isEqualTo("index_select");
        LSTM bi = new LSTM(RnnConfig.of(in, hid).bidirectional(true), new Rng(11));
        assertThat(new LastStep(2).forward(bi.forward(x)).op()).isEqualTo("concat");
        // no step: no last output (not h0 through the h_n link)
        Tensor none = m.forward(Tensor.zeros(b, 0, in));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LastStep(1).forward(none)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no step (T = 0)");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.lastOutput(none, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no step (T = 0)");
    }

    /** A loss of both h_n and LastStep's h_n (two ops adding into one state gradient): the bits of selecting the last step instead. */
    @Test
    void hnAndLastStepTogetherAddTheirGradients() {
        int b = 5, t = 6, in = 4, hid = 9;
        LSTM m = new LSTM(RnnConfig.of(in, hid), new Rng(21));
        Tensor x = Tensor.randn(new Rng(22), b, t, in).requiresGrad(true);
        List<Tensor> wrt = new ArrayList<>(m.parameters());
        wrt.add(x);
        Tensor w1 = Tensor.randn(new Rng(23), 1, b, hid), w2 = Tensor.randn(new Rng(24), b, hid);
        List<List<float[]>> grads = new ArrayList<>();
        for (int path = 0; path < 2; path++) {
            for (Tensor p : wrt) p.setGrad(null);
            RnnOutput o = m.run(x, null, null, null);
            int[] rows = new int[b];
            for (int i = 0; i < b; i++) rows[i] = i * t + t - 1;
            Tensor last = path == 0 ? o.output().reshape(b * t, hid).indexSelect(0, rows) : new LastStep(1).forward(o.output());
            assertThat(last.op()).isEqualTo(path == 0 ? "index_select" : "lstm_last_step");
            o.h().mul(w1).sum().add(last.mul(w2).sum()).backward();
            List<float[]> g = new ArrayList<>();
            for (Tensor p : wrt) g.add(p.grad().toArray());
            grads.add(g);
        }
        for (int i = 0; i < wrt.size(); i++) assertThat(grads.get(1).get(i)).as("array %d", i).containsExactly(grads.get(0).get(i));
        assertThat(GradCheck.check(l -> {
            RnnOutput o = m.run(x, null, null, null);
            return Tensor.concat(List.of(o.h().reshape(b, hid), new LastStep(1).forward(o.output())), 1).reshape(-1);
        }, wrt)).isEmpty();
    }

    @Test
    void lastOutputPicksForwardAtLastValidStepAndReverseAtStepZero() {
        LSTM m = new LSTM(RnnConfig.of(I, H).layers(2).bidirectional(true), new Rng(2));
        Tensor x = Tensor.randn(new Rng(3), B, T, I).requiresGrad(true);
        RnnOutput o = m.run(x, null, null, LENGTHS);
        Tensor last = m.lastOutput(o.output(), LENGTHS);
        assertThat(last.shape()).containsExactly(B, 2 * H);
        for (int b = 0; b < B; b++) {
            for (int j = 0; j < H; j++) {
                assertThat(last.get(b, j)).isEqualTo(o.output().get(b, LENGTHS[b] - 1, j));
                assertThat(last.get(b, H + j)).isEqualTo(o.output().get(b, 0, H + j));
                // These are the last layer's final states (h index 2 = layer 1 forward, 3 = layer 1 reverse).
                assertThat(last.get(b, j)).isEqualTo(o.h().get(2, b, j));
                assertThat(last.get(b, H + j)).isEqualTo(o.h().get(3, b, j));
            }
        }
        last.sum().backward();
        assertThat(x.grad()).isNotNull();
        // Without lengths: every sequence's last step.
        Tensor full = m.lastOutput(o.output(), null);
        assertThat(full.get(1, 0)).isEqualTo(o.output().get(1, T - 1, 0));
        // Time-major layout is honoured.
        LSTM tm = new LSTM(RnnConfig.of(I, H).batchFirst(false), new Rng(2));
        Tensor y = tm.forward(Tensor.randn(new Rng(3), T, B, I));
        assertThat(y.shape()).containsExactly(T, B, H);
        assertThat(tm.lastOutput(y, LENGTHS).get(1, 2)).isEqualTo(y.get(LENGTHS[1] - 1, 1, 2));
    }

    @Test
    void dropoutOnlyBetweenLayersAndOnlyInTraining() {
        Tensor x = Tensor.randn(new Rng(4), B, T, I);
        try (var s = Tensor.noGrad()) {
            // One layer: dropout has no place to act (not after the last layer).
            GRU one = new GRU(RnnConfig.of(I, H).dropout(0.9), new Rng(1));
            GRU oneNoDrop = new GRU(RnnConfig.of(I, H), new Rng(1));
            assertThat(one.forward(x).data()).containsExactly(oneNoDrop.forward(x).data());
            // Two layers: training differs from eval, is reproducible from the module generator.
            GRU two = new GRU(RnnConfig.of(I, H).layers(2).dropout(0.5), new Rng(1));
            two.setRng(new Rng(5));
            float[] a = two.forward(x).toArray();
            two.setRng(new Rng(5));
            float[] b = two.forward(x).toArray();
            two.setRng(new Rng(6));
            float[] c = two.forward(x).toArray();
            assertThat(b).containsExactly(a);
            assertThat(c).isNotEqualTo(a);
            two.eval();
            float[] e1 = two.forward(x).toArray();
            two.setRng(new Rng(8));
            assertThat(two.forward(x).data()).containsExactly(e1);
            assertThat(e1).isNotEqualTo(a);
        }
    }

    @Test
    void defaultsInitAndRepr() {
        LSTM m = new LSTM(RnnConfig.of(5, 4).layers(2).bidirectional(true), new Rng(1));
        assertThat(m.config().batchFirst()).as("batch first by default (unlike PyTorch)").isTrue();
        assertThat(m.namedParameters().keySet()).containsExactly(
                "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
                "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
                "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse");
        assertThat(m.namedParameters().get("weight_ih_l1").shape()).containsExactly(16, 8);
        double bound = 1 / Math.sqrt(4);
        double maxAbs = 0;
        for (Tensor p : m.parameters()) for (float v : p.data()) maxAbs = Math.max(maxAbs, Math.abs(v));
        assertThat(maxAbs).isLessThanOrEqualTo(bound).isGreaterThan(0.9 * bound);
        assertThat(m.repr()).isEqualTo("LSTM(5, 4, num_layers=2, batch_first=True, bidirectional=True)");
        assertThat(new RNN(RnnConfig.of(2, 3), RNN.Nonlinearity.RELU, new Rng(1)).repr()).isEqualTo("RNN(2, 3, nonlinearity='relu', batch_first=True)");
        assertThat(new GRUCell(2, 3, false, new Rng(1)).repr()).isEqualTo("GRUCell(2, 3, bias=False)");
    }

    @Test
    void errorsNameTheLayerAndTheShapes() {
        Sequential seq = new Sequential(new LSTM(RnnConfig.of(5, 4), new Rng(1)));
        assertThatThrownBy(() -> seq.forward(Tensor.zeros(2, 3, 6)))
                .hasMessageContaining("LSTM(5, 4) at '0'").hasMessageContaining("[B, T, 5]").hasMessageContaining("[2, 3, 6]");
        LSTM m = new LSTM(RnnConfig.of(5, 4), new Rng(1));
        assertThatThrownBy(() -> m.run(Tensor.zeros(2, 3, 5), Tensor.zeros(1, 3, 4), null, null)).hasMessageContaining("expected h0 [1, 2, 4], got [1, 3, 4]");
        assertThatThrownBy(() -> m.run(Tensor.zeros(2, 3, 5), null, null, new int[] {3, 4})).hasMessageContaining("length 4 of sequence 1 is outside [1, 3]");
        assertThatThrownBy(() -> m.run(Tensor.zeros(2, 3, 5), null, null, new int[] {3})).hasMessageContaining("1 lengths for a batch of 2");
        GRU g = new GRU(RnnConfig.of(5, 4), new Rng(1));
        assertThatThrownBy(() -> g.run(Tensor.zeros(2, 3, 5), null, Tensor.zeros(1, 2, 4), null)).hasMessageContaining("c0 is only for LSTM");
        assertThatThrownBy(() -> new LSTMCell(3, 2).forward(Tensor.zeros(2, 4))).hasMessageContaining("expected input [B, 3], got [2, 4]");
        assertThatThrownBy(() -> RnnConfig.of(3, 0)).hasMessageContaining("hidden_size");
    }
}
