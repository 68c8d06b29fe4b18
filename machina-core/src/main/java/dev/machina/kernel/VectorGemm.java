package dev.machina.kernel;

import jdk.incubator.vector.VectorSpecies;

/**
 * Packed, cache-blocked SGEMM on the Vector API (Goto/BLIS structure): the entry point, which
 * picks a path for each product, and the sizes all paths share.
 *
 * <p>C is cut into tiles of at most mc×nc; each tile (the last ones in pieces) is one parallel
 * task, computed whole by one thread, looping over K in blocks of at most KC in order
 * ({@link GemmPlan}). B is packed into panels NR = 2 vectors wide and A into panels MR rows tall
 * ({@link GemmPack}), each panel once: for the whole product when several tiles share it, else by
 * the one tile that uses it, right before using it (A is read in place when N is too narrow for
 * packing it to pay). A register micro-kernel of MR×2 vector accumulators (FMA) computes each
 * MR×NR piece ({@link GemmKernels}). Every element of C therefore sees the same sequence of
 * operations whatever the tile sizes or thread count: results are bit-identical for 1 and for N
 * threads. Products of a few rows take a path without packing ({@link GemmSmallM}).
 *
 * <p>MR is 8 with 16-lane vectors (AVX-512's 32 registers hold 16 accumulators, 2 B vectors and a
 * broadcast) and 4 with narrower ones, which fits 16 registers (AVX2) without spills. Taller
 * kernels for 16 registers (6 rows) spill under C2's register-pressure scheduling, and so does a
 * K loop unrolled by hand (C2 then hoists the loads); the kernels do not rely on a JVM flag that
 * changes the scheduling.
 */
final class VectorGemm {
    /** The species of every Vector API kernel: the CPU's preferred one in production (see {@link VectorWidth}). */
    static final VectorSpecies<Float> S = VectorWidth.species();
    /** Floats per vector. */
    static final int L = S.length();
    /** Columns of a B panel and of a micro-kernel's block: two vectors. */
    static final int NR = 2 * L;
    /** Rows of an A panel and of a micro-kernel's block. */
    static final int MR = L >= 16 ? 8 : 4;
    /** Longest K block when A is packed; MC×KC floats of packed A (128 KiB) stay in L2. */
    static final int KC = 256;
    /** Tile height with a packed A at the longest K block (shorter blocks allow taller tiles: {@link GemmPlan#A_BLOCK}). */
    static final int MC = 128;
    /** Widest tile: NC/NR panels of B. */
    static final int NC = 1024;

    /**
     * Products smaller than this many multiply-adds stay on the calling thread: at about 1 µs per
     * 100k they finish before a second thread could even start (a batch-1 forward is 200k).
     */
    static final long PARALLEL_MIN = 1L << 20;
    /** B panels from which A is packed rather than read in place (see {@link GemmPlan#packA(boolean, int)}). */
    static final int PACK_A_MIN_PANELS = 8;
    /** Whether the transposed-store path stores pairs of A panels (8×8 blocks) with register transposes: 8-lane vectors, 4-row panels. */
    static final boolean PAIRS_T = L == 8 && MR == 4;
    /** Whether the transposed-store path goes through register transposes: pairs of 4-row panels ({@link #PAIRS_T}) or single 8-row ones (16-lane vectors). */
    static final boolean REGISTER_T = PAIRS_T || MR == 8;
    /** Tile height when A is read in place (no packing buffer limits it). */
    static final int MC_DIRECT = 1024;
    /** K block when A is read in place, and on the transposed-store path. */
    static final int KC_T = 1024;

    /**
     * Each thread's work buffers: an edge A panel, a B panel, a block of lanes or sums, an A block,
     * a tile's sums of C (B, A and C grow on first use).
     */
    static final ThreadLocal<float[][]> BUFFERS =
            ThreadLocal.withInitial(() -> new float[][] {new float[MR * Math.max(KC, KC_T)], new float[0], new float[Math.max(2 * MR * NR, 9 * L + 8)], new float[0], new float[0]});

    private VectorGemm() {}

    static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }

    static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /** C (+)= op(A)·op(B), as {@link Kernels#gemm}. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate) {
        gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, null);
    }

    /**
     * As above, with {@code ep} (or null) applied around each parallel task's region of C; with
     * one, C is added to exactly when {@code ep} puts a bias there. The product is split and
     * summed as without it.
     */
    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate, Epilogue ep) {
        if (m == 0 || n == 0) return;
        if (ep != null) accumulate = ep.accumulate();
        if (m <= GemmSmallM.SMALL_M && k > 0) { // a few rows (batch-1 inference): packing would be mostly padding
            if (ep != null) ep.before(c, cOff, m, n);
            GemmSmallM.smallM(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            if (ep != null) ep.after(c, cOff, m, n);
            return;
        }
        if (storesTransposed(transA, transB, m, n, k)) {
            GemmPlan.gemmStoreTransposed(n, m, k, b, bOff, ldb, a, aOff, lda, c, cOff, ldc, accumulate, ep);
            return;
        }
        if (k == 0) {
            if (ep != null) ep.before(c, cOff, m, n);
            if (!accumulate) for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            if (ep != null) ep.after(c, cOff, m, n);
            return;
        }
        new GemmPlan(transA, transB, false, m, n, k, GemmPlan.kStep(transA, false, n, k), GemmPlan.packA(transA, n), a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate)
                .with(ep).run();
    }

    /**
     * Whether C = A·Bᵀ is computed as Cᵀ = B·Aᵀ, written transposed. Directly, B (n×k) needs the
     * transposing pack, the costlier one, and A the interleave; the other way round A gets the
     * transposing pack and B the interleave, which pays when A is the smaller operand. Where the
     * transposed store goes through register transposes ({@link #REGISTER_T}) that is any m < n;
     * where it is scalar, only m under {@link #PACK_A_MIN_PANELS} panels, since for taller A the
     * scalar store costs more than the cheaper packing saves. And only m a multiple of NR: m is
     * then the width of Cᵀ's panels, and a partly filled one multiplies zeros (at batch 16 half its
     * multiply-adds), which costs more than packing B (784-256-128-10 forward at batch 16, one
     * thread: 201 µs against 129 µs directly; batch 40, 354 against 248 µs; at 32, 64 and 96 the
     * two ways take the same time).
     */
    static boolean storesTransposed(boolean transA, boolean transB, int m, int n, int k) {
        return transB && !transA && m < n && m % NR == 0 && (REGISTER_T || m < PACK_A_MIN_PANELS * NR) && m > GemmSmallM.SMALL_M && k > 0;
    }
}
