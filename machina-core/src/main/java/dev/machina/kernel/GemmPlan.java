package dev.machina.kernel;

import static dev.machina.kernel.GemmKernels.micro;
import static dev.machina.kernel.GemmKernels.storeBlock;
import static dev.machina.kernel.GemmPack.PERMUTE;
import static dev.machina.kernel.GemmPack.packB;
import static dev.machina.kernel.GemmPack.packRows;
import static dev.machina.kernel.GemmPack.transpose8;
import static dev.machina.kernel.VectorGemm.BUFFERS;
import static dev.machina.kernel.VectorGemm.KC;
import static dev.machina.kernel.VectorGemm.KC_T;
import static dev.machina.kernel.VectorGemm.L;
import static dev.machina.kernel.VectorGemm.MC;
import static dev.machina.kernel.VectorGemm.MC_DIRECT;
import static dev.machina.kernel.VectorGemm.MR;
import static dev.machina.kernel.VectorGemm.NC;
import static dev.machina.kernel.VectorGemm.NR;
import static dev.machina.kernel.VectorGemm.PACK_A_MIN_PANELS;
import static dev.machina.kernel.VectorGemm.PAIRS_T;
import static dev.machina.kernel.VectorGemm.PARALLEL_MIN;
import static dev.machina.kernel.VectorGemm.ceilDiv;
import static dev.machina.kernel.VectorGemm.roundUp;

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
final class GemmPlan {
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
    /** Pieces each of the last tiles of a multi-threaded product is cut into (see {@code tasks}). */
    static final int TAIL_PIECES = 4;

    /**
     * C[j, i] (+)= (A·Bᵀ)[i, j] for A m×k and B n×k, row-major. A is packed too, though N (the
     * original M) may be narrow: with K kept long the packed kernel gains more than the interleave
     * costs.
     */
    static void gemmStoreTransposed(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                    float[] c, int cOff, int ldc, boolean accumulate, Epilogue ep) {
        new GemmPlan(false, true, true, m, n, k, kStep(false, true, n, k), true, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate).with(ep).run();
    }

    /**
     * Packing A pays when its panels are reused across many B panels: it keeps the A block in a
     * few contiguous pages (no TLB misses or cache-set conflicts on large strides) at a one-off
     * copy cost. A transposed A is always packed (its rows are columns in memory).
     */
    static boolean packA(boolean transA, int n) {
        return transA || ceilDiv(n, NR) >= PACK_A_MIN_PANELS;
    }

    /**
     * The K block of a whole product: K cut into equal blocks of at most KC (784 = 4 × 196, not
     * 3 × 256 + 16). When A is read in place the blocks are longer: A's MR rows are MR separate
     * streams, which the prefetcher serves poorly when they are short. So they are on the
     * transposed-store path, whose store costs something per block. The parts a product is split
     * into keep this block, whatever their own shape, so that every element of C is summed in the
     * same order however the product is split.
     */
    static int kStep(boolean transA, boolean storeT, int n, int k) {
        if (k <= 0) return 1;
        return ceilDiv(k, ceilDiv(k, storeT || !packA(transA, n) ? KC_T : KC));
    }

    /**
     * {mc, nc, tile rows, tile columns, 1 if A is packed once for all tiles, parallel tasks} of the
     * plan the packed path uses for this product (for tests); for a product computed transposed
     * (see {@link VectorGemm#storesTransposed}), those of Cᵀ = B·Aᵀ.
     */
    static int[] tiling(boolean transA, boolean transB, int m, int n, int k) {
        GemmPlan p = VectorGemm.storesTransposed(transA, transB, m, n, k)
                ? new GemmPlan(false, true, true, n, m, k, kStep(false, true, m, k), true, null, 0, 0, null, 0, 0, null, 0, 0, false)
                : new GemmPlan(transA, transB, false, m, n, k, kStep(transA, false, n, k), packA(transA, n), null, 0, 0, null, 0, 0, null, 0, 0, false);
        return new int[] {p.mc, p.nc, p.mTiles, p.nTiles, p.shareA ? 1 : 0, p.tasks(p.mTiles > 1).length / 4};
    }

    final boolean transA, transB, storeT, accumulate, packA;
    /** Whether steps are in {@link GemmPack#slot} order inside each full block of 8 (A packed, 8-lane vectors, 4-row panels). */
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
    /** Applied around each task's region of C (bias, ReLU), or null. */
    private Epilogue ep;

    /**
     * A product, or a part of one: {@code kStep} ({@link #kStep}) and {@code packA} come from
     * the whole product, so that every part sums K alike (a packed A also orders the steps
     * of each block its own way, see {@link GemmPack#slot}).
     */
    GemmPlan(boolean transA, boolean transB, boolean storeT, int m, int n, int k, int kStep, boolean packA, float[] a, int aOff, int lda,
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

    /** This plan with {@code ep} (may be null) applied around each task's region of C. */
    GemmPlan with(Epilogue ep) {
        this.ep = ep;
        return this;
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
        Epilogue e = ep;
        if (e == null) {
            Parallel.forEach(tt.length / 4, threads, t -> tile(tt[4 * t], tt[4 * t + 1], tt[4 * t + 2], tt[4 * t + 3]));
            return;
        }
        Parallel.forEach(tt.length / 4, threads, t -> {
            int i0 = tt[4 * t], rows = tt[4 * t + 1], j0 = tt[4 * t + 2], cols = tt[4 * t + 3];
            // the task's region of C: rows × cols from (i0, j0), or, stored transposed, cols × rows from (j0, i0)
            int start = storeT ? cOff + j0 * ldc + i0 : cOff + i0 * ldc + j0, cr = storeT ? cols : rows, cc = storeT ? rows : cols;
            e.before(c, start, cr, cc);
            tile(i0, rows, j0, cols);
            e.after(c, start, cr, cc);
        });
    }

    /**
     * The parallel tasks, {i0, rows, j0, cols} each: the tiles in order, the last
     * {@code threads} of them (on several threads) cut into {@link #TAIL_PIECES} pieces. A
     * thread that finishes early then waits for at most a piece instead of a tile, so the threads
     * finish close together. Tiles are cut along the operand each tile packs itself, if any: into
     * row pieces when B is shared (each piece packs its own rows of A), into column pieces
     * otherwise (each packs its own B panels), so nothing is packed twice.
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
        new GemmPlan(transA, transB, storeT, m, n1, k, kStep, packA, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate).with(ep).run();
        new GemmPlan(transA, transB, storeT, m, n - n1, k, kStep, packA, a, aOff, lda, b, bOff + n1 * bStep, ldb, c, cOff + n1 * cStep, ldc, accumulate).with(ep).run();
    }

    /** The product as two independent halves of C's rows (cut on a panel boundary). */
    private void splitRows() {
        int m1 = ceilDiv(mPad / MR, 2) * MR;
        // op(A)'s row i is at a[i·si]; C's row i at c[i·ldc] or, stored transposed, c[i].
        int cStep = storeT ? 1 : ldc;
        new GemmPlan(transA, transB, storeT, m1, n, k, kStep, packA, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate).with(ep).run();
        new GemmPlan(transA, transB, storeT, m - m1, n, k, kStep, packA, a, aOff + m1 * si, lda, b, bOff, ldb, c, cOff + m1 * cStep, ldc, accumulate).with(ep).run();
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
        // tile's own, each block's MR·NR floats after the last's in the order the loops below
        // visit them, and go to C with the last K block. In C the MR rows of a block are ldc
        // apart and are re-read by every K block; by then a large tile's C has left L2, and rows
        // far apart are a pattern the prefetcher misses; the buffer is read in the order it was
        // written, which it follows.
        // The sums are the same in the same order: C = ((s0 + s1) + s2)…, or, accumulating,
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
                    } else if (storeT && MR == 8 && mr == MR && nr == NR) {
                        // one 8-row panel of A: an 8×NR block, stored as NR/8 register transposes
                        micro(kc, packed, as, ao, lda, bp, bo, tmp, 0, NR, false);
                        int ct = cOff + (j0 + jr) * ldc + i0 + ir;
                        for (int q = 0; q < NR; q += 8) transpose8(tmp, q, NR, c, ct + q * ldc, ldc, ldc, add);
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
