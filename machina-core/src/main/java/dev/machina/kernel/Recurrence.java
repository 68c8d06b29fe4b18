package dev.machina.kernel;

/**
 * The LSTM's forward and backward through time for one layer and direction, on arrays (the
 * autograd op around it is {@code nn.FusedRecurrence}).
 *
 * <p>The sequences of a batch are independent of each other through time: row b of the state
 * at step s+1 depends only on row b at step s. So the batch is cut into chunks of rows, and each
 * chunk runs all its steps on one thread with no hand-off between steps: one parallel region for
 * the forward's time loop (after one that packs the weights, for batches of more than one chunk)
 * and one for the backward's. Within a chunk, each step is one
 * product [x_t | h]·[W_ih | W_hh]ᵀ (K = I + H, the input projection included) against the
 * weights packed once per call ({@link RecurrentOps}), the accumulators starting from the summed
 * biases, then the gate non-linearities ({@link FloatMath}'s, vectorised on the vector provider
 * with the same operations, so both providers agree bit for bit) and the cell update on the
 * chunk's rows while they are in cache. The provider-specific pieces are {@link RecurrentOps}. A row's result is the same
 * whichever chunk and thread computes it, so results are bit-identical for any thread count.
 *
 * <p>The backward walks the steps in reverse, chunk by chunk likewise: the gate gradients of a
 * step (written over the saved activations, and in packed panels for the weight gradients) and
 * dh_prev = dG·W_hh for the chunk's rows. After the loop, the products over all steps (K = steps·B)
 * are one each: [dW_ih | dW_hh]ᵀ = zᵀ·dG ({@link RecurrentOps#rowsT}, zᵀ read in place) and, when x
 * needs a gradient, dX = dG·W_ih; the bias gradients are the column sums of dG, taken by the
 * weight-gradient tasks from the panels they read.
 *
 * <p>Layouts ({@link Workspace}): z [steps+1, B, zStride], row (s, b) = [x at step s | h before step
 * s | padding] (zeros for the x of an inactive step); acts [steps, B, 4H], gates i, f, g, o after their
 * non-linearity (then their gradients); cs [steps+1, B, H] c before step s; tcs [steps, B, H]
 * tanh of c after step s.
 */
public final class Recurrence {
    private Recurrence() {}

    /**
     * Rows of the batch per parallel task (a multiple of every row block). Small enough that a
     * batch of 64 makes four tasks, so that when one core is taken by another process the other
     * core runs more of them; the step products are as fast on 16 rows as on 32.
     */
    static final int CHUNK = 16;
    /** Panels of gate columns per parallel task of the weight-gradient product (each task reads all of zᵀ; as fast with 2 as with 4, and twice the tasks to share). */
    static final int W_PANELS = 2;
    /** Parallel tasks that pack the forward's weights, each a run of whole panels. */
    static final int PACK_TASKS = 4;
    /** Multiply-adds of a whole forward below which it stays on the calling thread. */
    static final long PARALLEL_MIN = 1L << 20;
    /** Floats of the packed step weights below which the forward packs them on the calling thread. */
    static final long PACK_PARALLEL_MIN = 1L << 12;

    /**
     * Whether a forward (or the backward's time loop) runs its chunks of rows in parallel: more
     * than one chunk, and enough work. A batch of at most {@link #CHUNK} rows is one chunk, serial.
     */
    static boolean parallelSteps(int bsz, int in, int hid, int nSteps) {
        return bsz > CHUNK && (long) nSteps * bsz * 4 * hid * (in + hid) >= PARALLEL_MIN;
    }

    /** Whether the forward packs its step weights in parallel tasks: a parallel forward, and weights worth the hand-off. */
    static boolean parallelPack(int bsz, int in, int hid, int nSteps) {
        return parallelSteps(bsz, in, hid, nSteps) && 4L * hid * (in + hid) >= PACK_PARALLEL_MIN;
    }

    /**
     * Wakes the kernel threads ({@link Parallel#wake}) when a forward of this size runs in
     * parallel: a caller with serial work to do before {@link #lstmForward} calls it first, so
     * that the threads are running when the forward's tasks are handed out.
     */
    public static void wakeForForward(int bsz, int in, int hid, int nSteps) {
        if (parallelSteps(bsz, in, hid, nSteps)) Parallel.wake();
    }

    /**
     * B packed once for {@link #stepProduct}: Wᵀ (K×N) of a W stored [N, K] when {@code transpose},
     * else W itself stored [K, N]. For the RNN and GRU time loops (nn.FusedRecurrence), whose steps
     * multiply each chunk of sequences by the same weights.
     */
    public static float[] packForSteps(Kernels k, boolean transpose, int kk, int n, float[] w) {
        RecurrentOps rg = RecurrentOps.of(k);
        float[] dst = new float[rg.packedSize(kk, n)];
        rg.pack(transpose, kk, n, w, 0, transpose ? kk : n, dst);
        return dst;
    }

    /**
     * C[rows × n] (rows n apart from c[co]) = A[rows × kk] (rows kk apart from a[ao])·B, B packed
     * by {@link #packForSteps}: every element summed over K in order, whatever the rows around
     * it, so a row's result does not depend on how the batch is cut into chunks.
     */
    public static void stepProduct(Kernels k, int rows, int n, int kk, float[] a, int ao, float[] bp, float[] c, int co) {
        stepProduct(k, rows, n, kk, a, ao, bp, null, c, co);
    }

    /**
     * As {@link #stepProduct(Kernels, int, int, int, float[], int, float[], float[], int)} with
     * the sums starting from {@code bias} ({@link #padBias}), or from zero when it is null.
     */
    public static void stepProduct(Kernels k, int rows, int n, int kk, float[] a, int ao, float[] bp, float[] bias, float[] c, int co) {
        RecurrentOps.of(k).rows(rows, n, kk, a, ao, kk, bp, bias, c, co, n);
    }

    /** The n floats of {@code b} zero-padded to whole panels, as {@link #stepProduct}'s bias; null for a null b. */
    public static float[] padBias(Kernels k, int n, float[] b) {
        if (b == null) return null;
        float[] p = new float[RecurrentOps.of(k).packedSize(1, n)];
        System.arraycopy(b, 0, p, 0, n);
        return p;
    }

    /** One sequence's GRU step (see {@link RecurrentOps#gruCell}). */
    public static void gruCell(Kernels k, int hid, float[] xg, int xo, float[] hg, int ho, float[] acts, int a, float[] hns, int hn,
                               float[] hs, int prev, int next, float[] out, int o) {
        RecurrentOps.of(k).gruCell(hid, xg, xo, hg, ho, acts, a, hns, hn, hs, prev, next, out, o);
    }

    /** One sequence's GRU step backward (see {@link RecurrentOps#gruCellBackward}). */
    public static void gruCellBackward(Kernels k, int hid, float[] acts, int a, float[] hns, int hn, float[] hs, int prev, float[] dhs, int dh,
                                       float[] gOut, int go, float[] dNext, int dn, float[] dxg, int xo, float[] dhg, int ho) {
        RecurrentOps.of(k).gruCellBackward(hid, acts, a, hns, hn, hs, prev, dhs, dh, gOut, go, dNext, dn, dxg, xo, dhg, ho);
    }

    /** Floats of a row of z: I + H rounded up to whole register blocks, so that zᵀ is whole blocks of rows. */
    static int zStride(int in, int hid) {
        return (in + hid + 7) / 8 * 8;
    }

    /** The buffers of one forward, kept for its backward; reusable by later calls once the backward is done. */
    public static final class Workspace {
        float[] z = new float[0], acts = new float[0], cs = new float[0], tcs = new float[0];
        float[] wp = new float[0], wq = new float[0], bias = new float[0], dhNext = new float[0], colSums = new float[0], dw = new float[0], dgp = new float[0];

        /** Floats held by this workspace's buffers. */
        public long floats() {
            long n = 0;
            for (float[] a : new float[][] {z, acts, cs, tcs, wp, wq, bias, dhNext, colSums, dw, dgp}) n += a.length;
            return n;
        }

        /** {@code a} when it holds at least n floats, else a new array of n (an error past the largest array there can be). */
        public static float[] atLeast(float[] a, long n) {
            if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("recurrent layer too large for one array: " + n + " floats");
            return a.length >= n ? a : new float[(int) n];
        }
    }

    /**
     * The LSTM forward. Writes the output sequence to {@code out} [B, T, H] (outputs at padded
     * positions left as they are: zero in a new array) and the final states to {@code hn} and
     * {@code cn} [B, H] (each null when not wanted), and fills {@code w} for {@link #lstmBackward}.
     *
     * @param x       [B, T, I]
     * @param h0      [B, H] or null for zeros
     * @param c0      [B, H] or null for zeros
     * @param wih     [4H, I]
     * @param whh     [4H, H]
     * @param bsum    [4H]: b_ih + b_hh
     * @param lengths valid steps of each sequence, each in [1, T]; nSteps their maximum
     * @param reverse each sequence read from its last valid step back to step 0
     */
    public static void lstmForward(Kernels k, Workspace w, int bsz, int tLen, int in, int hid, int[] lengths, int nSteps, boolean reverse,
                                   float[] x, float[] h0, float[] c0, float[] wih, float[] whh, float[] bsum, float[] out, float[] hn, float[] cn) {
        final int g = 4 * hid, kk = in + hid, kp = zStride(in, hid), bh = bsz * hid;
        wakeForForward(bsz, in, hid, nSteps); // the threads are running by the forward's tasks (a caller with serial work first wakes them sooner)
        RecurrentOps rg = RecurrentOps.of(k);
        // [W_ih | W_hh] as B = Wcatᵀ (K×G), packed; the biases padded to whole panels
        int panels = (g + rg.nr() - 1) / rg.nr();
        w.wp = Workspace.atLeast(w.wp, rg.packedSize(kk, g));
        final float[] wp0 = w.wp;
        final int maxThreads = parallelSteps(bsz, in, hid, nSteps) ? Integer.MAX_VALUE : 1;
        // in parallel: by now the weights are out of cache (the last step's activations went
        // through it), and two cores read and write them faster than one (about 40 µs → 22 µs a
        // call at LSTM(28→128)); every panel is packed whole by one task, as one call would
        Parallel.forEach(PACK_TASKS, parallelPack(bsz, in, hid, nSteps) ? Integer.MAX_VALUE : 1, t -> {
            int q0 = t * panels / PACK_TASKS, q1 = (t + 1) * panels / PACK_TASKS;
            rg.packPanels(true, kk, 0, in, g, wih, 0, in, wp0, q0, q1);
            rg.packPanels(true, kk, in, hid, g, whh, 0, hid, wp0, q0, q1);
        });
        w.bias = Workspace.atLeast(w.bias, (long) panels * rg.nr());
        java.util.Arrays.fill(w.bias, 0f);
        System.arraycopy(bsum, 0, w.bias, 0, g);
        w.z = Workspace.atLeast(w.z, (long) (nSteps + 1) * bsz * kp);
        w.acts = Workspace.atLeast(w.acts, (long) nSteps * bsz * g);
        w.cs = Workspace.atLeast(w.cs, (long) (nSteps + 1) * bh);
        w.tcs = Workspace.atLeast(w.tcs, (long) nSteps * bh);
        final float[] z = w.z, acts = w.acts, cs = w.cs, tcs = w.tcs, wp = w.wp, bias = w.bias;
        int tasks = (bsz + CHUNK - 1) / CHUNK;
        Parallel.forEach(tasks, maxThreads, task -> {
            int r0 = task * CHUNK, r1 = Math.min(bsz, r0 + CHUNK), rows = r1 - r0;
            for (int b = r0; b < r1; b++) {
                int zo = b * kp + in;
                if (h0 != null) System.arraycopy(h0, b * hid, z, zo, hid);
                else java.util.Arrays.fill(z, zo, zo + hid, 0f);
                if (c0 != null) System.arraycopy(c0, b * hid, cs, b * hid, hid);
                else java.util.Arrays.fill(cs, b * hid, (b + 1) * hid, 0f);
            }
            for (int s = 0; s < nSteps; s++) {
                int zs = s * bsz * kp;
                for (int b = r0; b < r1; b++) {
                    int len = lengths[b], zo = zs + b * kp;
                    if (s < len) System.arraycopy(x, (b * tLen + (reverse ? len - 1 - s : s)) * in, z, zo, in);
                    else java.util.Arrays.fill(z, zo, zo + in, 0f);
                }
                rg.rows(rows, g, kk, z, zs + r0 * kp, kp, wp, bias, acts, (s * bsz + r0) * g, g);
                for (int b = r0; b < r1; b++) {
                    int len = lengths[b], prev = (s * bsz + b) * hid, next = prev + bh;
                    int zPrev = zs + b * kp + in, zNext = zPrev + bsz * kp;
                    if (s >= len) { // the state passes through unchanged
                        System.arraycopy(z, zPrev, z, zNext, hid);
                        System.arraycopy(cs, prev, cs, next, hid);
                        continue;
                    }
                    int t = reverse ? len - 1 - s : s;
                    rg.lstmCell(hid, acts, (s * bsz + b) * g, cs, prev, next, tcs, prev, z, zNext, out, (b * tLen + t) * hid);
                }
            }
            for (int b = r0; b < r1; b++) {
                if (hn != null) System.arraycopy(z, (nSteps * bsz + b) * kp + in, hn, b * hid, hid);
                if (cn != null) System.arraycopy(cs, nSteps * bh + b * hid, cn, b * hid, hid);
            }
        });
    }

    /**
     * The LSTM backward of a {@link #lstmForward} with the same arguments and workspace: adds
     * into each gradient array given (null: not wanted). The saved activations are overwritten
     * by the gate gradients, so it runs once per forward.
     *
     * @param gOut the gradient of the forward's {@code out} [B, T, H], or null for zeros
     * @param gHn  the gradient of h_n [B, H], or null for zeros
     * @param gCn  the gradient of c_n [B, H], or null for zeros
     * @param dh0  [B, H] the gradient of h0 is added here, or null
     * @param dc0  [B, H] the gradient of c0 is added here, or null
     */
    public static void lstmBackward(Kernels k, Workspace w, int bsz, int tLen, int in, int hid, int[] lengths, int nSteps, boolean reverse,
                                    float[] gOut, float[] gHn, float[] gCn, float[] wih, float[] whh,
                                    float[] dx, float[] dh0, float[] dc0, float[] dWih, float[] dWhh, float[] dBih, float[] dBhh) {
        final int g = 4 * hid, kk = in + hid, kp = zStride(in, hid), bh = bsz * hid, rowsAll = nSteps * bsz;
        final boolean parallel = bsz > CHUNK && (long) nSteps * bsz * g * hid >= PARALLEL_MIN; // the time loop's chunks
        if (parallel) Parallel.wake(); // running by the time W_hh is packed
        RecurrentOps rg = RecurrentOps.of(k);
        final boolean wantW = dWih != null || dWhh != null;
        if (wantW) w.dgp = Workspace.atLeast(w.dgp, rg.packedSize(rowsAll, g));
        final float[] dgp = w.dgp;
        w.wq = Workspace.atLeast(w.wq, rg.packedSize(g, hid));
        rg.pack(false, g, hid, whh, 0, hid, w.wq);
        w.dhNext = Workspace.atLeast(w.dhNext, 3L * bh);
        final float[] z = w.z, acts = w.acts, cs = w.cs, tcs = w.tcs, wq = w.wq, buf = w.dhNext;
        // buf: dh [0, bh), dc [bh, 2bh), the next dh [2bh, 3bh)
        if (gHn != null) System.arraycopy(gHn, 0, buf, 0, bh);
        else java.util.Arrays.fill(buf, 0, bh, 0f);
        if (gCn != null) System.arraycopy(gCn, 0, buf, bh, bh);
        else java.util.Arrays.fill(buf, bh, 2 * bh, 0f);
        // no gradient of the output: each step adds a row of zeros instead (the same sums, + 0 and all)
        final float[] gSeq = gOut != null ? gOut : new float[hid];
        final int gRow = gOut != null ? hid : 0;
        int tasks = (bsz + CHUNK - 1) / CHUNK;
        Parallel.forEach(tasks, parallel ? Integer.MAX_VALUE : 1, task -> {
            int r0 = task * CHUNK, r1 = Math.min(bsz, r0 + CHUNK), rows = r1 - r0;
            for (int s = nSteps - 1; s >= 0; s--) {
                for (int b = r0; b < r1; b++) {
                    int len = lengths[b], a = (s * bsz + b) * g, sb = b * hid;
                    if (s >= len) {
                        java.util.Arrays.fill(acts, a, a + g, 0f);
                        continue;
                    }
                    int t = reverse ? len - 1 - s : s;
                    rg.lstmCellBackward(hid, acts, a, tcs, cs, s * bh + sb, buf, sb, bh + sb, gSeq, (b * tLen + t) * gRow);
                }
                // the gate gradients also as B of the weight-gradient product (step = row s·B + b)
                if (wantW) for (int b = r0; b < r1; b++) rg.packRow(acts, (s * bsz + b) * g, g, dgp, rowsAll, s * bsz + b);
                if (s == 0 && dh0 == null) break; // the gradient of h0 is not wanted
                rg.rows(rows, hid, g, acts, (s * bsz + r0) * g, g, wq, null, buf, 2 * bh + r0 * hid, hid);
                for (int b = r0; b < r1; b++) {
                    int sb = b * hid;
                    if (s < lengths[b]) System.arraycopy(buf, 2 * bh + sb, buf, sb, hid);
                    // inactive: dh passes through unchanged (already in place)
                }
            }
        });
        if (dh0 != null) k.axpy(1f, buf, 0, dh0, 0, bh);
        if (dc0 != null) k.axpy(1f, buf, bh, dc0, 0, bh);
        if (wantW) { // [dW_ih | dW_hh]ᵀ = [X | H]ᵀ·dG over all steps: zᵀ read in place, dG packed in the loop
            w.dw = Workspace.atLeast(w.dw, (long) kp * g);
            final float[] dw = w.dw;
            int span = W_PANELS * rg.nr(), wTasks = (g + span - 1) / span;
            long wwork = (long) kp * g * rowsAll;
            final boolean wantB = dBih != null || dBhh != null;
            if (wantB) w.colSums = Workspace.atLeast(w.colSums, g);
            final float[] colSums = w.colSums;
            Parallel.forEach(wTasks, wwork < PARALLEL_MIN ? 1 : Integer.MAX_VALUE, q -> {
                int j0 = q * span, cols = Math.min(span, g - j0);
                rg.rowsT(kp, cols, rowsAll, z, 0, kp, dgp, j0 * rowsAll, dw, j0, g);
                // the bias gradients: column sums of dG, from the same packed panels
                if (wantB) for (int c0 = j0; c0 < j0 + cols; c0 += rg.nr()) rg.panelColumnSums(rowsAll, dgp, c0 * rowsAll, Math.min(rg.nr(), g - c0), colSums, c0);
                for (int j = j0; j < j0 + cols; j++) {
                    if (dWih != null) for (int p = 0; p < in; p++) dWih[j * in + p] += dw[p * g + j];
                    if (dWhh != null) for (int p = 0; p < hid; p++) dWhh[j * hid + p] += dw[(in + p) * g + j];
                }
            });
        }
        if (dBih != null || dBhh != null) {
            if (!wantW) {
                w.colSums = Workspace.atLeast(w.colSums, g);
                k.sumRows(acts, 0, rowsAll, g, w.colSums, 0, false);
            }
            if (dBih != null) k.axpy(1f, w.colSums, 0, dBih, 0, g);
            if (dBhh != null) k.axpy(1f, w.colSums, 0, dBhh, 0, g);
        }
        if (dx != null) { // dG·W_ih into z (free now), then to x's rows
            k.gemm(false, false, rowsAll, in, g, acts, 0, g, wih, 0, in, z, 0, in, false);
            for (int s = 0; s < nSteps; s++) {
                for (int b = 0; b < bsz; b++) {
                    int len = lengths[b];
                    if (s >= len) continue;
                    int t = reverse ? len - 1 - s : s;
                    k.axpy(1f, z, (s * bsz + b) * in, dx, (b * tLen + t) * in, in);
                }
            }
        }
    }
}
