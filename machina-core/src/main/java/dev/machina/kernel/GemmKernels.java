package dev.machina.kernel;

import static dev.machina.kernel.VectorGemm.L;
import static dev.machina.kernel.VectorGemm.MR;
import static dev.machina.kernel.VectorGemm.NR;
import static dev.machina.kernel.VectorGemm.S;

import jdk.incubator.vector.FloatVector;

/**
 * The register micro-kernels of the packed GEMM: C[MR×NR] (+)= A[MR×kc]·B[kc×NR] with MR×2
 * vector accumulators, A packed (MR values a step) or read in place, B packed (NR values a step),
 * plus the store of a block of sums kept apart from C.
 */
final class GemmKernels {
    private GemmKernels() {}

    /** C[MR×NR block at co] (+)= the block at src[so], stored row by row (NR apart). */
    static void storeBlock(float[] src, int so, float[] c, int co, int ldc, boolean add) {
        for (int i = 0; i < MR; i++) {
            int s = so + i * NR, d = co + i * ldc;
            FloatVector v0 = FloatVector.fromArray(S, src, s), v1 = FloatVector.fromArray(S, src, s + L);
            if (add) {
                v0 = v0.add(FloatVector.fromArray(S, c, d));
                v1 = v1.add(FloatVector.fromArray(S, c, d + L));
            }
            v0.intoArray(c, d);
            v1.intoArray(c, d + L);
        }
    }

    /**
     * One MR×NR block. {@code packed}: A is packed (MR values per step at a[ao + MR·p + i]);
     * otherwise A's rows are read in place (a[ao + i·lda + p]). Each form has its own kernel so
     * that every array index is the loop counter times a constant plus an invariant, which lets
     * C2 hoist the bounds checks out of the loop.
     */
    static void micro(int kc, boolean packed, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        if (packed) {
            if (MR == 8) kernel8p(kc, a, ao, bp, bo, c, co, ldc, add);
            else kernel4p(kc, a, ao, bp, bo, c, co, ldc, add);
        } else {
            if (MR == 8) kernel8d(kc, a, ao, lda, bp, bo, c, co, ldc, add);
            else kernel4d(kc, a, ao, lda, bp, bo, c, co, ldc, add);
        }
    }

    /** C[4×2L] (+)= A[4×kc]·Bpanel; A read in place, element (i, p) at a[ao + i·lda + p]; B packed 2L per step. */
    private static void kernel4d(int kc, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        int r0 = ao + 0 * lda; int r1 = ao + 1 * lda; int r2 = ao + 2 * lda; int r3 = ao + 3 * lda;
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bo + p * NR);
            FloatVector b1 = FloatVector.fromArray(S, bp, bo + p * NR + L);
            FloatVector x;
            x = FloatVector.broadcast(S, a[r0 + p]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[r1 + p]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[r2 + p]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[r3 + p]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
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

    /** Floats of packed B per float of packed A in one step: NR per MR (kernel4p, kernel8p). */
    private static final int B_PER_A4 = NR / 4, B_PER_A8 = NR / 8;

    /** C[4×2L] (+)= A[4×kc]·Bpanel; A packed 4 values per step at ap[ao + 4·p + i]; B packed 2L per step. */
    private static void kernel4p(int kc, float[] a, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        // The loop counter is A's index itself and B's index a multiple of it: C2 then spends 5
        // integer instructions a step (index, loop control) instead of 8 next to the 6 loads and
        // 8 FMAs, which matters when a busy SMT sibling takes half of the core's dispatch.
        int end = ao + 4 * kc, bOff = bo - B_PER_A4 * ao;
        for (int i = ao; i < end; i += 4) {
            int j = B_PER_A4 * i + bOff;
            FloatVector b0 = FloatVector.fromArray(S, bp, j);
            FloatVector b1 = FloatVector.fromArray(S, bp, j + L);
            FloatVector x;
            x = FloatVector.broadcast(S, a[i + 0]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[i + 1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[i + 2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[i + 3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
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

    /** C[8×2L] (+)= A[8×kc]·Bpanel; A read in place, element (i, p) at a[ao + i·lda + p]; B packed 2L per step. */
    private static void kernel8d(int kc, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        int r0 = ao + 0 * lda; int r1 = ao + 1 * lda; int r2 = ao + 2 * lda; int r3 = ao + 3 * lda; int r4 = ao + 4 * lda; int r5 = ao + 5 * lda; int r6 = ao + 6 * lda; int r7 = ao + 7 * lda;
        for (int p = 0; p < kc; p++) {
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

    /** C[8×2L] (+)= A[8×kc]·Bpanel; A packed 8 values per step at ap[ao + 8·p + i]; B packed 2L per step. */
    private static void kernel8p(int kc, float[] a, int ao, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        // the loop counter is A's index, as in kernel4p
        int end = ao + 8 * kc, bOff = bo - B_PER_A8 * ao;
        for (int i = ao; i < end; i += 8) {
            int j = B_PER_A8 * i + bOff;
            FloatVector b0 = FloatVector.fromArray(S, bp, j);
            FloatVector b1 = FloatVector.fromArray(S, bp, j + L);
            FloatVector x;
            x = FloatVector.broadcast(S, a[i + 0]); c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[i + 1]); c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[i + 2]); c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[i + 3]); c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[i + 4]); c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[i + 5]); c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[i + 6]); c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[i + 7]); c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
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
