package dev.machina.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packed, cache-blocked SGEMM on the Vector API (Goto/BLIS structure).
 *
 * <p>C is cut into tiles of at most MC×NC; each tile is one parallel task, computed whole by
 * one thread, looping over K in blocks of KC in order. Inside a tile, B's KC×NC block is packed
 * into panels NR = 2 vectors wide and A's MC×KC block into panels MR rows tall; a register
 * micro-kernel of MR×2 vector accumulators (FMA) computes each MR×NR piece. Every element of C
 * therefore sees the same sequence of operations whatever the tile sizes or thread count:
 * results are bit-identical for 1 and for N threads.
 *
 * <p>MR is 8 with 512-bit vectors (32 registers: 16 accumulators + 2 B + 1 broadcast) and 4
 * with 256-bit ones (16 registers), the shape measured to compile without spills.
 */
final class VectorGemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final int NR = 2 * L;
    static final int MR = Integer.getInteger("machina.gemm.mr", L >= 16 ? 8 : 4);
    static final int KC = Integer.getInteger("machina.gemm.kc", 256);
    static final int MC = roundUp(Integer.getInteger("machina.gemm.mc", 128), MR);
    static final int NC = roundUp(Integer.getInteger("machina.gemm.nc", 512), NR);

    private static final ThreadLocal<float[][]> BUFFERS =
            ThreadLocal.withInitial(() -> new float[][] {new float[MC * KC], new float[KC * NC], new float[MR * NR]});

    private VectorGemm() {}

    static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }

    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate) for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            return;
        }
        int threads = Parallel.threads();
        int mc = Math.min(MC, roundUp(m, MR));
        int nc = Math.min(NC, roundUp(n, NR));
        long flops = (long) m * n * k;
        int wanted = flops < 200_000 ? 1 : 2 * threads;
        while (ceilDiv(m, mc) * ceilDiv(n, nc) < wanted && (nc > NR || mc > MR)) {
            if (nc >= mc && nc > NR) nc = roundUp(nc / 2, NR);
            else if (mc > MR) mc = roundUp(mc / 2, MR);
            else nc = roundUp(nc / 2, NR);
        }
        final int fmc = mc, fnc = nc;
        int mTiles = ceilDiv(m, mc), nTiles = ceilDiv(n, nc);
        int tasks = mTiles * nTiles;
        Parallel.forEach(tasks, flops < 200_000 ? 1 : Integer.MAX_VALUE, t -> {
            int i0 = (t % mTiles) * fmc, j0 = (t / mTiles) * fnc;
            tile(transA, transB, i0, Math.min(fmc, m - i0), j0, Math.min(fnc, n - j0), k,
                    a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
        });
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    private static void tile(boolean transA, boolean transB, int i0, int mc, int j0, int nc, int k,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, boolean accumulate) {
        float[][] buf = BUFFERS.get();
        float[] ap = buf[0], bp = buf[1], tmp = buf[2];
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc);
            boolean add = accumulate || pc > 0;
            packB(transB, b, bOff, ldb, pc, kc, j0, nc, bp);
            packA(transA, a, aOff, lda, pc, kc, i0, mc, ap);
            for (int jr = 0; jr < nc; jr += NR) {
                int nr = Math.min(NR, nc - jr);
                int bo = jr * kc;
                for (int ir = 0; ir < mc; ir += MR) {
                    int mr = Math.min(MR, mc - ir);
                    int ao = ir * kc;
                    int co = cOff + (i0 + ir) * ldc + j0 + jr;
                    if (mr == MR && nr == NR) {
                        micro(kc, ap, ao, bp, bo, c, co, ldc, add);
                    } else {
                        micro(kc, ap, ao, bp, bo, tmp, 0, NR, false);
                        for (int i = 0; i < mr; i++) {
                            int ci = co + i * ldc, ti = i * NR;
                            if (add) for (int j = 0; j < nr; j++) c[ci + j] += tmp[ti + j];
                            else System.arraycopy(tmp, ti, c, ci, nr);
                        }
                    }
                }
            }
        }
    }

    private static void micro(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        switch (MR) {
            case 8 -> kernel8(kc, ap, ao, bp, bo, c, co, ldc, add);
            case 6 -> kernel6(kc, ap, ao, bp, bo, c, co, ldc, add);
            default -> kernel4(kc, ap, ao, bp, bo, c, co, ldc, add);
        }
    }

    /** Packs op(A)[i0:i0+mc, pc:pc+kc] into MR-row panels, kc steps of MR values each; pads with zeros. */
    private static void packA(boolean transA, float[] a, int aOff, int lda, int pc, int kc, int i0, int mc, float[] ap) {
        for (int ir = 0; ir < mc; ir += MR) {
            int base = ir * kc;
            int mr = Math.min(MR, mc - ir);
            if (transA) { // A stored k×m: row p of A holds op(A)[:, p]
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (pc + p) * lda + i0 + ir, dst = base + p * MR;
                    System.arraycopy(a, src, ap, dst, mr);
                    for (int i = mr; i < MR; i++) ap[dst + i] = 0f;
                }
            } else {
                for (int i = 0; i < mr; i++) {
                    int src = aOff + (i0 + ir + i) * lda + pc, dst = base + i;
                    for (int p = 0; p < kc; p++) ap[dst + p * MR] = a[src + p];
                }
                for (int i = mr; i < MR; i++) for (int p = 0; p < kc; p++) ap[base + i + p * MR] = 0f;
            }
        }
    }

    /** Packs op(B)[pc:pc+kc, j0:j0+nc] into NR-column panels, kc steps of NR values each; pads with zeros. */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int j0, int nc, float[] bp) {
        for (int jr = 0; jr < nc; jr += NR) {
            int base = jr * kc;
            int nr = Math.min(NR, nc - jr);
            if (!transB) {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (pc + p) * ldb + j0 + jr, dst = base + p * NR;
                    System.arraycopy(b, src, bp, dst, nr);
                    for (int j = nr; j < NR; j++) bp[dst + j] = 0f;
                }
            } else { // B stored n×k: row j of B holds op(B)[:, j]
                for (int j = 0; j < nr; j++) {
                    int src = bOff + (j0 + jr + j) * ldb + pc, dst = base + j;
                    for (int p = 0; p < kc; p++) bp[dst + p * NR] = b[src + p];
                }
                for (int j = nr; j < NR; j++) for (int p = 0; p < kc; p++) bp[base + j + p * NR] = 0f;
            }
        }
    }

    /** C[4×2L] (+)= A-panel·B-panel over kc steps; A packed 4 per step, B packed 2L per step. */
    private static void kernel4(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ao + 0]); c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ao + 1]); c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ao + 2]); c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ao + 3]); c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
            ao += 4;
            bo += NR;
        }
        if (add) {
            FloatVector.fromArray(S, c, co + 0 * ldc).add(c00).intoArray(c, co + 0 * ldc);
            FloatVector.fromArray(S, c, co + 0 * ldc + L).add(c01).intoArray(c, co + 0 * ldc + L);
            FloatVector.fromArray(S, c, co + 1 * ldc).add(c10).intoArray(c, co + 1 * ldc);
            FloatVector.fromArray(S, c, co + 1 * ldc + L).add(c11).intoArray(c, co + 1 * ldc + L);
            FloatVector.fromArray(S, c, co + 2 * ldc).add(c20).intoArray(c, co + 2 * ldc);
            FloatVector.fromArray(S, c, co + 2 * ldc + L).add(c21).intoArray(c, co + 2 * ldc + L);
            FloatVector.fromArray(S, c, co + 3 * ldc).add(c30).intoArray(c, co + 3 * ldc);
            FloatVector.fromArray(S, c, co + 3 * ldc + L).add(c31).intoArray(c, co + 3 * ldc + L);
        } else {
            c00.intoArray(c, co + 0 * ldc);
            c01.intoArray(c, co + 0 * ldc + L);
            c10.intoArray(c, co + 1 * ldc);
            c11.intoArray(c, co + 1 * ldc + L);
            c20.intoArray(c, co + 2 * ldc);
            c21.intoArray(c, co + 2 * ldc + L);
            c30.intoArray(c, co + 3 * ldc);
            c31.intoArray(c, co + 3 * ldc + L);
        }
    }

    /** C[6×2L] (+)= A-panel·B-panel over kc steps; A packed 6 per step, B packed 2L per step. */
    private static void kernel6(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ao + 0]); c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ao + 1]); c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ao + 2]); c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ao + 3]); c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, ap[ao + 4]); c40 = a.fma(b0, c40); c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, ap[ao + 5]); c50 = a.fma(b0, c50); c51 = a.fma(b1, c51);
            ao += 6;
            bo += NR;
        }
        if (add) {
            FloatVector.fromArray(S, c, co + 0 * ldc).add(c00).intoArray(c, co + 0 * ldc);
            FloatVector.fromArray(S, c, co + 0 * ldc + L).add(c01).intoArray(c, co + 0 * ldc + L);
            FloatVector.fromArray(S, c, co + 1 * ldc).add(c10).intoArray(c, co + 1 * ldc);
            FloatVector.fromArray(S, c, co + 1 * ldc + L).add(c11).intoArray(c, co + 1 * ldc + L);
            FloatVector.fromArray(S, c, co + 2 * ldc).add(c20).intoArray(c, co + 2 * ldc);
            FloatVector.fromArray(S, c, co + 2 * ldc + L).add(c21).intoArray(c, co + 2 * ldc + L);
            FloatVector.fromArray(S, c, co + 3 * ldc).add(c30).intoArray(c, co + 3 * ldc);
            FloatVector.fromArray(S, c, co + 3 * ldc + L).add(c31).intoArray(c, co + 3 * ldc + L);
            FloatVector.fromArray(S, c, co + 4 * ldc).add(c40).intoArray(c, co + 4 * ldc);
            FloatVector.fromArray(S, c, co + 4 * ldc + L).add(c41).intoArray(c, co + 4 * ldc + L);
            FloatVector.fromArray(S, c, co + 5 * ldc).add(c50).intoArray(c, co + 5 * ldc);
            FloatVector.fromArray(S, c, co + 5 * ldc + L).add(c51).intoArray(c, co + 5 * ldc + L);
        } else {
            c00.intoArray(c, co + 0 * ldc);
            c01.intoArray(c, co + 0 * ldc + L);
            c10.intoArray(c, co + 1 * ldc);
            c11.intoArray(c, co + 1 * ldc + L);
            c20.intoArray(c, co + 2 * ldc);
            c21.intoArray(c, co + 2 * ldc + L);
            c30.intoArray(c, co + 3 * ldc);
            c31.intoArray(c, co + 3 * ldc + L);
            c40.intoArray(c, co + 4 * ldc);
            c41.intoArray(c, co + 4 * ldc + L);
            c50.intoArray(c, co + 5 * ldc);
            c51.intoArray(c, co + 5 * ldc + L);
        }
    }

    /** C[8×2L] (+)= A-panel·B-panel over kc steps; A packed 8 per step, B packed 2L per step. */
    private static void kernel8(int kc, float[] ap, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + L);
            FloatVector a;
            a = FloatVector.broadcast(S, ap[ao + 0]); c00 = a.fma(b0, c00); c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ao + 1]); c10 = a.fma(b0, c10); c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ao + 2]); c20 = a.fma(b0, c20); c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ao + 3]); c30 = a.fma(b0, c30); c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, ap[ao + 4]); c40 = a.fma(b0, c40); c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, ap[ao + 5]); c50 = a.fma(b0, c50); c51 = a.fma(b1, c51);
            a = FloatVector.broadcast(S, ap[ao + 6]); c60 = a.fma(b0, c60); c61 = a.fma(b1, c61);
            a = FloatVector.broadcast(S, ap[ao + 7]); c70 = a.fma(b0, c70); c71 = a.fma(b1, c71);
            ao += 8;
            bo += NR;
        }
        if (add) {
            FloatVector.fromArray(S, c, co + 0 * ldc).add(c00).intoArray(c, co + 0 * ldc);
            FloatVector.fromArray(S, c, co + 0 * ldc + L).add(c01).intoArray(c, co + 0 * ldc + L);
            FloatVector.fromArray(S, c, co + 1 * ldc).add(c10).intoArray(c, co + 1 * ldc);
            FloatVector.fromArray(S, c, co + 1 * ldc + L).add(c11).intoArray(c, co + 1 * ldc + L);
            FloatVector.fromArray(S, c, co + 2 * ldc).add(c20).intoArray(c, co + 2 * ldc);
            FloatVector.fromArray(S, c, co + 2 * ldc + L).add(c21).intoArray(c, co + 2 * ldc + L);
            FloatVector.fromArray(S, c, co + 3 * ldc).add(c30).intoArray(c, co + 3 * ldc);
            FloatVector.fromArray(S, c, co + 3 * ldc + L).add(c31).intoArray(c, co + 3 * ldc + L);
            FloatVector.fromArray(S, c, co + 4 * ldc).add(c40).intoArray(c, co + 4 * ldc);
            FloatVector.fromArray(S, c, co + 4 * ldc + L).add(c41).intoArray(c, co + 4 * ldc + L);
            FloatVector.fromArray(S, c, co + 5 * ldc).add(c50).intoArray(c, co + 5 * ldc);
            FloatVector.fromArray(S, c, co + 5 * ldc + L).add(c51).intoArray(c, co + 5 * ldc + L);
            FloatVector.fromArray(S, c, co + 6 * ldc).add(c60).intoArray(c, co + 6 * ldc);
            FloatVector.fromArray(S, c, co + 6 * ldc + L).add(c61).intoArray(c, co + 6 * ldc + L);
            FloatVector.fromArray(S, c, co + 7 * ldc).add(c70).intoArray(c, co + 7 * ldc);
            FloatVector.fromArray(S, c, co + 7 * ldc + L).add(c71).intoArray(c, co + 7 * ldc + L);
        } else {
            c00.intoArray(c, co + 0 * ldc);
            c01.intoArray(c, co + 0 * ldc + L);
            c10.intoArray(c, co + 1 * ldc);
            c11.intoArray(c, co + 1 * ldc + L);
            c20.intoArray(c, co + 2 * ldc);
            c21.intoArray(c, co + 2 * ldc + L);
            c30.intoArray(c, co + 3 * ldc);
            c31.intoArray(c, co + 3 * ldc + L);
            c40.intoArray(c, co + 4 * ldc);
            c41.intoArray(c, co + 4 * ldc + L);
            c50.intoArray(c, co + 5 * ldc);
            c51.intoArray(c, co + 5 * ldc + L);
            c60.intoArray(c, co + 6 * ldc);
            c61.intoArray(c, co + 6 * ldc + L);
            c70.intoArray(c, co + 7 * ldc);
            c71.intoArray(c, co + 7 * ldc + L);
        }
    }
}
