package dev.machina.nn;

import dev.machina.kernel.KernelProvider;
import dev.machina.kernel.Kernels;
import dev.machina.kernel.Parallel;
import dev.machina.kernel.Recurrence;
import dev.machina.tensor.Tensor;

/**
 * One recurrent layer in one direction as a fused autograd op (for the LSTM, with h_n and c_n as
 * small ops on it): the forward through time and a hand-written backward through time. The layers ({@link RNN}, {@link LSTM},
 * {@link GRU}) and the cells ({@link RNNCell}, {@link LSTMCell}, {@link GRUCell}) are thin
 * wrappers around {@link #parts}.
 *
 * <p>The LSTM runs on {@link Recurrence}: the batch cut into chunks of sequences, each running
 * all its steps on one thread (one parallel hand-off for the time loop of a forward or backward), each step one
 * product [x_t | h]·[W_ih | W_hh]ᵀ against weights packed once per call followed by the gate
 * non-linearities and the cell update; after the backward loop dW_ih and dW_hh are one GEMM
 * over all steps. Its saved activations live in a pooled workspace, reused once the backward
 * has run.
 *
 * <p>RNN and GRU, for x [B, T, I] (batch first) and G = gates·H:
 * <ol>
 *   <li>the input projection of every time step in ONE GEMM: XG [B·T, G] = b_ih + X [B·T, I]·W_ihᵀ;</li>
 *   <li>the time loop with the batch cut into chunks of {@link #CHUNK} sequences, each running
 *       all its steps on one thread (one parallel region, no hand-off per step): per step s one
 *       product HG [rows, G] = b_hh + h [rows, H]·W_hhᵀ for the chunk against W_hhᵀ packed once
 *       per call ({@link Recurrence#stepProduct}, the LSTM's step product), then per sequence
 *       the cell: the gate non-linearities, the new state, and the saved gate activations (and,
 *       for GRU, W_hn·h + b_hn). The GRU cell is {@link Recurrence#gruCell} (vector lanes on the
 *       Vector API provider, the LSTM cell's way); the non-linearities are
 *       {@link dev.machina.kernel.FloatMath}'s polynomials, bit-identical at every JIT tier, so a
 *       seeded run is reproducible. The chunks are fixed by the batch size, so results do not
 *       depend on the thread count.</li>
 * </ol>
 * Variable lengths: sequence b is active for steps s &lt; lengths[b]; at step s it reads time
 * t = s (forward) or t = lengths[b]−1−s (reverse), so the reverse direction starts at each
 * sequence's last valid step. Inactive steps keep the state unchanged and write no output
 * (outputs at padded positions are zero, as {@code pad_packed_sequence} gives).
 *
 * <p>Their saved arrays (the input projection, the states, the gate activations, W_hn·h) and the
 * backward's gate gradients live in a pooled workspace ({@link Saved}), as the LSTM's, returned
 * to the pool when the backward has run.
 *
 * <p>Their backward walks the steps in reverse with the saved activations, chunk by chunk likewise:
 * per step the gate gradients, kept for every step, and one product (against W_hh packed once)
 * that sends them to the previous state of the chunk's sequences (dh = dG_h·W_hh). After the loop dW_hh = dG_hᵀ·h,
 * dX = dXG·W_ih and dW_ih = dXGᵀ·X are one GEMM each over all steps, and the bias gradients
 * are column sums.
 *
 * <p>Multiple outputs ({@link Parts}): for RNN and GRU the op returns ONE packed 1-D tensor
 * {@code [output B·T·H | h_n B·H]}, cut with {@code narrow}/{@code reshape}, whose own backward
 * rules add the pieces' gradients back into the packed gradient. The LSTM's output sequence is
 * the op's own result, in its own array (the sequence is most of the result, and cutting it out
 * of a packed array copied it forward and backward); h_n and c_n are two small ops on top of it
 * whose backward rules hand their gradients to the LSTM's backward, which runs after them (with
 * no gradient of the sequence when none reached it). So gradients flow from the output sequence
 * and from the final states alike. {@link LastStep} on such a sequence is h_n ({@link #lastStepOf}).
 */
final class FusedRecurrence {
    private FusedRecurrence() {}

    /** The cell type: its number of gates and its update rule. */
    enum Cell {
        RNN_TANH(1), RNN_RELU(1), LSTM(4), GRU(3);

        final int gates;

        Cell(int gates) {
            this.gates = gates;
        }
    }

    /**
     * Sequences per parallel task of an RNN or GRU time loop (each task runs all steps of its
     * sequences on one thread). Fixed, so a sequence's result does not depend on the thread count.
     */
    static final int CHUNK = 16;
    /** Multiply-adds of an RNN or GRU time loop below which its chunks run on the calling thread. */
    static final long PARALLEL_MIN = 1L << 20;

    /** Whether an RNN or GRU time loop runs its chunks in parallel: more than one chunk, and enough work. */
    static boolean parallelSteps(int bsz, int g, int hid, int nSteps) {
        return bsz > CHUNK && (long) nSteps * bsz * g * hid >= PARALLEL_MIN;
    }

    /** The output sequence [B, T, H], the final hidden state [B, H] and, for the LSTM, the final cell state [B, H] (else null). */
    record Parts(Tensor output, Tensor hn, Tensor cn) {}

    /** {@link #run} cut into its parts (the LSTM's are made apart, without a packed array). */
    static Parts parts(Kernels k, Cell cell, Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh,
                       int[] lengths, boolean reverse) {
        if (cell == Cell.LSTM) return runLstm(k, x, h0, c0, wIh, wHh, bIh, bHh, lengths, reverse);
        Tensor packed = run(k, cell, x, h0, c0, wIh, wHh, bIh, bHh, lengths, reverse);
        int bsz = x.shape(0), tLen = x.shape(1), hid = wHh.shape(1);
        return new Parts(output(packed, bsz, tLen, hid), hn(packed, bsz, tLen, hid), null);
    }

    /** As above, on the chosen provider. */
    static Parts parts(Cell cell, Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh, int[] lengths, boolean reverse) {
        return parts(KernelProvider.get(), cell, x, h0, c0, wIh, wHh, bIh, bHh, lengths, reverse);
    }

    /**
     * Runs one RNN or GRU layer in one direction (the LSTM: {@link #parts}).
     *
     * @param x       input [B, T, I]
     * @param h0      initial hidden state [B, H], or null for zeros
     * @param c0      initial cell state [B, H] (LSTM only), or null for zeros
     * @param wIh     [G, I]
     * @param wHh     [G, H]
     * @param bIh     [G] or null
     * @param bHh     [G] or null
     * @param lengths valid steps per sequence, each in [1, T] (already checked)
     * @param reverse run from each sequence's last valid step back to step 0
     * @return the packed result (see the class comment)
     */
    static Tensor run(Kernels k, Cell cell, Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh,
                      int[] lengths, boolean reverse) {
        if (cell == Cell.LSTM) throw new IllegalArgumentException("the LSTM runs through parts()");
        final int bsz = x.shape(0), tLen = x.shape(1), in = x.shape(2), hid = wHh.shape(1);
        final int g = cell.gates * hid, bh = bsz * hid;
        final boolean gru = cell == Cell.GRU;
        int steps = 0;
        for (int len : lengths) steps = Math.max(steps, len);
        final int nSteps = steps;
        final float[] xd = x.data(), wih = wIh.data(), whh = wHh.data();

        // 1. Input projection of all steps at once, b_ih included (each row starts from it). The
        // weights are transposed once per call (cheap: G×I) because the GEMM is faster on Wᵀ
        // stored [I, G] than on W read transposed.
        final Saved w = RNN_POOL.acquire();
        final float[] xg = w.xg = Recurrence.Workspace.atLeast(w.xg, (long) bsz * tLen * g);
        if (bIh != null) for (int r = 0; r < bsz * tLen; r++) System.arraycopy(bIh.data(), 0, xg, r * g, g);
        k.gemm(false, false, bsz * tLen, g, in, xd, 0, in, transpose(wih, g, in), 0, g, xg, 0, g, bIh != null);
        final float[] whhP = Recurrence.packForSteps(k, true, hid, g, whh); // W_hhᵀ, packed once for every step
        // each step's product starts from b_hh (so b_hn stays inside the reset product)
        final float[] bh0 = Recurrence.padBias(k, g, bHh == null ? null : bHh.data());

        // Per-sequence buffers, in step order: hs[s] is the state before step s, hs[nSteps] the final one.
        final float[] hs = w.hs = Recurrence.Workspace.atLeast(w.hs, (long) (nSteps + 1) * bh);
        final float[] hns = gru ? (w.hns = Recurrence.Workspace.atLeast(w.hns, (long) nSteps * bh)) : null; // W_hn·h + b_hn
        final float[] acts = w.acts = Recurrence.Workspace.atLeast(w.acts, (long) nSteps * bsz * g);          // gate activations
        if (h0 != null) System.arraycopy(h0.data(), 0, hs, 0, bh);
        else java.util.Arrays.fill(hs, 0, bh, 0f);
        final int outN = bsz * tLen * hid;
        final float[] out = new float[outN + bh];

        // 2. The time loop, the batch cut into chunks of sequences, each running all its steps on one
        // thread: per step one recurrent GEMM for the chunk's rows, then the gates row by row.
        final int chunks = (bsz + CHUNK - 1) / CHUNK, maxThreads = parallelSteps(bsz, g, hid, nSteps) ? Integer.MAX_VALUE : 1;
        Parallel.forEach(chunks, maxThreads, task -> Parallel.withThreads(1, () -> {
            final int r0 = task * CHUNK, r1 = Math.min(bsz, r0 + CHUNK);
            final float[] hg = new float[(r1 - r0) * g];
            for (int s = 0; s < nSteps; s++) {
                final int hp = s * bh, hx = hp + bh;
                Recurrence.stepProduct(k, r1 - r0, g, hid, hs, hp + r0 * hid, whhP, bh0, hg, 0);
                for (int b = r0; b < r1; b++) {
                    final int len = lengths[b], sb = b * hid;
                    if (s >= len) {
                        System.arraycopy(hs, hp + sb, hs, hx + sb, hid);
                        continue;
                    }
                    final int t = reverse ? len - 1 - s : s;
                    final int xr = (b * tLen + t) * g, hr = (b - r0) * g, ar = (s * bsz + b) * g, or = (b * tLen + t) * hid;
                    if (gru) Recurrence.gruCell(k, hid, xg, xr, hg, hr, acts, ar, hns, hp + sb, hs, hp + sb, hx + sb, out, or);
                    else rnnForward(k, hid, cell == Cell.RNN_RELU, xg, xr, hg, hr, hs, hx + sb, acts, ar, out, or);
                }
            }
        }));
        System.arraycopy(hs, nSteps * bh, out, outN, bh);

        Tensor[] inputs = {x, h0, null, wIh, wHh, bIh, bHh};
        boolean whole = true; // every sequence runs all T steps: then the loops write every row of dxg and dhg
        for (int len : lengths) whole &= len == tLen;
        final boolean zeroGrads = !whole;
        Tensor result = Tensor.fromOp(cell.name().toLowerCase(java.util.Locale.ROOT) + (reverse ? "_reverse" : ""), out,
                new int[] {out.length}, inputs, gOut -> {
            float[] dxg = w.dxg = Recurrence.Workspace.atLeast(w.dxg, (long) bsz * tLen * g);
            // the hidden-side gate gradients of every step, rows (s, b) as the states in hs: dW_hh and db_hh after the loop
            float[] dhg = w.dhg = Recurrence.Workspace.atLeast(w.dhg, (long) nSteps * bsz * g);
            if (zeroGrads) { // the rows of padded steps stay zero
                java.util.Arrays.fill(dxg, 0, bsz * tLen * g, 0f);
                java.util.Arrays.fill(dhg, 0, nSteps * bsz * g, 0f);
            }
            float[] dH0 = h0 != null && h0.requiresGrad() ? h0.gradBuffer() : null;
            float[] whhB = Recurrence.packForSteps(k, false, g, hid, whh); // W_hh, packed once for every step
            Parallel.forEach(chunks, maxThreads, task -> Parallel.withThreads(1, () -> {
                final int r0 = task * CHUNK, r1 = Math.min(bsz, r0 + CHUNK), rows = r1 - r0;
                float[] dh = new float[rows * hid], dNext = new float[rows * hid], prod = new float[rows * hid];
                System.arraycopy(gOut, outN + r0 * hid, dh, 0, rows * hid);
                for (int s = nSteps - 1; s >= 0; s--) {
                    final int hp = s * bh;
                    for (int b = r0; b < r1; b++) {
                        final int len = lengths[b], sb = (b - r0) * hid, hr = (s * bsz + b) * g;
                        if (s >= len) { // state passed through unchanged: so does its gradient (its gate gradients stay zero)
                            System.arraycopy(dh, sb, dNext, sb, hid);
                            continue;
                        }
                        final int t = reverse ? len - 1 - s : s;
                        final int xr = (b * tLen + t) * g, ar = (s * bsz + b) * g, or = (b * tLen + t) * hid;
                        if (gru) {
                            Recurrence.gruCellBackward(k, hid, acts, ar, hns, hp + b * hid, hs, hp + b * hid, dh, sb, gOut, or, dNext, sb, dxg, xr, dhg, hr);
                        } else {
                            for (int j = 0; j < hid; j++) dh[sb + j] += gOut[or + j];
                            rnnBackward(hid, cell == Cell.RNN_RELU, acts, ar, dh, dNext, sb, dxg, xr, dhg, hr);
                        }
                    }
                    // dh_prev = the direct term already in dNext + dG_h·W_hh
                    Recurrence.stepProduct(k, rows, hid, g, dhg, (s * bsz + r0) * g, whhB, prod, 0);
                    k.add(dNext, 0, prod, 0, dNext, 0, rows * hid);
                    float[] tmp = dh;
                    dh = dNext;
                    dNext = tmp;
                }
                if (dH0 != null) k.axpy(1f, dh, 0, dH0, r0 * hid, rows * hid);
            }));
            // dW_hh += dG_hᵀ·h over all steps and sequences at once; db_hh, their column sums
            if (wHh.requiresGrad()) k.gemm(true, false, g, hid, nSteps * bsz, dhg, 0, g, hs, 0, hid, wHh.gradBuffer(), 0, hid, true);
            if (bHh != null && bHh.requiresGrad()) k.sumRows(dhg, 0, nSteps * bsz, g, bHh.gradBuffer(), 0, true);
            if (x.requiresGrad()) k.gemm(false, false, bsz * tLen, in, g, dxg, 0, g, wih, 0, in, x.gradBuffer(), 0, in, true);
            if (wIh.requiresGrad()) k.gemm(true, false, g, in, bsz * tLen, dxg, 0, g, xd, 0, in, wIh.gradBuffer(), 0, in, true);
            if (bIh != null && bIh.requiresGrad()) k.sumRows(dxg, 0, bsz * tLen, g, bIh.gradBuffer(), 0, true);
            RNN_POOL.release(w);
        });
        if (!result.requiresGrad()) RNN_POOL.release(w); // no backward will come
        return result;
    }

    /**
     * The arrays of an RNN or GRU forward kept for its backward (the input projection, the
     * states, the gate activations and, for GRU, W_hn·h + b_hn) and the backward's gate
     * gradients: pooled as the LSTM's workspaces, for the next call to reuse.
     */
    static final class Saved {
        float[] xg = new float[0], hs = new float[0], hns = new float[0], acts = new float[0], dxg = new float[0], dhg = new float[0];

        long floats() {
            return (long) xg.length + hs.length + hns.length + acts.length + dxg.length + dhg.length;
        }
    }

    /**
     * Workspaces of forwards whose backward is done (or that recorded no graph), for the next
     * forward to reuse instead of allocating its saved activations again; at most {@link #POOL_MAX}
     * of each kind, each of at most {@link #POOL_FLOATS_MAX} floats (a larger one, e.g. of one
     * evaluation on a huge batch, is left to the garbage collector rather than kept for the life
     * of the JVM).
     */
    static final class Pool<W> {
        private final java.util.ArrayDeque<W> free = new java.util.ArrayDeque<>();
        private final java.util.function.Supplier<W> make;
        private final java.util.function.ToLongFunction<W> floats;

        Pool(java.util.function.Supplier<W> make, java.util.function.ToLongFunction<W> floats) {
            this.make = make;
            this.floats = floats;
        }

        synchronized W acquire() {
            W w = free.pollFirst();
            return w != null ? w : make.get();
        }

        synchronized void release(W w) {
            if (free.size() < POOL_MAX && floats.applyAsLong(w) <= POOL_FLOATS_MAX) free.addFirst(w);
        }

        /** The floats held by the largest pooled workspace (0 when the pool is empty). */
        synchronized long largest() {
            return free.stream().mapToLong(floats).max().orElse(0);
        }
    }

    private static final int POOL_MAX = 4;
    static final long POOL_FLOATS_MAX = 8L << 20;
    static final Pool<Recurrence.Workspace> LSTM_POOL = new Pool<>(Recurrence.Workspace::new, Recurrence.Workspace::floats);
    static final Pool<Saved> RNN_POOL = new Pool<>(Saved::new, Saved::floats);

    /**
     * The LSTM: the time loops are {@link Recurrence}'s (the batch cut into chunks of rows, each
     * running all its steps on one thread; the input projection inside each step's product; the
     * weight gradients one GEMM each after the backward loop). Its saved activations live in a
     * pooled workspace, returned to the pool when the backward has run. h_n and c_n are ops on the
     * output sequence that keep their gradients for its backward (made after theirs, since they
     * depend on it).
     */
    private static Parts runLstm(Kernels k, Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh,
                                 int[] lengths, boolean reverse) {
        final int bsz = x.shape(0), tLen = x.shape(1), in = x.shape(2), hid = wHh.shape(1);
        final int g = 4 * hid, bh = bsz * hid;
        int steps = 0;
        for (int len : lengths) steps = Math.max(steps, len);
        final int nSteps = steps;
        Recurrence.wakeForForward(bsz, in, hid, nSteps);
        final float[] bsum = new float[g];
        if (bIh != null) k.add(bsum, 0, bIh.data(), 0, bsum, 0, g);
        if (bHh != null) k.add(bsum, 0, bHh.data(), 0, bsum, 0, g);
        final float[] out = new float[bsz * tLen * hid], hn = new float[bh], cn = new float[bh];
        final Recurrence.Workspace w = LSTM_POOL.acquire();
        Recurrence.lstmForward(k, w, bsz, tLen, in, hid, lengths, nSteps, reverse, x.data(), h0 == null ? null : h0.data(),
                c0 == null ? null : c0.data(), wIh.data(), wHh.data(), bsum, out, hn, cn);
        Tensor[] inputs = {x, h0, c0, wIh, wHh, bIh, bHh};
        final float[][] stateGrads = new float[2][]; // of h_n and c_n, set by their backward rules before the LSTM's runs
        Tensor output = Tensor.fromOpTakingNoGradient(reverse ? "lstm_reverse" : "lstm", out, new int[] {bsz, tLen, hid}, inputs, gOut -> {
            Recurrence.lstmBackward(k, w, bsz, tLen, in, hid, lengths, nSteps, reverse, gOut, stateGrads[0], stateGrads[1], wIh.data(), wHh.data(),
                    gradOf(x), gradOf(h0), gradOf(c0), gradOf(wIh), gradOf(wHh), gradOf(bIh), gradOf(bHh));
            LSTM_POOL.release(w);
        });
        if (!output.requiresGrad()) LSTM_POOL.release(w); // no backward will come
        boolean whole = !reverse;
        for (int len : lengths) whole &= len == tLen;
        if (whole && tLen > 0) { // with no step, there is no last step to stand for
            synchronized (LAST_STEPS) {
                LAST_STEPS.put(output, new Ending(hn, stateGrads));
            }
        }
        return new Parts(output, finalState("lstm_hn", hn, bsz, hid, output, stateGrads, 0), finalState("lstm_cn", cn, bsz, hid, output, stateGrads, 1));
    }

    /** h_n of an LSTM output sequence whose every sequence ran forward through all T steps, and where its gradient goes. */
    private record Ending(float[] hn, float[][] stateGrads) {}

    /**
     * The LSTM output sequences that end in their h_n (forward direction, no padding), weakly
     * held: an entry goes when its sequence does (the entry refers to the arrays, not to a tensor).
     */
    private static final java.util.Map<Tensor, Ending> LAST_STEPS = new java.util.WeakHashMap<>();

    /**
     * {@code output[:, T-1, :]} of an LSTM output sequence [B, T, H] (the op's own result, not a
     * view or a copy of it) that ran forward through all T steps of every sequence: its h_n, the
     * same values, as an op whose gradient goes to the LSTM's backward as h_n's does, with no
     * gradient of the whole sequence (the same sums: dh_T = 0 + g either way). Null for any other
     * tensor: the caller then selects the step itself.
     */
    static Tensor lastStepOf(Tensor output) {
        Ending last;
        synchronized (LAST_STEPS) {
            last = LAST_STEPS.get(output);
        }
        if (last == null) return null;
        return finalState("lstm_last_step", last.hn().clone(), output.shape(0), output.shape(2), output, last.stateGrads(), 0);
    }

    /**
     * A final state [B, H] as an op on the output sequence: its backward adds its gradient into
     * {@code grads[i]} for the sequence's backward, and makes sure that one runs (with a null
     * gradient when nothing else reached the sequence).
     */
    private static Tensor finalState(String op, float[] state, int bsz, int hid, Tensor output, float[][] grads, int i) {
        return Tensor.fromOp(op, state, new int[] {bsz, hid}, new Tensor[] {output}, g -> {
            if (grads[i] == null) grads[i] = g; // the op's gradient, dropped after this rule: taken as it is
            else for (int j = 0; j < g.length; j++) grads[i][j] += g[j];
            output.runBackwardWithoutGradient();
        });
    }

    private static float[] gradOf(Tensor t) {
        return t != null && t.requiresGrad() ? t.gradBuffer() : null;
    }

    /** The [cols, rows] transpose of a row-major [rows, cols] matrix. */
    private static float[] transpose(float[] w, int rows, int cols) {
        float[] t = new float[w.length];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
        return t;
    }

    // ---------------------------------------------------------------- gate loops, one sequence and step each
    // (small methods so the JIT compiles them on their own; prev/next index the state before/after the step)

    private static void rnnForward(Kernels k, int hid, boolean relu, float[] xg, int xr, float[] hg, int hr,
                                   float[] hs, int next, float[] acts, int ar, float[] out, int or) {
        for (int j = 0; j < hid; j++) acts[ar + j] = xg[xr + j] + hg[hr + j];
        if (relu) for (int j = 0; j < hid; j++) acts[ar + j] = Math.max(acts[ar + j], 0f);
        else k.tanhPoly(acts, ar, acts, ar, hid);
        System.arraycopy(acts, ar, hs, next, hid);
        System.arraycopy(acts, ar, out, or, hid);
    }

    private static void rnnBackward(int hid, boolean relu, float[] acts, int ar, float[] dh, float[] dNext, int sb, float[] dxg,
                                    int xr, float[] dhg, int hr) {
        for (int j = 0; j < hid; j++) {
            float h = acts[ar + j], dhv = dh[sb + j];
            float dp = relu ? (h > 0f ? dhv : 0f) : dhv * (1f - h * h);
            dNext[sb + j] = 0f;
            dxg[xr + j] = dhg[hr + j] = dp;
        }
    }

    /** The output sequence [B, T, H] cut from a packed RNN or GRU result. */
    private static Tensor output(Tensor packed, int bsz, int tLen, int hid) {
        return packed.narrow(0, 0, bsz * tLen * hid).reshape(bsz, tLen, hid);
    }

    /** The final hidden state [B, H] cut from a packed RNN or GRU result. */
    private static Tensor hn(Tensor packed, int bsz, int tLen, int hid) {
        return packed.narrow(0, bsz * tLen * hid, bsz * hid).reshape(bsz, hid);
    }

}
