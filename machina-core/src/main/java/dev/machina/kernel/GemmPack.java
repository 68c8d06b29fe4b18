package dev.machina.kernel;

import static dev.machina.kernel.VectorGemm.L;
import static dev.machina.kernel.VectorGemm.MR;
import static dev.machina.kernel.VectorGemm.NR;
import static dev.machina.kernel.VectorGemm.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packing for the GEMM: panels of op(A) MR rows tall and of op(B) NR columns wide, laid out step
 * by step as the micro-kernels read them, optionally in a permuted step order ({@link #slot});
 * and the 8×8 register transposes the packing and the transposed store use.
 */
final class GemmPack {
    private GemmPack() {}

    /**
     * Whether packed A panels take their steps in {@link #slot} order: 8-lane vectors and 4-row
     * panels, whose interleave then needs one butterfly stage fewer.
     */
    static final boolean PERMUTE = MR == 4 && L == 8;

    /**
     * The slot that step p of a K block takes in a packed panel of A or B when steps are
     * permuted: inside each full block of eight, steps 0–7 go to slots 0, 2, 4, 6, 1, 3, 5, 7
     * (the order {@link #interleave4} leaves them in, having skipped the lane-crossing stage); the
     * steps after the last full block keep their place. A and B of a product are packed alike, so
     * every step still meets its own partner, in a fixed order; only the order of the sum changes.
     */
    static int slot(int p, int kc, boolean perm) {
        if (!perm || p >= (kc & ~7)) return p;
        return (p & ~7) | ((p & 3) << 1) | ((p >> 2) & 1);
    }

    /**
     * Packs rows [r0, r0+rows) of op(A), steps [pc, pc+kc), as kc steps of MR values at dst (in
     * {@link #slot} order if {@code perm}); pads with zeros.
     */
    static void packRows(float[] a, int aOff, int si, int sp, int r0, int rows, int pc, int kc, float[] dst, int d0, boolean perm) {
        if (rows < MR) java.util.Arrays.fill(dst, d0, d0 + MR * kc, 0f);
        if (si == 1) { // transposed A: the MR values of a step are contiguous
            int p0 = 0;
            if (perm && rows == MR) { // eight steps at a time, two per vector (see pairSteps)
                int src = aOff + r0 + pc * sp;
                for (; p0 + 8 <= kc && src + (p0 + 7) * sp + L <= a.length; p0 += 8) pairSteps(a, src + p0 * sp, sp, dst, d0 + p0 * MR);
            }
            if (MR == 8 && rows == MR) { // 16-lane vectors: a step's eight values are one 8-lane vector
                int src = aOff + r0 + pc * sp;
                for (; p0 < kc; p0++) FloatVector.fromArray(S8, a, src + p0 * sp).intoArray(dst, d0 + p0 * MR);
            }
            for (int p = p0; p < kc; p++) System.arraycopy(a, aOff + r0 + (pc + p) * sp, dst, d0 + slot(p, kc, perm) * MR, rows);
            return;
        }
        if (sp == 1 && rows == MR) { // a full panel of rows along K: step by step, MR reads and one contiguous run of writes
            int src = aOff + r0 * si + pc, p0 = 0;
            if (perm) { // MR = 4, L = 8: eight steps at a time, interleaved in registers
                for (; p0 + 8 <= kc; p0 += 8) interleave4(a, src + p0, si, dst, d0 + p0 * MR);
            } else if (MR == 8) { // 16-lane vectors: eight steps of the eight rows, an 8×8 transpose in registers
                for (; p0 + 8 <= kc; p0 += 8) transpose8(a, src + p0, si, dst, d0 + p0 * MR, MR, MR, false);
            }
            for (int p = p0; p < kc; p++) { // past the last full block: slot(p) = p
                int d = d0 + p * MR, s = src + p;
                for (int i = 0; i < MR; i++) dst[d + i] = a[s + i * si];
            }
            return;
        }
        for (int i = 0; i < rows; i++) {
            int src = aOff + (r0 + i) * si + pc * sp;
            for (int p = 0; p < kc; p++) dst[d0 + slot(p, kc, perm) * MR + i] = a[src + p * sp];
        }
    }

    /**
     * Packs op(B)[pc:pc+kc, j0:j0+nc] into NR-column panels at bp[d0 + (jr/NR)·kc·NR], kc steps
     * of NR values each (in {@link #slot} order if {@code perm}); pads with zeros.
     */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int j0, int nc, float[] bp, int d0, boolean perm) {
        int full = nc / NR * NR;
        if (!transB) {
            // row by row of B (contiguous reads), each row's NR-wide pieces to their panels
            for (int p = 0; p < kc; p++) {
                int src = bOff + (pc + p) * ldb + j0, dst = d0 + slot(p, kc, perm) * NR;
                for (int jr = 0; jr < full; jr += NR) {
                    int s0 = src + jr, t0 = dst + jr * kc;
                    FloatVector.fromArray(S, b, s0).intoArray(bp, t0);
                    FloatVector.fromArray(S, b, s0 + L).intoArray(bp, t0 + L);
                }
                if (full < nc) {
                    int t0 = dst + full * kc, nr = nc - full;
                    System.arraycopy(b, src + full, bp, t0, nr);
                    java.util.Arrays.fill(bp, t0 + nr, t0 + NR, 0f);
                }
            }
            return;
        }
        // B stored n×k: row j of B holds op(B)[:, j]. With vectors of 8 lanes or more, full groups
        // of 8 rows and 8 steps are transposed in 8-lane registers, much cheaper than the scalar
        // copy; the rest is copied one float at a time. A panel longer than L1 is written in chunks
        // of steps, so that the scalar passes over it stay in L1; a short one in one go, which is
        // cheaper there.
        int chunk = kc > 256 ? 32 : kc;
        for (int jr = 0; jr < nc; jr += NR) {
            int base = d0 + jr * kc;
            int nr = Math.min(NR, nc - jr);
            if (L >= 8 && nr == NR) {
                int src = bOff + (j0 + jr) * ldb + pc, p = 0;
                int step = perm ? 2 * NR : NR, half = perm ? -5 * NR : NR; // where transpose8 puts each step (see there)
                for (; p + 8 <= kc; p += 8) {
                    for (int q = 0; q < NR; q += 8) transpose8(b, src + q * ldb + p, ldb, bp, base + p * NR + q, step, half, false);
                }
                for (; p < kc; p++) for (int j = 0; j < NR; j++) bp[base + p * NR + j] = b[src + j * ldb + p];
                continue;
            }
            for (int p0 = 0; p0 < kc; p0 += chunk) {
                int p1 = Math.min(kc, p0 + chunk);
                for (int j = 0; j < nr; j++) {
                    int src = bOff + (j0 + jr + j) * ldb + pc, dst = base + j;
                    for (int p = p0; p < p1; p++) bp[dst + slot(p, kc, perm) * NR] = b[src + p];
                }
            }
            for (int j = nr; j < NR; j++) for (int p = 0; p < kc; p++) bp[base + j + p * NR] = 0f;
        }
    }

    // The 8×8 transpose: three butterfly stages; in stage d, vectors i and i+d swap the lanes
    // whose bit d differs (a lane permutation and two blends each). On 8-lane vectors (S itself
    // with 8 lanes, 256-bit ones beside 16-lane S); not built below 8 lanes.
    private static final VectorSpecies<Float> S8 = L >= 8 ? FloatVector.SPECIES_256 : null;
    private static final VectorShuffle<Float> SWAP4 = L >= 8 ? VectorShuffle.fromValues(S8, 4, 5, 6, 7, 0, 1, 2, 3) : null;
    private static final VectorShuffle<Float> SWAP2 = L >= 8 ? VectorShuffle.fromValues(S8, 2, 3, 0, 1, 6, 7, 4, 5) : null;
    private static final VectorShuffle<Float> SWAP1 = L >= 8 ? VectorShuffle.fromValues(S8, 1, 0, 3, 2, 5, 4, 7, 6) : null;
    private static final VectorMask<Float> BIT4 = L >= 8 ? VectorMask.fromValues(S8, false, false, false, false, true, true, true, true) : null;
    private static final VectorMask<Float> BIT2 = L >= 8 ? VectorMask.fromValues(S8, false, false, true, true, false, false, true, true) : null;
    private static final VectorMask<Float> BIT1 = L >= 8 ? VectorMask.fromValues(S8, false, true, false, true, false, true, false, true) : null;

    /**
     * dst[d + 4·slot(q) + i] = src[s + q·ld + i] for i in [0, 4), q in [0, 8): eight steps of a
     * transposed A panel, whose four values per step are contiguous. Steps q and q+4 share a
     * vector in {@link #slot} order, so each vector is the low halves of two 8-wide loads (the high
     * halves, the next panel's or past the rows, are not used): about half the cost of copying
     * four floats a step.
     */
    private static void pairSteps(float[] src, int s, int ld, float[] dst, int d) {
        for (int q = 0; q < 4; q++) {
            FloatVector u = FloatVector.fromArray(S8, src, s + q * ld), v = FloatVector.fromArray(S8, src, s + (q + 4) * ld);
            u.blend(v.rearrange(SWAP4), BIT4).intoArray(dst, d + 8 * q);
        }
    }

    /**
     * dst[d + 4·slot(q) + i] = src[s + i·ld + q] for i in [0, 4), q in [0, 8): four rows of
     * eight floats, interleaved step by step (an A panel) in {@link #slot} order. Stages d = 2
     * and 1 of the butterfly transpose each group of four lanes, which leaves steps q and q+4
     * side by side; putting the steps in order would take a third stage, across the 128-bit
     * halves, and make the packing about two fifths dearer.
     */
    private static void interleave4(float[] src, int s, int ld, float[] dst, int d) {
        FloatVector r0 = FloatVector.fromArray(S8, src, s), r1 = FloatVector.fromArray(S8, src, s + ld);
        FloatVector r2 = FloatVector.fromArray(S8, src, s + 2 * ld), r3 = FloatVector.fromArray(S8, src, s + 3 * ld);
        FloatVector c0 = r0.blend(r2.rearrange(SWAP2), BIT2), c2 = r0.rearrange(SWAP2).blend(r2, BIT2);
        FloatVector c1 = r1.blend(r3.rearrange(SWAP2), BIT2), c3 = r1.rearrange(SWAP2).blend(r3, BIT2);
        c0.blend(c1.rearrange(SWAP1), BIT1).intoArray(dst, d);
        c0.rearrange(SWAP1).blend(c1, BIT1).intoArray(dst, d + 8);
        c2.blend(c3.rearrange(SWAP1), BIT1).intoArray(dst, d + 16);
        c2.rearrange(SWAP1).blend(c3, BIT1).intoArray(dst, d + 24);
    }

    /**
     * dst[d + row(q) + i] = src[s + i·ld + q] for i, q in [0, 8): eight rows of eight floats,
     * transposed, written over dst (or added to it); column q goes to row(q) = q·step for q < 4
     * and half + (q−1)·step after. Packing B: step NR, half NR put the steps in order, 2·NR and
     * −5·NR in {@link #slot} order; the transposed store passes C's row stride for both.
     */
    static void transpose8(float[] src, int s, int ld, float[] dst, int d, int step, int half, boolean add) {
        FloatVector r0 = FloatVector.fromArray(S8, src, s), r1 = FloatVector.fromArray(S8, src, s + ld);
        FloatVector r2 = FloatVector.fromArray(S8, src, s + 2 * ld), r3 = FloatVector.fromArray(S8, src, s + 3 * ld);
        FloatVector r4 = FloatVector.fromArray(S8, src, s + 4 * ld), r5 = FloatVector.fromArray(S8, src, s + 5 * ld);
        FloatVector r6 = FloatVector.fromArray(S8, src, s + 6 * ld), r7 = FloatVector.fromArray(S8, src, s + 7 * ld);
        FloatVector a0 = r0.blend(r4.rearrange(SWAP4), BIT4), a4 = r0.rearrange(SWAP4).blend(r4, BIT4);
        FloatVector a1 = r1.blend(r5.rearrange(SWAP4), BIT4), a5 = r1.rearrange(SWAP4).blend(r5, BIT4);
        FloatVector a2 = r2.blend(r6.rearrange(SWAP4), BIT4), a6 = r2.rearrange(SWAP4).blend(r6, BIT4);
        FloatVector a3 = r3.blend(r7.rearrange(SWAP4), BIT4), a7 = r3.rearrange(SWAP4).blend(r7, BIT4);
        FloatVector c0 = a0.blend(a2.rearrange(SWAP2), BIT2), c2 = a0.rearrange(SWAP2).blend(a2, BIT2);
        FloatVector c1 = a1.blend(a3.rearrange(SWAP2), BIT2), c3 = a1.rearrange(SWAP2).blend(a3, BIT2);
        FloatVector c4 = a4.blend(a6.rearrange(SWAP2), BIT2), c6 = a4.rearrange(SWAP2).blend(a6, BIT2);
        FloatVector c5 = a5.blend(a7.rearrange(SWAP2), BIT2), c7 = a5.rearrange(SWAP2).blend(a7, BIT2);
        FloatVector v0 = c0.blend(c1.rearrange(SWAP1), BIT1), v1 = c0.rearrange(SWAP1).blend(c1, BIT1);
        FloatVector v2 = c2.blend(c3.rearrange(SWAP1), BIT1), v3 = c2.rearrange(SWAP1).blend(c3, BIT1);
        FloatVector v4 = c4.blend(c5.rearrange(SWAP1), BIT1), v5 = c4.rearrange(SWAP1).blend(c5, BIT1);
        FloatVector v6 = c6.blend(c7.rearrange(SWAP1), BIT1), v7 = c6.rearrange(SWAP1).blend(c7, BIT1);
        int d1 = d + step, d2 = d + 2 * step, d3 = d + 3 * step, d4 = d3 + half, d5 = d4 + step, d6 = d4 + 2 * step, d7 = d4 + 3 * step;
        // the stores written out, not through a helper method: this method is near C2's node budget
        // for inlining, and a helper it left out of line would take a vector boxed on the heap
        if (add) {
            v0 = v0.add(FloatVector.fromArray(S8, dst, d)); v1 = v1.add(FloatVector.fromArray(S8, dst, d1));
            v2 = v2.add(FloatVector.fromArray(S8, dst, d2)); v3 = v3.add(FloatVector.fromArray(S8, dst, d3));
            v4 = v4.add(FloatVector.fromArray(S8, dst, d4)); v5 = v5.add(FloatVector.fromArray(S8, dst, d5));
            v6 = v6.add(FloatVector.fromArray(S8, dst, d6)); v7 = v7.add(FloatVector.fromArray(S8, dst, d7));
        }
        v0.intoArray(dst, d); v1.intoArray(dst, d1); v2.intoArray(dst, d2); v3.intoArray(dst, d3);
        v4.intoArray(dst, d4); v5.intoArray(dst, d5); v6.intoArray(dst, d6); v7.intoArray(dst, d7);
    }
}
