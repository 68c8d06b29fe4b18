package dev.machina.kernel;

import jdk.incubator.vector.VectorSpecies;

/**
 * Packed, cache-blocked SGEMM on the Vector API (Goto/BLIS structure).
 *
 * <p>C is cut into tiles of at most mc×nc; each tile (the last ones in pieces) is one parallel
 * task, computed whole by one thread, looping over K in blocks of at most KC in order. B is packed into panels NR = 2
 * vectors wide and A into panels MR rows tall, each panel once: for the whole product when
 * several tiles share it, else by the one tile that uses it, right before using it (A is read in
 * place when N is too narrow for packing it to pay). A register micro-kernel of
 * MR×2 vector accumulators (FMA) computes each MR×NR piece. Every element of C therefore sees the
 * same sequence of operations whatever the tile sizes or thread count: results are bit-identical
 * for 1 and for N threads. See {@link GemmPlan}.
 *
 * <p>MR is 8 with 512-bit vectors (32 registers: 16 accumulators + 2 B + 1 broadcast) and 4
 * with 256-bit ones (16 registers), the shape measured to compile without spills (6×16 spills on
 * AVX2 and runs at half speed; unrolling the K loop by hand makes C2 hoist the loads and spill).
 * The 6×16 spill comes from C2's register-pressure scheduling: with -XX:-OptoRegScheduling it
 * compiles clean and gains 4–8% on most shapes, but not on those an MLP step at batch 64 makes
 * (docs/BENCHMARKS.md, sixth session), so the kernels do not depend on a JVM flag.
 */
final class VectorGemm {
    static final VectorSpecies<Float> S = VectorWidth.species();
    static final int L = S.length();
    static final int NR = 2 * L;
    static final int MR = L >= 16 ? 8 : 4;
    static final int KC = 256;
    static final int MC = 128;
    static final int NC = 1024;

    /**
     * Products smaller than this many multiply-adds stay on the calling thread: at about 1 µs per
     * 100k they finish before a second thread could even start (a batch-1 forward is 200k).
     */
    static final long PARALLEL_MIN = 1L << 20;
    static final int PACK_A_MIN_PANELS = 8;
    /** Whether the transposed-store path stores pairs of A panels (8×8 blocks) with register transposes: 8-lane vectors, 4-row panels. */
    static final boolean PAIRS_T = L == 8 && MR == 4;
    /** Tile height when A is read in place (no packing buffer limits it). */
    static final int MC_DIRECT = 1024;
    /** K block when A is read in place, and on the transposed-store path. */
    static final int KC_T = 1024;

    static final ThreadLocal<float[][]> BUFFERS =
            ThreadLocal.withInitial(() -> new float[][] {new float[MR * Math.max(KC, KC_T)], new float[0], new float[Math.max(2 * MR * NR, 9 * L + 8)], new float[0], new float[0]}); // edge A panel, B, lanes, A, C sums (B, A and C grow on first use)

    private VectorGemm() {}

    static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) return;
        if (m <= GemmSmallM.SMALL_M && k > 0) { // a few rows (batch-1 inference): packing would be mostly padding
            GemmSmallM.smallM(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }
        if (storesTransposed(transA, transB, m, n, k)) {
            GemmPlan.gemmStoreTransposed(n, m, k, b, bOff, ldb, a, aOff, lda, c, cOff, ldc, accumulate);
            return;
        }
        if (k == 0) {
            if (!accumulate) for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            return;
        }
        new GemmPlan(transA, transB, false, m, n, k, GemmPlan.kStep(transA, false, n, k), GemmPlan.packA(transA, n), a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate).run();
    }

    /**
     * Whether C = A·Bᵀ is computed as Cᵀ = B·Aᵀ, written transposed. Directly, B (n×k) needs a
     * transposing pack (about 0.9 cycles a float) and A the interleave (0.6); the other way round
     * A gets the transposing pack and B the interleave, so it pays whenever A is the smaller,
     * now that the transposed store goes through register transposes. In-process A/B, median
     * GFLOP/s, direct → transposed: X·Wᵀ b=128 72 → 77 on one thread; 192×256×784 75 → 85,
     * 512×1024×512 90 → 103, 256×1024×1024 79 → 97 on two. (With a scalar transposed store this
     * paid only below 8 panels of m: at batch 128 the direct form was faster, 130 → 140; so it
     * still does where the paired store is not built, as with 16-lane vectors.)
     */
    static boolean storesTransposed(boolean transA, boolean transB, int m, int n, int k) {
        return transB && !transA && m < n && (PAIRS_T || m < PACK_A_MIN_PANELS * NR) && m > GemmSmallM.SMALL_M && k > 0;
    }
}
