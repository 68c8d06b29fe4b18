package dev.machina.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
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
 * for 1 and for N threads. See {@link Plan}.
 *
 * <p>MR is 8 with 512-bit vectors (32 registers: 16 accumulators + 2 B + 1 broadcast) and 4
 * with 256-bit ones (16 registers), the shape measured to compile without spills (6×16 spills on
 * AVX2 and runs at half speed; unrolling the K loop by hand makes C2 hoist the loads and spill).
 * The 6×16 spill comes from C2's register-pressure scheduling: with -XX:-OptoRegScheduling it
 * compiles clean and gains 4–8% on most shapes, but not on those an MLP step at batch 64 makes
 * (docs/BENCHMARKS.md, sixth session), so the kernels do not depend on a JVM flag.
 */
final class VectorGemm {
    static final VectorSpecies<Float> S = species(System.getProperty("machina.simd.bits"));
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

    private static final ThreadLocal<float[][]> BUFFERS =
            ThreadLocal.withInitial(() -> new float[][] {new float[MR * Math.max(KC, KC_T)], new float[0], new float[Math.max(2 * MR * NR, 9 * L + 8)], new float[0], new float[0]}); // edge A panel, B, lanes, A, C sums (B, A and C grow on first use)

    private VectorGemm() {}

    /**
     * The vector width of every Vector API kernel: the CPU's preferred one, or the one
     * {@code -Dmachina.simd.bits} names (128, 256 or 512). A width the CPU lacks runs in the
     * Vector API's Java fallback, correct but some hundred times slower: it is there so that the
     * 16-lane code (8×32 micro-kernel) is tested on AVX2 machines as well (see the machina-core
     * pom), and the 4-lane one anywhere.
     */
    static VectorSpecies<Float> species(String bits) {
        String problem = KernelSettings.simdBitsProblem(bits);
        if (problem != null) throw new IllegalArgumentException(problem);
        if (bits == null || bits.isBlank()) return FloatVector.SPECIES_PREFERRED;
        return VectorSpecies.of(float.class, VectorShape.forBitSize(Integer.parseInt(bits.strip())));
    }

    static int roundUp(int x, int m) {
        return (x + m - 1) / m * m;
    }

    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) return;
        if (m <= SMALL_M && k > 0) { // a few rows (batch-1 inference): packing would be mostly padding
            smallM(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }
        if (storesTransposed(transA, transB, m, n, k)) {
            gemmStoreTransposed(n, m, k, b, bOff, ldb, a, aOff, lda, c, cOff, ldc, accumulate);
            return;
        }
        if (k == 0) {
            if (!accumulate) for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            return;
        }
        new Plan(transA, transB, false, m, n, k, kStep(transA, false, n, k), packA(transA, n), a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate).run();
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
        return transB && !transA && m < n && (PAIRS_T || m < PACK_A_MIN_PANELS * NR) && m > SMALL_M && k > 0;
    }

    static final int SMALL_M = 4;
    static final long SMALL_PARALLEL_MIN = 100_000;

    /**
     * C (+)= op(A)·op(B) for at most {@link #SMALL_M} rows of C, without packing. With Bᵀ every
     * element is a dot product along K (vector lanes, then the lanes summed in a fixed order);
     * otherwise each row of C accumulates rows of B scaled by A's elements, in K order. Columns
     * are split across threads in fixed chunks, so results do not depend on the thread count.
     */
    private static void smallM(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
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

    private static float dotStrided(float[] a, int ao, int lda, float[] b, int bo, int k) {
        float s = 0f;
        for (int p = 0; p < k; p++) s += a[ao + p * lda] * b[bo + p];
        return s;
    }

    private static void axpyRow(float x, float[] b, int bo, float[] c, int co, int n) {
        FloatVector vx = FloatVector.broadcast(S, x);
        int j = 0, ub = S.loopBound(n);
        for (; j < ub; j += L) FloatVector.fromArray(S, b, bo + j).fma(vx, FloatVector.fromArray(S, c, co + j)).intoArray(c, co + j);
        for (; j < n; j++) c[co + j] += x * b[bo + j];
    }

    /**
     * C[j, i] (+)= (A·Bᵀ)[i, j] for A m×k and B n×k, row-major. A is packed too, though N (the
     * original M) may be narrow: with K kept long the packed kernel gains more than the interleave
     * costs (X·Wᵀ b=64: 133–136 → 137–138 GFLOP/s on two threads, 72 → 74 on one).
     */
    private static void gemmStoreTransposed(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                            float[] c, int cOff, int ldc, boolean accumulate) {
        new Plan(false, true, true, m, n, k, kStep(false, true, n, k), true, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate).run();
    }

    /**
     * Packing A pays when its panels are reused across many B panels: it keeps the A block in a
     * few contiguous pages (no TLB misses or cache-set conflicts on large strides) at a one-off
     * copy cost. A transposed A is always packed (its rows are columns in memory).
     */
    private static boolean packA(boolean transA, int n) {
        return transA || ceilDiv(n, NR) >= PACK_A_MIN_PANELS;
    }

    /**
     * The K block of a whole product: K cut into equal blocks of at most KC (784 = 4 × 196, not
     * 3 × 256 + 16). When A is read in place the blocks are longer: A's MR rows are MR separate
     * streams, which the prefetcher serves poorly when they are short (256×64×784 on one core:
     * 67 → 73 GFLOP/s). So they are on the transposed-store path, whose store costs something
     * per block (K blocks of 196 there: 71 → 64). The parts a product is
     * split into keep this block, whatever their own shape, so that every element of C is summed
     * in the same order however the product is split.
     */
    private static int kStep(boolean transA, boolean storeT, int n, int k) {
        if (k <= 0) return 1;
        return ceilDiv(k, ceilDiv(k, storeT || !packA(transA, n) ? KC_T : KC));
    }

    /**
     * {mc, nc, tile rows, tile columns, 1 if A is packed once for all tiles, parallel tasks} of the
     * plan the packed path uses for this product (for tests); for a product computed transposed
     * (see {@link #storesTransposed}), those of Cᵀ = B·Aᵀ.
     */
    static int[] tiling(boolean transA, boolean transB, int m, int n, int k) {
        Plan p = storesTransposed(transA, transB, m, n, k)
                ? new Plan(false, true, true, n, m, k, kStep(false, true, m, k), true, null, 0, 0, null, 0, 0, null, 0, 0, false)
                : new Plan(transA, transB, false, m, n, k, kStep(transA, false, n, k), packA(transA, n), null, 0, 0, null, 0, 0, null, 0, 0, false);
        return new int[] {p.mc, p.nc, p.mTiles, p.nTiles, p.shareA ? 1 : 0, p.tasks(p.mTiles > 1).length / 4};
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    /** Floats of A's packed block a tile keeps in L2 (MC×KC: 128 KiB). A shorter K block allows a taller tile. */
    static final int A_BLOCK = MC * KC;
    /** Largest shared packed B or A (floats) a caller keeps (32 MiB each); bigger products are done in parts. Tests lower it. */
    static long sharedMax = 8L << 20;
    /** The caller's buffers for B and A packed once and shared by all the tiles. */
    private static final ThreadLocal<float[][]> SHARED = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});
    /** Tiles per thread the multi-threaded tiling aims for at least. */
    static final int TASKS_PER_THREAD = 4;
    /** Work (flops) per tile below which a product gets fewer tiles than TASKS_PER_THREAD asks (8M: about 100 µs on one AVX2 core). */
    static final long TASK_MIN_FLOPS = 8L << 20;
    /** Pieces each of the last tiles of a multi-threaded product is cut into (see Plan.tasks). */
    static final int TAIL_PIECES = 4;

    /**
     * One product, cut into tiles. C is cut into tiles of mc×nc; each tile (or piece of one, see
     * {@code tasks}) is one parallel task, computed whole by one thread, looping over K in blocks
     * of kStep in order, so every element of C sees the same operations whatever the tiling or
     * thread count.
     *
     * <p>Each panel of A and B is packed once. When several tile rows share B, all of B is packed
     * before the tiles run, in parallel, into the caller's buffer, and every tile reads it from
     * there; with a single tile row each tile packs each of its panels right before using it, so
     * that the panel is in L1 for all the tile's rows. Likewise A: on several
     * threads with several tile columns it is packed once for all tiles, beside B; otherwise a tile
     * packs its A block (mc×kStep) right before using it, so the block is written into and read
     * from L2.
     *
     * <p>On one thread tiles are as wide as possible. On several, a tile costs only its own
     * arithmetic, so the product is cut into at least {@link #TASKS_PER_THREAD} tiles per thread
     * (fewer for small products: about one per {@link #TASK_MIN_FLOPS}), of the widths whose
     * dynamic split finishes first. Taken dynamically, they let one thread cover for another that
     * is held up, where two big tiles make the whole product wait for the slower one. The last
     * tiles are handed out in pieces, so that the threads also finish close together
     * ({@code tasks}).
     */
    private static final class Plan {
        final boolean transA, transB, storeT, accumulate, packA;
        /** Whether steps are in {@link #slot} order inside each full block of 8 (A packed, 8-lane vectors, 4-row panels). */
        final boolean perm;
        final int m, n, k, kStep, mc, nc, mTiles, nTiles, nPanels, threads;
        final float[] a, b, c;
        final int aOff, lda, bOff, ldb, cOff, ldc;
        /** Element (i, p) of op(A) is at a[aOff + i·si + p·sp]. */
        final int si, sp;
        /** B packed for all tiles, or null when each tile packs its own. */
        float[] sharedB;
        /** A packed for all tiles (several threads, several tile columns), or null when each tile packs its own block. */
        float[] sharedA;
        /** Rows of A rounded up to whole panels: K block pc of the shared A starts at pc·mPad. */
        final int mPad;
        /** Whether every tile reads A packed once for all (decided with the tiling). */
        final boolean shareA;

        /**
         * A product, or a part of one: {@code kStep} ({@link #kStep}) and {@code packA} come from
         * the whole product, so that every part sums K alike (a packed A also orders the steps
         * of each block its own way, see {@link #slot}).
         */
        Plan(boolean transA, boolean transB, boolean storeT, int m, int n, int k, int kStep, boolean packA, float[] a, int aOff, int lda,
             float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
            this.transA = transA; this.transB = transB; this.storeT = storeT; this.accumulate = accumulate;
            this.kStep = kStep;
            this.m = m; this.n = n; this.k = k;
            this.a = a; this.aOff = aOff; this.lda = lda; this.b = b; this.bOff = bOff; this.ldb = ldb;
            this.c = c; this.cOff = cOff; this.ldc = ldc;
            si = transA ? 1 : lda;
            sp = transA ? lda : 1;
            nPanels = ceilDiv(n, NR);
            threads = (long) m * n * k < PARALLEL_MIN ? 1 : Parallel.threads();
            this.packA = packA; // decided by the caller for the whole product (see gemmStoreTransposed)
            perm = packA && PERMUTE;
            // A packed A block (mc×kStep) stays in L2; read in place, A has no block to fit.
            mPad = roundUp(m, MR);
            int mcT = Math.min(packA ? Math.max(MR, A_BLOCK / kStep / MR * MR) : MC_DIRECT, mPad);
            int g;
            if (threads > 1) {
                // Several threads: A and B are each packed once, before the tiles, so a tile costs
                // nothing but its own arithmetic and tiles can be small. Several tiles per thread let
                // a thread that is held up (another process, a page fault) be covered by the others
                // instead of holding up the whole product; a small product gets fewer (one per
                // TASK_MIN_FLOPS), which keeps the hand-out cost and the re-reading of shared panels small.
                long flops = 2L * m * n * k;
                int target = (int) Math.min(TASKS_PER_THREAD * threads, Math.max(threads, flops / TASK_MIN_FLOPS));
                target = roundUp(target, threads);
                int gMax = Math.min(NC / NR, nPanels);
                if (packA) {
                    int[] pick = fineTiling(mcT, Math.min(gMax, 2), gMax, target);
                    mcT = pick[0];
                    g = pick[1];
                } else { // A read in place: cut its rows, so that each row is read by one tile only
                    g = gMax;
                    mcT = Math.min(mcT, Math.max(MR, roundUp(ceilDiv(m, ceilDiv(target, ceilDiv(nPanels, g))), MR)));
                }
            } else { // one thread: the widest tiles (each packed A block used the most), of equal widths
                g = ceilDiv(nPanels, ceilDiv(nPanels, Math.min(NC / NR, nPanels)));
            }
            mc = mcT;
            nc = g * NR;
            mTiles = ceilDiv(m, mc);
            nTiles = ceilDiv(n, nc);
            shareA = packA && nTiles > 1 && threads > 1;
        }

        /**
         * {tile height, panels per tile} for several threads: the tallest tiles (halving from
         * {@code mc0}) that can be cut into at least {@code target} tiles; among the widths that
         * do, the one whose dynamic split finishes first, the widest on a tie. Without any such
         * cut, the most tiles there can be.
         */
        private int[] fineTiling(int mc0, int gMin, int gMax, int target) {
            for (int h = mc0; ; h = Math.max(MR, roundUp(h / 2, MR))) {
                int mt = ceilDiv(m, h), bestG = -1;
                long bestSpan = Long.MAX_VALUE;
                for (int g = gMax; g >= gMin; g--) {
                    int tasks = mt * ceilDiv(nPanels, g);
                    if (tasks < target) continue;
                    long span = (long) ceilDiv(tasks, threads) * g * h;
                    if (span < bestSpan) {
                        bestSpan = span;
                        bestG = g;
                    }
                }
                if (bestG > 0) return new int[] {h, ceilDiv(nPanels, ceilDiv(nPanels, bestG))};
                if (h == MR) return new int[] {MR, gMin};
            }
        }

        void run() {
            boolean shareB = mTiles > 1;
            if (shareA && (long) mPad * k > sharedMax && m > MR) { // do it in two halves of A's rows
                splitRows();
                return;
            }
            if (shareB && (long) nPanels * NR * k > sharedMax && n > NR) { // do it in two halves of B's columns
                splitRun();
                return;
            }
            float[][] buf = SHARED.get();
            if (shareB) {
                long need = (long) nPanels * NR * k;
                sharedB = buf[0] = buf[0].length >= need ? buf[0] : new float[(int) need];
            }
            if (shareA) {
                long need = (long) mPad * k;
                sharedA = buf[1] = buf[1].length >= need ? buf[1] : new float[(int) need];
            }
            if (shareA || shareB) packShared();
            int[] tt = tasks(shareB);
            Parallel.forEach(tt.length / 4, threads, t -> tile(tt[4 * t], tt[4 * t + 1], tt[4 * t + 2], tt[4 * t + 3]));
        }

        /**
         * The parallel tasks, {i0, rows, j0, cols} each: the tiles in order, the last
         * {@code threads} of them (on several threads) cut into {@link #TAIL_PIECES} pieces. A
         * thread that finishes early then waits for at most a piece instead of a tile. The
         * threads' finishing times, on two threads (mean gap in µs, one piece → four):
         * X·Wᵀ b=64 12 → 5.5, G·W b=64 24 → 7, Gᵀ·X b=64 18 → 7, 1024³ 1500 → 630 (X·Wᵀ b=128,
         * whose tiles are two panels wide, 27 → 23). Tiles are cut along the operand each tile packs itself, if
         * any: into row pieces when B is shared (each piece packs its own rows of A), into
         * column pieces otherwise (each packs its own B panels), so nothing is packed twice.
         */
        private int[] tasks(boolean shareB) {
            int tiles = mTiles * nTiles, cut = threads > 1 ? Math.min(tiles, threads) : 0;
            int[] out = new int[4 * (tiles + cut * (TAIL_PIECES - 1))];
            int w = 0;
            for (int t = 0; t < tiles; t++) {
                int i0 = (t % mTiles) * mc, rows = Math.min(mc, m - i0), j0 = (t / mTiles) * nc, cols = Math.min(nc, n - j0);
                int unit = shareB ? MR : NR, units = ceilDiv(shareB ? rows : cols, unit);
                int pieces = t >= tiles - cut ? Math.min(TAIL_PIECES, units) : 1;
                for (int q = 0; q < pieces; q++) {
                    int u0 = units * q / pieces * unit, u1 = Math.min(shareB ? rows : cols, units * (q + 1) / pieces * unit);
                    out[w++] = shareB ? i0 + u0 : i0;
                    out[w++] = shareB ? u1 - u0 : rows;
                    out[w++] = shareB ? j0 : j0 + u0;
                    out[w++] = shareB ? cols : u1 - u0;
                }
            }
            return w == out.length ? out : java.util.Arrays.copyOf(out, w);
        }

        /** The product as two independent halves of C's columns (cut on a panel boundary). */
        private void splitRun() {
            int n1 = ceilDiv(nPanels, 2) * NR;
            // op(B)'s column j is at b[j] (row-major k×n) or b[j·ldb] (stored n×k); C's at c[j] or, stored transposed, c[j·ldc].
            int bStep = transB ? ldb : 1, cStep = storeT ? ldc : 1;
            new Plan(transA, transB, storeT, m, n1, k, kStep, packA, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate).run();
            new Plan(transA, transB, storeT, m, n - n1, k, kStep, packA, a, aOff, lda, b, bOff + n1 * bStep, ldb, c, cOff + n1 * cStep, ldc, accumulate).run();
        }

        /** The product as two independent halves of C's rows (cut on a panel boundary). */
        private void splitRows() {
            int m1 = ceilDiv(mPad / MR, 2) * MR;
            // op(A)'s row i is at a[i·si]; C's row i at c[i·ldc] or, stored transposed, c[i].
            int cStep = storeT ? 1 : ldc;
            new Plan(transA, transB, storeT, m1, n, k, kStep, packA, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate).run();
            new Plan(transA, transB, storeT, m - m1, n, k, kStep, packA, a, aOff + m1 * si, lda, b, bOff, ldb, c, cOff + m1 * cStep, ldc, accumulate).run();
        }

        /**
         * Packs all of op(B) and/or op(A) (whichever is shared), every K block, in parallel, in
         * tasks of a few panels each. K block pc of B starts at pc·nPanels·NR, its panel q at
         * q·kc·NR from there; K block pc of A starts at pc·mPad, its row panel of row i at i·kc.
         */
        private void packShared() {
            int kBlocks = ceilDiv(k, kStep), mPanels = mPad / MR;
            int perB = ceilDiv(nPanels, Math.min(nPanels, 4 * threads)), groupsB = sharedB == null ? 0 : ceilDiv(nPanels, perB);
            int perA = ceilDiv(mPanels, Math.min(mPanels, 4 * threads)), groupsA = sharedA == null ? 0 : ceilDiv(mPanels, perA);
            int groups = groupsB + groupsA;
            Parallel.forEach(kBlocks * groups, threads, t -> {
                int pc = (t / groups) * kStep, kc = Math.min(kStep, k - pc), g = t % groups;
                if (g < groupsB) {
                    int q0 = g * perB, q1 = Math.min(nPanels, q0 + perB);
                    packB(transB, b, bOff, ldb, pc, kc, q0 * NR, Math.min(n, q1 * NR) - q0 * NR, sharedB, pc * nPanels * NR + q0 * kc * NR, perm);
                } else {
                    int p0 = (g - groupsB) * perA, p1 = Math.min(mPanels, p0 + perA);
                    for (int q = p0; q < p1; q++) {
                        int r0 = q * MR;
                        packRows(a, aOff, si, sp, r0, Math.min(MR, m - r0), pc, kc, sharedA, pc * mPad + r0 * kc, perm);
                    }
                }
            });
        }

        /** C[i0 .. i0+rows, j0 .. j0+cols]: a tile or a piece of one (i0 a multiple of MR, j0 of NR). */
        private void tile(int i0, int rows, int j0, int cols) {
            float[][] buf = BUFFERS.get();
            float[] edge = buf[0], tmp = buf[2];
            int fullRows = rows / MR * MR, rowsPad = roundUp(rows, MR);
            // Over several K blocks, the sums of the full MR×NR blocks wait in a buffer of the
            // tile's own, each block's 64 floats after the last's in the order the loops below
            // visit them, and go to C with the last K block. In C the MR rows of a block are ldc
            // apart and are re-read by every K block; by then, with 1024³, the tile's 512 KiB of C
            // have left L2, and its rows far apart are a pattern the prefetcher misses (1024³,
            // in-process A/B, median GFLOP/s: one thread 65 → 70, two 100 → 106 and 91 → 99).
            // The same sums in the same order: C = ((s0 + s1) + s2)…, or, accumulating,
            // C + (((s0 + s1) + s2)…) instead of ((C + s0) + s1)….
            float[] sums = null;
            if (!storeT && k > kStep) {
                int need = rowsPad * roundUp(cols, NR);
                sums = buf[4] = buf[4].length >= need ? buf[4] : new float[need];
            }
            for (int pc = 0; pc < k; pc += kStep) {
                int kc = Math.min(kStep, k - pc);
                boolean add = accumulate || pc > 0, last = pc + kc >= k;
                float[] bp;
                int bBase = 0;
                if (sharedB != null) {
                    bp = sharedB;
                    bBase = pc * nPanels * NR + (j0 / NR) * kc * NR;
                } else { // each B panel is used by this tile only: packed right before its use, into L1
                    bp = buf[1];
                    if (bp.length < kc * NR) bp = buf[1] = new float[kc * NR];
                }
                float[] ap = null;
                int aBase = 0;
                if (sharedA != null) {
                    ap = sharedA;
                    aBase = pc * mPad + i0 * kc;
                } else if (packA) {
                    ap = buf[3];
                    if (ap.length < kc * roundUp(rows, MR)) ap = buf[3] = new float[kc * roundUp(rows, MR)];
                    for (int ir = 0; ir < rows; ir += MR) packRows(a, aOff, si, sp, i0 + ir, Math.min(MR, rows - ir), pc, kc, ap, ir * kc, perm);
                } else if (fullRows < rows) { // A read in place; its last, partial row panel packed with zero padding
                    packRows(a, aOff, si, sp, i0 + fullRows, rows - fullRows, pc, kc, edge, 0, false);
                }
                for (int jr = 0; jr < cols; jr += NR) {
                    int nr = Math.min(NR, cols - jr);
                    int bo = 0;
                    if (sharedB != null) bo = bBase + jr * kc;
                    else packB(transB, b, bOff, ldb, pc, kc, j0 + jr, nr, bp, 0, perm);
                    for (int ir = 0; ir < rows; ir += MR) {
                        int mr = Math.min(MR, rows - ir);
                        int co = cOff + (i0 + ir) * ldc + j0 + jr;
                        float[] as = a;
                        int ao = aOff + (i0 + ir) * lda + pc;
                        boolean packed = packA || mr < MR;
                        if (packA) {
                            as = ap;
                            ao = aBase + ir * kc;
                        } else if (mr < MR) {
                            as = edge;
                            ao = 0;
                        }
                        if (storeT && PAIRS_T && packA && nr == NR && ir + 2 * MR <= rows) {
                            // two panels of A: an 8×NR block, stored as two 8×8 register transposes
                            micro(kc, true, ap, ao, lda, bp, bo, tmp, 0, NR, false);
                            micro(kc, true, ap, ao + MR * kc, lda, bp, bo, tmp, MR * NR, NR, false);
                            int ct = cOff + (j0 + jr) * ldc + i0 + ir;
                            transpose8(tmp, 0, NR, c, ct, ldc, ldc, add);
                            transpose8(tmp, L, NR, c, ct + L * ldc, ldc, ldc, add);
                            ir += MR; // the next panel is done
                        } else if (storeT) { // element (i, j) goes to C[j, i]
                            micro(kc, packed, as, ao, lda, bp, bo, tmp, 0, NR, false);
                            int ct = cOff + (j0 + jr) * ldc + i0 + ir;
                            for (int j = 0; j < nr; j++) {
                                int cj = ct + j * ldc;
                                if (add) for (int i = 0; i < mr; i++) c[cj + i] += tmp[i * NR + j];
                                else for (int i = 0; i < mr; i++) c[cj + i] = tmp[i * NR + j];
                            }
                        } else if (mr == MR && nr == NR) {
                            if (sums == null) {
                                micro(kc, packed, as, ao, lda, bp, bo, c, co, ldc, add);
                            } else {
                                int so = jr * rowsPad + ir * NR;
                                micro(kc, packed, as, ao, lda, bp, bo, sums, so, NR, pc > 0);
                                if (last) storeBlock(sums, so, c, co, ldc, accumulate);
                            }
                        } else {
                            micro(kc, packed, as, ao, lda, bp, bo, tmp, 0, NR, false);
                            for (int i = 0; i < mr; i++) {
                                int ci = co + i * ldc, t = i * NR;
                                if (add) for (int j = 0; j < nr; j++) c[ci + j] += tmp[t + j];
                                else System.arraycopy(tmp, t, c, ci, nr);
                            }
                        }
                    }
                }
            }
        }
    }

    /** C[MR×NR block at co] (+)= the block at src[so], stored row by row (NR apart). */
    private static void storeBlock(float[] src, int so, float[] c, int co, int ldc, boolean add) {
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
    private static void micro(int kc, boolean packed, float[] a, int ao, int lda, float[] bp, int bo, float[] c, int co, int ldc, boolean add) {
        if (packed) {
            if (MR == 8) kernel8p(kc, a, ao, bp, bo, c, co, ldc, add);
            else kernel4p(kc, a, ao, bp, bo, c, co, ldc, add);
        } else {
            if (MR == 8) kernel8d(kc, a, ao, lda, bp, bo, c, co, ldc, add);
            else kernel4d(kc, a, ao, lda, bp, bo, c, co, ldc, add);
        }
    }

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
    private static void packRows(float[] a, int aOff, int si, int sp, int r0, int rows, int pc, int kc, float[] dst, int d0, boolean perm) {
        if (rows < MR) java.util.Arrays.fill(dst, d0, d0 + MR * kc, 0f);
        if (si == 1) { // transposed A: the MR values of a step are contiguous
            int p0 = 0;
            if (perm && rows == MR) { // eight steps at a time, two per vector (see pairSteps)
                int src = aOff + r0 + pc * sp;
                for (; p0 + 8 <= kc && src + (p0 + 7) * sp + L <= a.length; p0 += 8) pairSteps(a, src + p0 * sp, sp, dst, d0 + p0 * MR);
            }
            for (int p = p0; p < kc; p++) System.arraycopy(a, aOff + r0 + (pc + p) * sp, dst, d0 + slot(p, kc, perm) * MR, rows);
            return;
        }
        if (sp == 1 && rows == MR) { // a full panel of rows along K: step by step, MR reads and one contiguous run of writes
            int src = aOff + r0 * si + pc, p0 = 0;
            if (perm) { // MR = 4, L = 8: eight steps at a time, interleaved in registers
                for (; p0 + 8 <= kc; p0 += 8) interleave4(a, src + p0, si, dst, d0 + p0 * MR);
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
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int pc, int kc, int j0, int nc, float[] bp, int d0, boolean perm) {
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
        // B stored n×k: row j of B holds op(B)[:, j]. With 8-lane vectors, full groups of 8 rows
        // and 8 steps are transposed in registers (0.8–1.2 cycles a float against 1.4–3.7 for the
        // scalar copy); the rest is copied one float at a time. A panel longer than L1 is written
        // in chunks of steps, so that the scalar passes over it stay in L1 (kc = 784: 3.7 → 2.2
        // cycles a float); a short one in one go (kc = 196: 1.4; in chunks of 32, 1.9).
        int chunk = kc > 256 ? 32 : kc;
        for (int jr = 0; jr < nc; jr += NR) {
            int base = d0 + jr * kc;
            int nr = Math.min(NR, nc - jr);
            if (L == 8 && nr == NR) {
                int src = bOff + (j0 + jr) * ldb + pc, p = 0;
                int step = perm ? 2 * NR : NR, half = perm ? -5 * NR : NR; // where transpose8 puts each step (see there)
                for (; p + 8 <= kc; p += 8) {
                    transpose8(b, src + p, ldb, bp, base + p * NR, step, half, false);
                    transpose8(b, src + 8 * ldb + p, ldb, bp, base + p * NR + 8, step, half, false);
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
    // whose bit d differs (a lane permutation and two blends each). Only built with 8-lane vectors.
    private static final VectorShuffle<Float> SWAP4 = L == 8 ? VectorShuffle.fromValues(S, 4, 5, 6, 7, 0, 1, 2, 3) : null;
    private static final VectorShuffle<Float> SWAP2 = L == 8 ? VectorShuffle.fromValues(S, 2, 3, 0, 1, 6, 7, 4, 5) : null;
    private static final VectorShuffle<Float> SWAP1 = L == 8 ? VectorShuffle.fromValues(S, 1, 0, 3, 2, 5, 4, 7, 6) : null;
    private static final VectorMask<Float> BIT4 = L == 8 ? VectorMask.fromValues(S, false, false, false, false, true, true, true, true) : null;
    private static final VectorMask<Float> BIT2 = L == 8 ? VectorMask.fromValues(S, false, false, true, true, false, false, true, true) : null;
    private static final VectorMask<Float> BIT1 = L == 8 ? VectorMask.fromValues(S, false, true, false, true, false, true, false, true) : null;

    /**
     * dst[d + 4·slot(q) + i] = src[s + q·ld + i] for i in [0, 4), q in [0, 8): eight steps of a
     * transposed A panel, whose four values per step are contiguous. Steps q and q+4 share a
     * vector in {@link #slot} order, so each vector is the low halves of two 8-wide loads (the high
     * halves, the next panel's or past the rows, are not used). Gᵀ of 256×64 on one core: 1.6
     * cycles a float, against 3.5 with a four-float copy a step.
     */
    private static void pairSteps(float[] src, int s, int ld, float[] dst, int d) {
        for (int q = 0; q < 4; q++) {
            FloatVector u = FloatVector.fromArray(S, src, s + q * ld), v = FloatVector.fromArray(S, src, s + (q + 4) * ld);
            u.blend(v.rearrange(SWAP4), BIT4).intoArray(dst, d + 8 * q);
        }
    }

    /**
     * dst[d + 4·slot(q) + i] = src[s + i·ld + q] for i in [0, 4), q in [0, 8): four rows of
     * eight floats, interleaved step by step (an A panel) in {@link #slot} order. Stages d = 2
     * and 1 of the butterfly transpose each group of four lanes, which leaves steps q and q+4
     * side by side; putting the steps in order would take a third stage across the 128-bit
     * halves (256×784 on one core: 0.84 cycles a float with it, 0.60 without).
     */
    private static void interleave4(float[] src, int s, int ld, float[] dst, int d) {
        FloatVector r0 = FloatVector.fromArray(S, src, s), r1 = FloatVector.fromArray(S, src, s + ld);
        FloatVector r2 = FloatVector.fromArray(S, src, s + 2 * ld), r3 = FloatVector.fromArray(S, src, s + 3 * ld);
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
    private static void transpose8(float[] src, int s, int ld, float[] dst, int d, int step, int half, boolean add) {
        FloatVector r0 = FloatVector.fromArray(S, src, s), r1 = FloatVector.fromArray(S, src, s + ld);
        FloatVector r2 = FloatVector.fromArray(S, src, s + 2 * ld), r3 = FloatVector.fromArray(S, src, s + 3 * ld);
        FloatVector r4 = FloatVector.fromArray(S, src, s + 4 * ld), r5 = FloatVector.fromArray(S, src, s + 5 * ld);
        FloatVector r6 = FloatVector.fromArray(S, src, s + 6 * ld), r7 = FloatVector.fromArray(S, src, s + 7 * ld);
        FloatVector a0 = r0.blend(r4.rearrange(SWAP4), BIT4), a4 = r0.rearrange(SWAP4).blend(r4, BIT4);
        FloatVector a1 = r1.blend(r5.rearrange(SWAP4), BIT4), a5 = r1.rearrange(SWAP4).blend(r5, BIT4);
        FloatVector a2 = r2.blend(r6.rearrange(SWAP4), BIT4), a6 = r2.rearrange(SWAP4).blend(r6, BIT4);
        FloatVector a3 = r3.blend(r7.rearrange(SWAP4), BIT4), a7 = r3.rearrange(SWAP4).blend(r7, BIT4);
        FloatVector c0 = a0.blend(a2.rearrange(SWAP2), BIT2), c2 = a0.rearrange(SWAP2).blend(a2, BIT2);
        FloatVector c1 = a1.blend(a3.rearrange(SWAP2), BIT2), c3 = a1.rearrange(SWAP2).blend(a3, BIT2);
        FloatVector c4 = a4.blend(a6.rearrange(SWAP2), BIT2), c6 = a4.rearrange(SWAP2).blend(a6, BIT2);
        FloatVector c5 = a5.blend(a7.rearrange(SWAP2), BIT2), c7 = a5.rearrange(SWAP2).blend(a7, BIT2);
        int d4 = d + 3 * step + half;
        put(c0.blend(c1.rearrange(SWAP1), BIT1), dst, d, add);
        put(c0.rearrange(SWAP1).blend(c1, BIT1), dst, d + step, add);
        put(c2.blend(c3.rearrange(SWAP1), BIT1), dst, d + 2 * step, add);
        put(c2.rearrange(SWAP1).blend(c3, BIT1), dst, d + 3 * step, add);
        put(c4.blend(c5.rearrange(SWAP1), BIT1), dst, d4, add);
        put(c4.rearrange(SWAP1).blend(c5, BIT1), dst, d4 + step, add);
        put(c6.blend(c7.rearrange(SWAP1), BIT1), dst, d4 + 2 * step, add);
        put(c6.rearrange(SWAP1).blend(c7, BIT1), dst, d4 + 3 * step, add);
    }

    /** dst[off ..] = v, or dst[off ..] + v (small enough to be inlined, so v stays in a register). */
    private static void put(FloatVector v, float[] dst, int off, boolean add) {
        (add ? FloatVector.fromArray(S, dst, off).add(v) : v).intoArray(dst, off);
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
        // 8 FMAs, which matters when a busy SMT sibling takes half of the core's dispatch (one
        // core, alternating: median 84.7 → 88.7 GFLOP/s, lower quartile 74.7 → 84.1; docs/BENCHMARKS.md).
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
