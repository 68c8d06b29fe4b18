package dev.machina.kernel;

import static dev.machina.kernel.VectorGemm.BUFFERS;
import static dev.machina.kernel.VectorGemm.L;
import static dev.machina.kernel.VectorGemm.S;
import static dev.machina.kernel.VectorGemm.ceilDiv;

import jdk.incubator.vector.FloatVector;

/**
 * GEMM for products of a few rows (batch-1 inference), without packing: packed panels would be
 * mostly padding.
 */
final class GemmSmallM {
    private GemmSmallM() {}

    /** Most rows of C this path takes. */
    static final int SMALL_M = 4;
    /**
     * Multiply-adds from which the columns are split across threads (see {@link #smallM}): from
     * two chunks of 64 columns over K = 256 (batch 1 through a 256→128 layer), the half each core
     * saves outweighs the hand-off.
     */
    static final long SMALL_PARALLEL_MIN = 32_768;

    /**
     * C (+)= op(A)·op(B) for at most {@link #SMALL_M} rows of C, without packing. With Bᵀ every
     * element is a dot product along K (vector lanes, then the lanes summed in a fixed order);
     * otherwise each row of C accumulates rows of B scaled by A's elements, in K order. Columns
     * are split across threads in fixed chunks, so results do not depend on the thread count.
     */
    static void smallM(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                               float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        long flops = (long) m * n * k;
        int chunk = 64, tasks = ceilDiv(n, chunk);
        // A few rows stream all of B once: bound by cache bandwidth, so two cores' caches help sooner.
        Parallel.forEach(tasks, flops < SMALL_PARALLEL_MIN ? 1 : Integer.MAX_VALUE, t -> {
            int j0 = t * chunk, j1 = Math.min(n, j0 + chunk);
            float[] lanes = BUFFERS.get()[2];
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * ldc;
                if (transB && !transA) {
                    int j = j0;
                    for (; j + 8 <= j1; j += 8) { // eight independent dot products hide the FMA latency
                        dot8(a, aOff + i * lda, b, bOff + j * ldb, ldb, k, lanes);
                        for (int q = 0; q < 8; q++) c[ci + j + q] = accumulate ? c[ci + j + q] + lanes[L + q] : lanes[L + q];
                    }
                    for (; j + 4 <= j1; j += 4) {
                        dot4(a, aOff + i * lda, b, bOff + j * ldb, ldb, k, lanes);
                        for (int q = 0; q < 4; q++) c[ci + j + q] = accumulate ? c[ci + j + q] + lanes[L + q] : lanes[L + q];
                    }
                    for (; j < j1; j++) {
                        float v = dot(a, aOff + i * lda, b, bOff + j * ldb, k, lanes);
                        c[ci + j] = accumulate ? c[ci + j] + v : v;
                    }
                } else if (transB) {
                    for (int j = j0; j < j1; j++) {
                        float v = transA ? dotStrided(a, aOff + i, lda, b, bOff + j * ldb, k) : dot(a, aOff + i * lda, b, bOff + j * ldb, k, lanes);
                        c[ci + j] = accumulate ? c[ci + j] + v : v;
                    }
                } else {
                    if (!accumulate) java.util.Arrays.fill(c, ci + j0, ci + j1, 0f);
                    for (int p = 0; p < k; p++) {
                        float x = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                        axpyRow(x, b, bOff + p * ldb + j0, c, ci + j0, j1 - j0);
                    }
                }
            }
        });
    }

    /** The dot product of a[ao ..] and b[bo ..] over k: vector lanes, then the lanes summed in order, then the tail. */
    private static float dot(float[] a, int ao, float[] b, int bo, int k, float[] lanes) {
        FloatVector acc = FloatVector.zero(S);
        int p = 0, ub = S.loopBound(k);
        for (; p < ub; p += L) acc = FloatVector.fromArray(S, a, ao + p).fma(FloatVector.fromArray(S, b, bo + p), acc);
        acc.intoArray(lanes, 0);
        float s = 0f;
        for (int i = 0; i < L; i++) s += lanes[i]; // fixed order (reduceLanes' order is unspecified)
        for (; p < k; p++) s += a[ao + p] * b[bo + p];
        return s;
    }

    /** Dots of A's row with eight consecutive rows of B, written to lanes[L .. L+8): eight FMA chains hide the latency. */
    private static void dot8(float[] a, int ao, float[] b, int bo, int ldb, int k, float[] lanes) {
        FloatVector s0 = FloatVector.zero(S); FloatVector s1 = FloatVector.zero(S); FloatVector s2 = FloatVector.zero(S); FloatVector s3 = FloatVector.zero(S); FloatVector s4 = FloatVector.zero(S); FloatVector s5 = FloatVector.zero(S); FloatVector s6 = FloatVector.zero(S); FloatVector s7 = FloatVector.zero(S);
        int p = 0, ub = S.loopBound(k);
        int b0 = bo + 0 * ldb; int b1 = bo + 1 * ldb; int b2 = bo + 2 * ldb; int b3 = bo + 3 * ldb; int b4 = bo + 4 * ldb; int b5 = bo + 5 * ldb; int b6 = bo + 6 * ldb; int b7 = bo + 7 * ldb;
        for (; p < ub; p += L) {
            FloatVector x = FloatVector.fromArray(S, a, ao + p);
            s0 = x.fma(FloatVector.fromArray(S, b, b0 + p), s0);
            s1 = x.fma(FloatVector.fromArray(S, b, b1 + p), s1);
            s2 = x.fma(FloatVector.fromArray(S, b, b2 + p), s2);
            s3 = x.fma(FloatVector.fromArray(S, b, b3 + p), s3);
            s4 = x.fma(FloatVector.fromArray(S, b, b4 + p), s4);
            s5 = x.fma(FloatVector.fromArray(S, b, b5 + p), s5);
            s6 = x.fma(FloatVector.fromArray(S, b, b6 + p), s6);
            s7 = x.fma(FloatVector.fromArray(S, b, b7 + p), s7);
        }
        int base = L + 8;
        s0.intoArray(lanes, base + 0 * L);
        s1.intoArray(lanes, base + 1 * L);
        s2.intoArray(lanes, base + 2 * L);
        s3.intoArray(lanes, base + 3 * L);
        s4.intoArray(lanes, base + 4 * L);
        s5.intoArray(lanes, base + 5 * L);
        s6.intoArray(lanes, base + 6 * L);
        s7.intoArray(lanes, base + 7 * L);
        float v0 = 0f; float v1 = 0f; float v2 = 0f; float v3 = 0f; float v4 = 0f; float v5 = 0f; float v6 = 0f; float v7 = 0f;
        for (int i = 0; i < L; i++) {
            v0 += lanes[base + 0 * L + i];
            v1 += lanes[base + 1 * L + i];
            v2 += lanes[base + 2 * L + i];
            v3 += lanes[base + 3 * L + i];
            v4 += lanes[base + 4 * L + i];
            v5 += lanes[base + 5 * L + i];
            v6 += lanes[base + 6 * L + i];
            v7 += lanes[base + 7 * L + i];
        }
        for (int t = p; t < k; t++) {
            float x = a[ao + t];
            v0 += x * b[b0 + t];
            v1 += x * b[b1 + t];
            v2 += x * b[b2 + t];
            v3 += x * b[b3 + t];
            v4 += x * b[b4 + t];
            v5 += x * b[b5 + t];
            v6 += x * b[b6 + t];
            v7 += x * b[b7 + t];
        }
        lanes[L + 0] = v0;
        lanes[L + 1] = v1;
        lanes[L + 2] = v2;
        lanes[L + 3] = v3;
        lanes[L + 4] = v4;
        lanes[L + 5] = v5;
        lanes[L + 6] = v6;
        lanes[L + 7] = v7;
    }

    /** Dots of A's row with four consecutive rows of B, written to lanes[L .. L+4), each summed like {@link #dot}. */
    private static void dot4(float[] a, int ao, float[] b, int bo, int ldb, int k, float[] lanes) {
        FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
        int p = 0, ub = S.loopBound(k);
        int b0 = bo, b1 = bo + ldb, b2 = bo + 2 * ldb, b3 = bo + 3 * ldb;
        for (; p < ub; p += L) {
            FloatVector x = FloatVector.fromArray(S, a, ao + p);
            s0 = x.fma(FloatVector.fromArray(S, b, b0 + p), s0);
            s1 = x.fma(FloatVector.fromArray(S, b, b1 + p), s1);
            s2 = x.fma(FloatVector.fromArray(S, b, b2 + p), s2);
            s3 = x.fma(FloatVector.fromArray(S, b, b3 + p), s3);
        }
        // vectors stay in locals (an array of vectors would box them): store each, then sum its lanes
        s0.intoArray(lanes, 0);
        s1.intoArray(lanes, L + 4);
        s2.intoArray(lanes, 2 * L + 4);
        s3.intoArray(lanes, 3 * L + 4);
        float v0 = 0f, v1 = 0f, v2 = 0f, v3 = 0f;
        for (int i = 0; i < L; i++) {
            v0 += lanes[i];
            v1 += lanes[L + 4 + i];
            v2 += lanes[2 * L + 4 + i];
            v3 += lanes[3 * L + 4 + i];
        }
        for (int t = p; t < k; t++) {
            float x = a[ao + t];
            v0 += x * b[b0 + t];
            v1 += x * b[b1 + t];
            v2 += x * b[b2 + t];
            v3 += x * b[b3 + t];
        }
        lanes[L] = v0;
        lanes[L + 1] = v1;
        lanes[L + 2] = v2;
        lanes[L + 3] = v3;
    }

    /** The dot product of a column of A (a[ao + p·lda]) and b[bo ..] over k, in order. */
    private static float dotStrided(float[] a, int ao, int lda, float[] b, int bo, int k) {
        float s = 0f;
        for (int p = 0; p < k; p++) s += a[ao + p * lda] * b[bo + p];
        return s;
    }

    /** c[co ..] += x · b[bo ..] over n. */
    private static void axpyRow(float x, float[] b, int bo, float[] c, int co, int n) {
        FloatVector vx = FloatVector.broadcast(S, x);
        int j = 0, ub = S.loopBound(n);
        for (; j < ub; j += L) FloatVector.fromArray(S, b, bo + j).fma(vx, FloatVector.fromArray(S, c, co + j)).intoArray(c, co + j);
        for (; j < n; j++) c[co + j] += x * b[bo + j];
    }
}
