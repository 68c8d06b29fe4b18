package dev.machina.kernel;

/**
 * The provider-specific pieces of {@link Recurrence}: a product for a few rows, and the LSTM
 * and GRU cells' forward and backward on one row.
 *
 * <p>The product: C = bias + A·B for a few rows of A against a B packed once and used many times: the products
 * inside a recurrence's time loop ({@link Recurrence}), where each thread multiplies its own rows
 * of the batch by the same weights at every step. B is packed into panels of {@link #nr()}
 * columns, each K steps of nr floats (zero-padded past n); every element of C is summed over K in
 * order, whatever the rows around it, so a row's result does not depend on how the batch is cut.
 */
interface RecurrentOps {

    /** Columns of a packed panel. */
    int nr();

    /**
     * C[rows × n] = bias + A[rows × k]·B, A read in place (element (r, p) at a[ao + r·lda + p]),
     * B packed by {@link #pack}, bias padded to whole panels (or null for none).
     */
    void rows(int rows, int n, int k, float[] a, int ao, int lda, float[] bp, float[] bias, float[] c, int co, int ldc);

    /**
     * C[rows × n] = A·B with A stored transposed and read in place: element (i, p) at
     * a[ao + p·lda + i] (the columns of a row-major matrix as rows). {@code rows} is a multiple
     * of 8; B packed from bp[bo], its panels k·nr apart (as {@link #pack} lays them out); no bias.
     */
    void rowsT(int rows, int n, int k, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc);

    /**
     * out[oo + c] = the sum over steps p = 0, 1, … k−1 of column c of one packed panel (its k steps
     * of {@link #nr()} floats from bp[bo]), for c below {@code cols}: summed in step order from
     * zero, as {@link Kernels#sumRows} sums the rows of the unpacked matrix, so the bits are the same.
     */
    default void panelColumnSums(int k, float[] bp, int bo, int cols, float[] out, int oo) {
        int nr = nr();
        for (int c = 0; c < cols; c++) {
            float s = 0f;
            for (int p = 0; p < k; p++) s += bp[bo + p * nr + c];
            out[oo + c] = s;
        }
    }

    /** Writes src[so .. so+n) as step p of a packed k×n B (zero-padded to whole panels), as {@link #pack} would. */
    default void packRow(float[] src, int so, int n, float[] dst, int k, int p) {
        int nr = nr();
        for (int j0 = 0; j0 < n; j0 += nr) {
            int d = j0 * k + p * nr, cols = Math.min(nr, n - j0);
            System.arraycopy(src, so + j0, dst, d, cols);
            if (cols < nr) java.util.Arrays.fill(dst, d + cols, d + nr, 0f);
        }
    }

    /**
     * One row of the LSTM cell: the gate pre-activations at acts[a .. a+4H) become i, f, g, o
     * (σ, σ, tanh, σ by {@link FloatMath}); c' = f·c + i·g at cs[next ..] from c at cs[prev ..],
     * tanh c' at tcs[tc ..], h' = o·tanh c' at z[zh ..] and out[o ..].
     */
    void lstmCell(int hid, float[] acts, int a, float[] cs, int prev, int next, float[] tcs, int tc, float[] z, int zh, float[] out, int o);

    /**
     * One row of the LSTM cell's backward: dh (at buf[dh ..]) += gOut[go ..]; the gate gradients
     * replace the activations at acts[a ..]; dc (at buf[dc ..]) becomes dc_prev. c before the step is
     * at cs[prev ..], tanh of c after it at tcs[prev ..].
     */
    void lstmCellBackward(int hid, float[] acts, int a, float[] tcs, float[] cs, int prev, float[] buf, int dh, int dc, float[] gOut, int go);

    /**
     * One row of the GRU cell (PyTorch's, b_hn inside the reset product): xg[xo .. xo+3H) =
     * W_ih·x + b_ih and hg[ho .. ho+3H) = W_hh·h + b_hh of the step, gates in the order r, z, n;
     * the state before the step at hs[prev ..]. acts[a .. a+3H) gets r = σ(xg_r + hg_r),
     * z = σ(xg_z + hg_z) and n = tanh(xg_n + r·hg_n) (by {@link FloatMath}), hns[hn ..] hg_n, and
     * h' = (1 − z)·n + z·h goes to hs[next ..] and out[o ..].
     */
    void gruCell(int hid, float[] xg, int xo, float[] hg, int ho, float[] acts, int a, float[] hns, int hn, float[] hs, int prev, int next,
                 float[] out, int o);

    /**
     * One row of the GRU cell's backward: dh = dhs[dh ..] + gOut[go ..] (the gradient of h', the
     * output's share added; written back to dhs), with the step's saved r, z, n (acts[a ..]),
     * hg_n (hns[hn ..]) and h (hs[prev ..]): the gradients of the input-side pre-activations go to
     * dxg[xo .. xo+3H), of the hidden-side ones to dhg[ho .. ho+3H) (r times the n gate's), and
     * dh's direct share z·dh to dNext[dn ..].
     */
    void gruCellBackward(int hid, float[] acts, int a, float[] hns, int hn, float[] hs, int prev, float[] dhs, int dh, float[] gOut, int go,
                         float[] dNext, int dn, float[] dxg, int xo, float[] dhg, int ho);

    /** Floats {@link #pack} writes for a k×n B. */
    default int packedSize(int k, int n) {
        return (n + nr() - 1) / nr() * nr() * k;
    }

    /**
     * Packs B (k×n; element (p, j) at b[bOff + j·ldb + p] when {@code transB}, else at
     * b[bOff + p·ldb + j]) into dst: panel q, step p, column c at dst[q·k·nr + p·nr + c].
     */
    default void pack(boolean transB, int k, int n, float[] b, int bOff, int ldb, float[] dst) {
        packSteps(transB, k, 0, k, n, b, bOff, ldb, dst);
    }

    /**
     * As {@link #pack}, for steps [p0, p0 + steps) of a B of k steps in all, taken from a b whose
     * step 0 is step p0: a B stacked from parts (the rows of [W_ih | W_hh]ᵀ) packs part by part.
     */
    default void packSteps(boolean transB, int k, int p0, int steps, int n, float[] b, int bOff, int ldb, float[] dst) {
        packPanels(transB, k, p0, steps, n, b, bOff, ldb, dst, 0, (n + nr() - 1) / nr());
    }

    /** As {@link #packSteps}, for panels [q0, q1) only: tasks that pack panels apart write what one call would. */
    default void packPanels(boolean transB, int k, int p0, int steps, int n, float[] b, int bOff, int ldb, float[] dst, int q0, int q1) {
        int nr = nr();
        for (int q = q0; q < q1; q++) {
            int base = q * k * nr, j0 = q * nr, cols = Math.min(nr, n - j0);
            if (transB) { // column by column: b read in order, the panel (in cache) written across
                for (int c = 0; c < cols; c++) {
                    int src = bOff + (j0 + c) * ldb, d = base + p0 * nr + c;
                    for (int p = 0; p < steps; p++) dst[d + p * nr] = b[src + p];
                }
            }
            for (int p = 0; p < steps; p++) {
                int d = base + (p0 + p) * nr;
                if (!transB) System.arraycopy(b, bOff + p * ldb + j0, dst, d, cols);
                for (int c = cols; c < nr; c++) dst[d + c] = 0f;
            }
        }
    }

    /** The implementation for a provider: Vector API kernels for the vector one, plain Java otherwise. */
    static RecurrentOps of(Kernels k) {
        return "vector".equals(k.name()) ? VectorHolder.VECTOR : Scalar.INSTANCE;
    }

    /** Loaded only when the vector provider asks for it. */
    final class VectorHolder {
        static final RecurrentOps VECTOR = new VectorRecurrentOps();

        private VectorHolder() {}
    }

    /** Plain Java: each element summed over K in order, 8-column panels. */
    final class Scalar implements RecurrentOps {
        static final Scalar INSTANCE = new Scalar();

        private Scalar() {}

        @Override
        public int nr() {
            return 8;
        }

        @Override
        public void rows(int rows, int n, int k, float[] a, int ao, int lda, float[] bp, float[] bias, float[] c, int co, int ldc) {
            float[] acc = new float[8];
            for (int q = 0; q * 8 < n; q++) {
                int cols = Math.min(8, n - q * 8), base = q * k * 8;
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < 8; j++) acc[j] = bias == null ? 0f : bias[q * 8 + j];
                    int ar = ao + r * lda;
                    for (int p = 0; p < k; p++) {
                        float x = a[ar + p];
                        int bo = base + p * 8;
                        for (int j = 0; j < 8; j++) acc[j] += x * bp[bo + j];
                    }
                    System.arraycopy(acc, 0, c, co + r * ldc + q * 8, cols);
                }
            }
        }

        @Override
        public void rowsT(int rows, int n, int k, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc) {
            float[] acc = new float[8];
            for (int q = 0; q * 8 < n; q++) {
                int cols = Math.min(8, n - q * 8), base = bo + q * k * 8;
                for (int i = 0; i < rows; i++) {
                    java.util.Arrays.fill(acc, 0f);
                    for (int p = 0; p < k; p++) {
                        float x = a[ao + p * lda + i];
                        int b = base + p * 8;
                        for (int j = 0; j < 8; j++) acc[j] += x * bp[b + j];
                    }
                    System.arraycopy(acc, 0, c, co + i * ldc + q * 8, cols);
                }
            }
        }

        @Override
        public void lstmCell(int hid, float[] acts, int a, float[] cs, int prev, int next, float[] tcs, int tc, float[] z, int zh, float[] out, int o) {
            for (int j = 0; j < hid; j++) {
                float i = FloatMath.sigmoid(acts[a + j]), f = FloatMath.sigmoid(acts[a + hid + j]);
                float g = FloatMath.tanh(acts[a + 2 * hid + j]), og = FloatMath.sigmoid(acts[a + 3 * hid + j]);
                acts[a + j] = i;
                acts[a + hid + j] = f;
                acts[a + 2 * hid + j] = g;
                acts[a + 3 * hid + j] = og;
                float c = f * cs[prev + j] + i * g, t = FloatMath.tanh(c), h = og * t;
                cs[next + j] = c;
                tcs[tc + j] = t;
                z[zh + j] = h;
                out[o + j] = h;
            }
        }

        @Override
        public void lstmCellBackward(int hid, float[] acts, int a, float[] tcs, float[] cs, int prev, float[] buf, int dh, int dc, float[] gOut, int go) {
            lstmCellBackwardTail(0, hid, acts, a, tcs, cs, prev, buf, dh, dc, gOut, go);
        }

        @Override
        public void gruCell(int hid, float[] xg, int xo, float[] hg, int ho, float[] acts, int a, float[] hns, int hn, float[] hs, int prev, int next,
                            float[] out, int o) {
            for (int j = 0; j < 2 * hid; j++) acts[a + j] = FloatMath.sigmoid(xg[xo + j] + hg[ho + j]); // r, z
            for (int j = 0; j < hid; j++) { // n
                float h = hg[ho + 2 * hid + j];
                hns[hn + j] = h;
                acts[a + 2 * hid + j] = FloatMath.tanh(xg[xo + 2 * hid + j] + acts[a + j] * h);
            }
            gruStateTail(0, hid, acts, a, hs, prev, next, out, o);
        }

        /** h' of {@link #gruCell} for units [j0, hid). */
        static void gruStateTail(int j0, int hid, float[] acts, int a, float[] hs, int prev, int next, float[] out, int o) {
            for (int j = j0; j < hid; j++) {
                float z = acts[a + hid + j];
                float h = (1f - z) * acts[a + 2 * hid + j] + z * hs[prev + j];
                hs[next + j] = h;
                out[o + j] = h;
            }
        }

        @Override
        public void gruCellBackward(int hid, float[] acts, int a, float[] hns, int hn, float[] hs, int prev, float[] dhs, int dh, float[] gOut, int go,
                                    float[] dNext, int dn, float[] dxg, int xo, float[] dhg, int ho) {
            gruCellBackwardTail(0, hid, acts, a, hns, hn, hs, prev, dhs, dh, gOut, go, dNext, dn, dxg, xo, dhg, ho);
        }

        /** {@link #gruCellBackward} for units [j0, hid). */
        static void gruCellBackwardTail(int j0, int hid, float[] acts, int a, float[] hns, int hn, float[] hs, int prev, float[] dhs, int dh,
                                        float[] gOut, int go, float[] dNext, int dn, float[] dxg, int xo, float[] dhg, int ho) {
            for (int j = j0; j < hid; j++) {
                float r = acts[a + j], z = acts[a + hid + j], n = acts[a + 2 * hid + j];
                float dhv = dhs[dh + j] + gOut[go + j];
                float dnp = dhv * (1f - z) * (1f - n * n);
                float drp = dnp * hns[hn + j] * r * (1f - r);
                float dzp = dhv * (hs[prev + j] - n) * z * (1f - z);
                dhs[dh + j] = dhv;
                dNext[dn + j] = dhv * z;
                dxg[xo + j] = drp;
                dhg[ho + j] = drp;
                dxg[xo + hid + j] = dzp;
                dhg[ho + hid + j] = dzp;
                dxg[xo + 2 * hid + j] = dnp;
                dhg[ho + 2 * hid + j] = dnp * r;
            }
        }

        /** {@link #lstmCellBackward} for units [j0, hid). */
        void lstmCellBackwardTail(int j0, int hid, float[] acts, int a, float[] tcs, float[] cs, int prev, float[] buf, int dh, int dc, float[] gOut, int go) {
            for (int j = j0; j < hid; j++) {
                float i = acts[a + j], f = acts[a + hid + j], gg = acts[a + 2 * hid + j], o = acts[a + 3 * hid + j];
                float tc = tcs[prev + j], dhv = buf[dh + j] + gOut[go + j];
                float dcv = buf[dc + j] + dhv * o * (1f - tc * tc);
                buf[dh + j] = dhv;
                buf[dc + j] = dcv * f;
                acts[a + j] = dcv * gg * i * (1f - i);
                acts[a + hid + j] = dcv * cs[prev + j] * f * (1f - f);
                acts[a + 2 * hid + j] = dcv * i * (1f - gg * gg);
                acts[a + 3 * hid + j] = dhv * tc * o * (1f - o);
            }
        }
    }
}
