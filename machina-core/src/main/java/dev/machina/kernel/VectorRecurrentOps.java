package dev.machina.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RecurrentOps} on the Vector API. The LSTM and GRU cells run L units at a time with
 * {@link VectorKernels#nonlinear}, the same float operations as {@link FloatMath} lane by lane (no
 * fused multiply-add), so it gives the scalar provider's results bit for bit. The product: a register block of MR rows × 2 vectors (MR = 8 with
 * 16-lane vectors, else 4, as the packed GEMM's micro-kernel), A read in place, the accumulators
 * starting from the bias. Rows past the last full block and a last, partial panel go through
 * a zero-padded copy, with the same operations, so every element sees the same sums.
 */
final class VectorRecurrentOps implements RecurrentOps {
    private static final VectorSpecies<Float> S = VectorGemm.S;
    private static final int L = S.length(), NR = 2 * L, MR = L >= 16 ? 8 : 4;
    /** Each thread's padded A rows [0] and blocks of sums [1 + row block] for the edges (grown to the rows of a call). */
    private static final ThreadLocal<float[][]> EDGE = ThreadLocal.withInitial(() -> new float[1 + 1024 / MR][]);

    /** This thread's edge buffers, with room for the row blocks of a call of {@code rows} rows. */
    private static float[][] edges(int rows) {
        float[][] e = EDGE.get();
        int need = 2 + rows / MR;
        if (e.length < need) {
            e = java.util.Arrays.copyOf(e, need);
            EDGE.set(e);
        }
        return e;
    }

    @Override
    public int nr() {
        return NR;
    }

    /**
     * Longest K block. Long blocks measure faster than blocks sized for L1 (a panel of the LSTM's
     * [W_ih | W_hh] or of W_hh is read from L2 by each row block at full speed, while every block
     * boundary stores and reloads the sums): 5% on the LSTM(28→128) step products against blocks of 128.
     */
    private static final int KC = 512;

    @Override
    public void rows(int rows, int n, int k, float[] a, int ao, int lda, float[] bp, float[] bias, float[] c, int co, int ldc) {
        int full = rows / MR * MR, fullCols = n / NR * NR, panels = (n + NR - 1) / NR;
        float[][] edge = null;
        if (full < rows) { // the last rows, zero-padded to a whole block
            edge = edges(rows);
            if (edge[0] == null || edge[0].length < MR * k) edge[0] = new float[MR * k];
            java.util.Arrays.fill(edge[0], 0, MR * k, 0f);
            for (int r = full; r < rows; r++) System.arraycopy(a, ao + r * lda, edge[0], (r - full) * k, k);
        }
        // K in blocks of equal length, at most KC (so one block when K ≤ KC): each row block reads a
        // block of the panel from L2 (see KC); a block resumes from the sums stored by the last, so
        // the sums are those of one pass over K, in order.
        int kBlocks = (k + KC - 1) / KC, kc = (k + kBlocks - 1) / kBlocks;
        for (int q = 0; q < panels; q++) {
            int j0 = q * NR, bo = q * k * NR;
            boolean partial = j0 >= fullCols;
            if (partial && edge == null) edge = edges(rows);
            for (int p0 = 0; p0 < k; p0 += kc) {
                int len = Math.min(kc, k - p0);
                boolean first = p0 == 0;
                for (int r = 0; r < full; r += MR) {
                    if (partial) { // through a whole block of sums kept in edge[1 + r/MR]
                        float[] t = edgeBlock(edge, 1 + r / MR);
                        block(len, a, ao + r * lda + p0, lda, bp, bo + p0 * NR, first ? bias : null, j0, t, 0, NR, !first);
                        if (p0 + len == k) copyOut(t, MR, n - j0, c, co + r * ldc + j0, ldc);
                    } else {
                        block(len, a, ao + r * lda + p0, lda, bp, bo + p0 * NR, first ? bias : null, j0, c, co + r * ldc + j0, ldc, !first);
                    }
                }
                if (full < rows) {
                    float[] t = edgeBlock(edge, 1 + full / MR);
                    block(len, edge[0], p0, k, bp, bo + p0 * NR, first ? bias : null, j0, t, 0, NR, !first);
                    if (p0 + len == k) copyOut(t, rows - full, Math.min(NR, n - j0), c, co + full * ldc + j0, ldc);
                }
            }
        }
    }

    /**
     * K block of {@link #rowsT}: the block of zᵀ it reads (KT steps of whole rows of z) is read by
     * every panel while it is in L2. Long blocks measure fastest, as for {@link #KC}: 17% on the
     * LSTM(28→128) weight-gradient product (K = 28·64) against blocks of 64 sized for L1.
     */
    private static final int KT = 1024;

    @Override
    public void rowsT(int rows, int n, int k, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc) {
        if (rows % MR != 0) throw new IllegalArgumentException("rowsT: " + rows + " rows, not whole blocks of " + MR);
        int kBlocks = (k + KT - 1) / KT, kc = (k + kBlocks - 1) / kBlocks, panels = (n + NR - 1) / NR;
        float[][] edge = null;
        // K blocks outermost: each block of A is read by every panel while it is in cache; each
        // block of C resumes from the sums of the last K block (the same sums as one pass over K)
        for (int p0 = 0; p0 < k; p0 += kc) {
            int len = Math.min(kc, k - p0);
            boolean first = p0 == 0, last = p0 + len == k;
            for (int q = 0; q < panels; q++) {
                int j0 = q * NR, cols = Math.min(NR, n - j0), b0 = bo + q * k * NR + p0 * NR;
                for (int r = 0; r < rows; r += MR) {
                    if (cols < NR) { // the one partial panel, through blocks of sums kept per row block
                        if (edge == null) edge = edges(rows);
                        float[] t = edgeBlock(edge, 1 + r / MR);
                        blockT(len, a, ao + p0 * lda + r, lda, bp, b0, t, 0, NR, !first);
                        if (last) copyOut(t, MR, cols, c, co + r * ldc + j0, ldc);
                    } else {
                        blockT(len, a, ao + p0 * lda + r, lda, bp, b0, c, co + r * ldc + j0, ldc, !first);
                    }
                }
            }
        }
    }

    private static void blockT(int k, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc, boolean resume) {
        if (MR == 8) blockT8(k, a, ao, lda, bp, bo, c, co, ldc, resume);
        else blockT4(k, a, ao, lda, bp, bo, c, co, ldc, resume);
    }

    /** C[8×2L] (+)= A[8×k]·panel, A's element (i, p) at a[ao + p·lda + i]. */
    private static void blockT8(int k, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc, boolean resume) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        if (resume) {
            c00 = FloatVector.fromArray(S, c, co); c01 = FloatVector.fromArray(S, c, co + L);
            c10 = FloatVector.fromArray(S, c, co + ldc); c11 = FloatVector.fromArray(S, c, co + ldc + L);
            c20 = FloatVector.fromArray(S, c, co + 2 * ldc); c21 = FloatVector.fromArray(S, c, co + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, co + 3 * ldc); c31 = FloatVector.fromArray(S, c, co + 3 * ldc + L);
            c40 = FloatVector.fromArray(S, c, co + 4 * ldc); c41 = FloatVector.fromArray(S, c, co + 4 * ldc + L);
            c50 = FloatVector.fromArray(S, c, co + 5 * ldc); c51 = FloatVector.fromArray(S, c, co + 5 * ldc + L);
            c60 = FloatVector.fromArray(S, c, co + 6 * ldc); c61 = FloatVector.fromArray(S, c, co + 6 * ldc + L);
            c70 = FloatVector.fromArray(S, c, co + 7 * ldc); c71 = FloatVector.fromArray(S, c, co + 7 * ldc + L);
        }
        for (int p = 0; p < k; p++) {
            int ap = ao + p * lda;
            FloatVector b0 = FloatVector.fromArray(S, bp, bo + p * NR);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + p * NR + L);
            FloatVector x;
            x = FloatVector.broadcast(S, a[ap]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ap + 1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ap + 2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ap + 3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ap + 4]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ap + 5]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ap + 6]); c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ap + 7]); c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        c00.intoArray(c, co); c01.intoArray(c, co + L);
        c10.intoArray(c, co + ldc); c11.intoArray(c, co + ldc + L);
        c20.intoArray(c, co + 2 * ldc); c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc); c31.intoArray(c, co + 3 * ldc + L);
        c40.intoArray(c, co + 4 * ldc); c41.intoArray(c, co + 4 * ldc + L);
        c50.intoArray(c, co + 5 * ldc); c51.intoArray(c, co + 5 * ldc + L);
        c60.intoArray(c, co + 6 * ldc); c61.intoArray(c, co + 6 * ldc + L);
        c70.intoArray(c, co + 7 * ldc); c71.intoArray(c, co + 7 * ldc + L);
    }

    /** C[4×2L] (+)= A[4×k]·panel, A's element (i, p) at a[ao + p·lda + i]. */
    private static void blockT4(int k, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc, boolean resume) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        if (resume) {
            c00 = FloatVector.fromArray(S, c, co); c01 = FloatVector.fromArray(S, c, co + L);
            c10 = FloatVector.fromArray(S, c, co + ldc); c11 = FloatVector.fromArray(S, c, co + ldc + L);
            c20 = FloatVector.fromArray(S, c, co + 2 * ldc); c21 = FloatVector.fromArray(S, c, co + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, co + 3 * ldc); c31 = FloatVector.fromArray(S, c, co + 3 * ldc + L);
        }
        for (int p = 0; p < k; p++) {
            int ap = ao + p * lda;
            FloatVector b0 = FloatVector.fromArray(S, bp, bo + p * NR);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + p * NR + L);
            FloatVector x;
            x = FloatVector.broadcast(S, a[ap]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ap + 1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ap + 2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ap + 3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
        }
        c00.intoArray(c, co); c01.intoArray(c, co + L);
        c10.intoArray(c, co + ldc); c11.intoArray(c, co + ldc + L);
        c20.intoArray(c, co + 2 * ldc); c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc); c31.intoArray(c, co + 3 * ldc + L);
    }

    /** The i-th MR×NR block of sums in a thread's edge buffers (grown on first use). */
    private static float[] edgeBlock(float[][] edge, int i) {
        if (i >= edge.length) throw new IllegalStateException("too many rows for one call: " + i);
        if (edge[i] == null) edge[i] = new float[MR * NR];
        return edge[i];
    }

    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);

    /**
     * In passes of one non-linearity each ({@link VectorKernels#nonlinear}, which calls nothing
     * but the Vector API): a loop evaluating several exponentials grows past what C2 inlines.
     */
    @Override
    public void lstmCell(int hid, float[] acts, int a, float[] cs, int prev, int next, float[] tcs, int tc, float[] z, int zh, float[] out, int o) {
        int ub = S.loopBound(hid);
        sigmoids(acts, a, 2 * hid);                       // i, f
        tanhs(acts, a + 2 * hid, acts, a + 2 * hid, hid); // g
        sigmoids(acts, a + 3 * hid, hid);                 // o
        for (int j = 0; j < ub; j += L) {
            FloatVector i = FloatVector.fromArray(S, acts, a + j), f = FloatVector.fromArray(S, acts, a + hid + j);
            FloatVector g = FloatVector.fromArray(S, acts, a + 2 * hid + j);
            f.mul(FloatVector.fromArray(S, cs, prev + j)).add(i.mul(g)).intoArray(cs, next + j);
        }
        for (int j = ub; j < hid; j++) cs[next + j] = acts[a + hid + j] * cs[prev + j] + acts[a + j] * acts[a + 2 * hid + j];
        tanhs(cs, next, tcs, tc, hid);
        for (int j = 0; j < ub; j += L) {
            FloatVector h = FloatVector.fromArray(S, acts, a + 3 * hid + j).mul(FloatVector.fromArray(S, tcs, tc + j));
            h.intoArray(z, zh + j);
            h.intoArray(out, o + j);
        }
        for (int j = ub; j < hid; j++) {
            float h = acts[a + 3 * hid + j] * tcs[tc + j];
            z[zh + j] = h;
            out[o + j] = h;
        }
    }

    /** x[xo .. xo+n) = σ(x) in place. */
    private static void sigmoids(float[] x, int xo, int n) {
        VectorKernels.nonlinear(VectorKernels.SIGMOID, x, xo, x, xo, n);
    }

    /** out[oo ..] = tanh(x[xo ..]) over n. */
    private static void tanhs(float[] x, int xo, float[] out, int oo, int n) {
        VectorKernels.nonlinear(VectorKernels.TANH, x, xo, out, oo, n);
    }

    @Override
    public void lstmCellBackward(int hid, float[] acts, int a, float[] tcs, float[] cs, int prev, float[] buf, int dh, int dc, float[] gOut, int go) {
        int j = 0, ub = S.loopBound(hid);
        for (; j < ub; j += L) {
            FloatVector i = FloatVector.fromArray(S, acts, a + j), f = FloatVector.fromArray(S, acts, a + hid + j);
            FloatVector gg = FloatVector.fromArray(S, acts, a + 2 * hid + j), o = FloatVector.fromArray(S, acts, a + 3 * hid + j);
            FloatVector tc = FloatVector.fromArray(S, tcs, prev + j);
            FloatVector dhv = FloatVector.fromArray(S, buf, dh + j).add(FloatVector.fromArray(S, gOut, go + j));
            FloatVector dcv = FloatVector.fromArray(S, buf, dc + j).add(dhv.mul(o).mul(ONE.sub(tc.mul(tc))));
            dhv.intoArray(buf, dh + j);
            dcv.mul(f).intoArray(buf, dc + j);
            dcv.mul(gg).mul(i).mul(ONE.sub(i)).intoArray(acts, a + j);
            dcv.mul(FloatVector.fromArray(S, cs, prev + j)).mul(f).mul(ONE.sub(f)).intoArray(acts, a + hid + j);
            dcv.mul(i).mul(ONE.sub(gg.mul(gg))).intoArray(acts, a + 2 * hid + j);
            dhv.mul(tc).mul(o).mul(ONE.sub(o)).intoArray(acts, a + 3 * hid + j);
        }
        if (j < hid) RecurrentOps.Scalar.INSTANCE.lstmCellBackwardTail(j, hid, acts, a, tcs, cs, prev, buf, dh, dc, gOut, go);
    }

    /**
     * In passes, as {@link #lstmCell}: the pre-activations first, then each non-linearity over
     * them in place ({@link #sigmoids}, {@link #tanhs}).
     */
    @Override
    public void gruCell(int hid, float[] xg, int xo, float[] hg, int ho, float[] acts, int a, float[] hns, int hn, float[] hs, int prev, int next,
                        float[] out, int o) {
        int g2 = 2 * hid, ub2 = S.loopBound(g2), ub = S.loopBound(hid);
        int j = 0;
        for (; j < ub2; j += L) FloatVector.fromArray(S, xg, xo + j).add(FloatVector.fromArray(S, hg, ho + j)).intoArray(acts, a + j);
        for (; j < g2; j++) acts[a + j] = xg[xo + j] + hg[ho + j];
        sigmoids(acts, a, g2); // r, z
        for (j = 0; j < ub; j += L) { // n's pre-activation
            FloatVector h = FloatVector.fromArray(S, hg, ho + g2 + j);
            h.intoArray(hns, hn + j);
            FloatVector.fromArray(S, xg, xo + g2 + j).add(FloatVector.fromArray(S, acts, a + j).mul(h)).intoArray(acts, a + g2 + j);
        }
        for (; j < hid; j++) {
            float h = hg[ho + g2 + j];
            hns[hn + j] = h;
            acts[a + g2 + j] = xg[xo + g2 + j] + acts[a + j] * h;
        }
        tanhs(acts, a + g2, acts, a + g2, hid); // n
        for (j = 0; j < ub; j += L) { // h'
            FloatVector z = FloatVector.fromArray(S, acts, a + hid + j);
            FloatVector h = ONE.sub(z).mul(FloatVector.fromArray(S, acts, a + g2 + j)).add(z.mul(FloatVector.fromArray(S, hs, prev + j)));
            h.intoArray(hs, next + j);
            h.intoArray(out, o + j);
        }
        RecurrentOps.Scalar.gruStateTail(ub, hid, acts, a, hs, prev, next, out, o);
    }

    @Override
    public void gruCellBackward(int hid, float[] acts, int a, float[] hns, int hn, float[] hs, int prev, float[] dhs, int dh, float[] gOut, int go,
                                float[] dNext, int dn, float[] dxg, int xo, float[] dhg, int ho) {
        int j = 0, ub = S.loopBound(hid);
        for (; j < ub; j += L) {
            FloatVector r = FloatVector.fromArray(S, acts, a + j), z = FloatVector.fromArray(S, acts, a + hid + j);
            FloatVector n = FloatVector.fromArray(S, acts, a + 2 * hid + j);
            FloatVector dhv = FloatVector.fromArray(S, dhs, dh + j).add(FloatVector.fromArray(S, gOut, go + j));
            FloatVector dnp = dhv.mul(ONE.sub(z)).mul(ONE.sub(n.mul(n)));
            FloatVector drp = dnp.mul(FloatVector.fromArray(S, hns, hn + j)).mul(r).mul(ONE.sub(r));
            FloatVector dzp = dhv.mul(FloatVector.fromArray(S, hs, prev + j).sub(n)).mul(z).mul(ONE.sub(z));
            dhv.intoArray(dhs, dh + j);
            dhv.mul(z).intoArray(dNext, dn + j);
            drp.intoArray(dxg, xo + j);
            drp.intoArray(dhg, ho + j);
            dzp.intoArray(dxg, xo + hid + j);
            dzp.intoArray(dhg, ho + hid + j);
            dnp.intoArray(dxg, xo + 2 * hid + j);
            dnp.mul(r).intoArray(dhg, ho + 2 * hid + j);
        }
        if (j < hid) RecurrentOps.Scalar.gruCellBackwardTail(j, hid, acts, a, hns, hn, hs, prev, dhs, dh, gOut, go, dNext, dn, dxg, xo, dhg, ho);
    }

    @Override
    public void panelColumnSums(int k, float[] bp, int bo, int cols, float[] out, int oo) {
        FloatVector s0 = FloatVector.zero(S), s1 = s0;
        for (int p = 0; p < k; p++) {
            s0 = s0.add(FloatVector.fromArray(S, bp, bo + p * NR));
            s1 = s1.add(FloatVector.fromArray(S, bp, bo + p * NR + L));
        }
        if (cols == NR) {
            s0.intoArray(out, oo);
            s1.intoArray(out, oo + L);
        } else {
            float[] t = new float[NR];
            s0.intoArray(t, 0);
            s1.intoArray(t, L);
            System.arraycopy(t, 0, out, oo, cols);
        }
    }

    private static void copyOut(float[] t, int rows, int cols, float[] c, int co, int ldc) {
        for (int r = 0; r < rows; r++) System.arraycopy(t, r * NR, c, co + r * ldc, cols);
    }

    /** C[MR×NR] = bias (or, with {@code resume}, C itself) + A[MR×k]·panel. */
    private static void block(int k, float[] a, int ao, int lda, float[] bp, int bo, float[] bias, int j0, float[] c, int co, int ldc, boolean resume) {
        if (MR == 8) block8(k, a, ao, lda, bp, bo, bias, j0, c, co, ldc, resume);
        else block4(k, a, ao, lda, bp, bo, bias, j0, c, co, ldc, resume);
    }

    /** C[8×2L] = bias + A[8×k]·panel. */
    private static void block8(int k, float[] a, int ao, int lda, float[] bp, int bo, float[] bias, int j0, float[] c, int co, int ldc, boolean resume) {
        FloatVector z0 = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, j0);
        FloatVector z1 = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, j0 + L);
        FloatVector c00 = z0, c01 = z1, c10 = z0, c11 = z1, c20 = z0, c21 = z1, c30 = z0, c31 = z1;
        FloatVector c40 = z0, c41 = z1, c50 = z0, c51 = z1, c60 = z0, c61 = z1, c70 = z0, c71 = z1;
        if (resume) {
            c00 = FloatVector.fromArray(S, c, co); c01 = FloatVector.fromArray(S, c, co + L);
            c10 = FloatVector.fromArray(S, c, co + ldc); c11 = FloatVector.fromArray(S, c, co + ldc + L);
            c20 = FloatVector.fromArray(S, c, co + 2 * ldc); c21 = FloatVector.fromArray(S, c, co + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, co + 3 * ldc); c31 = FloatVector.fromArray(S, c, co + 3 * ldc + L);
            c40 = FloatVector.fromArray(S, c, co + 4 * ldc); c41 = FloatVector.fromArray(S, c, co + 4 * ldc + L);
            c50 = FloatVector.fromArray(S, c, co + 5 * ldc); c51 = FloatVector.fromArray(S, c, co + 5 * ldc + L);
            c60 = FloatVector.fromArray(S, c, co + 6 * ldc); c61 = FloatVector.fromArray(S, c, co + 6 * ldc + L);
            c70 = FloatVector.fromArray(S, c, co + 7 * ldc); c71 = FloatVector.fromArray(S, c, co + 7 * ldc + L);
        }
        int r0 = ao, r1 = ao + lda, r2 = ao + 2 * lda, r3 = ao + 3 * lda, r4 = ao + 4 * lda, r5 = ao + 5 * lda, r6 = ao + 6 * lda, r7 = ao + 7 * lda;
        for (int p = 0; p < k; p++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo + p * NR);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + p * NR + L);
            FloatVector x;
            x = FloatVector.broadcast(S, a[r0 + p]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[r1 + p]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[r2 + p]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[r3 + p]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[r4 + p]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[r5 + p]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[r6 + p]); c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[r7 + p]); c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        c00.intoArray(c, co); c01.intoArray(c, co + L);
        c10.intoArray(c, co + ldc); c11.intoArray(c, co + ldc + L);
        c20.intoArray(c, co + 2 * ldc); c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc); c31.intoArray(c, co + 3 * ldc + L);
        c40.intoArray(c, co + 4 * ldc); c41.intoArray(c, co + 4 * ldc + L);
        c50.intoArray(c, co + 5 * ldc); c51.intoArray(c, co + 5 * ldc + L);
        c60.intoArray(c, co + 6 * ldc); c61.intoArray(c, co + 6 * ldc + L);
        c70.intoArray(c, co + 7 * ldc); c71.intoArray(c, co + 7 * ldc + L);
    }

    /** C[4×2L] = bias + A[4×k]·panel. */
    private static void block4(int k, float[] a, int ao, int lda, float[] bp, int bo, float[] bias, int j0, float[] c, int co, int ldc, boolean resume) {
        FloatVector z0 = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, j0);
        FloatVector z1 = bias == null ? FloatVector.zero(S) : FloatVector.fromArray(S, bias, j0 + L);
        FloatVector c00 = z0, c01 = z1, c10 = z0, c11 = z1, c20 = z0, c21 = z1, c30 = z0, c31 = z1;
        if (resume) {
            c00 = FloatVector.fromArray(S, c, co); c01 = FloatVector.fromArray(S, c, co + L);
            c10 = FloatVector.fromArray(S, c, co + ldc); c11 = FloatVector.fromArray(S, c, co + ldc + L);
            c20 = FloatVector.fromArray(S, c, co + 2 * ldc); c21 = FloatVector.fromArray(S, c, co + 2 * ldc + L);
            c30 = FloatVector.fromArray(S, c, co + 3 * ldc); c31 = FloatVector.fromArray(S, c, co + 3 * ldc + L);
        }
        int r0 = ao, r1 = ao + lda, r2 = ao + 2 * lda, r3 = ao + 3 * lda;
        for (int p = 0; p < k; p++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo + p * NR);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + p * NR + L);
            FloatVector x;
            x = FloatVector.broadcast(S, a[r0 + p]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[r1 + p]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[r2 + p]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[r3 + p]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
        }
        c00.intoArray(c, co); c01.intoArray(c, co + L);
        c10.intoArray(c, co + ldc); c11.intoArray(c, co + ldc + L);
        c20.intoArray(c, co + 2 * ldc); c21.intoArray(c, co + 2 * ldc + L);
        c30.intoArray(c, co + 3 * ldc); c31.intoArray(c, co + 3 * ldc + L);
    }
}
