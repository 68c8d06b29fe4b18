package dev.machina.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.machina.tensor.Rng;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packed GEMM's tiling paths: B packed once and shared by several tile rows, A packed once
 * and shared by several tile columns, and products done in halves when a shared buffer would
 * exceed its limit. All must give the reference result and, being only a different split of the
 * same per-element work, the same bits as any other split and any thread count.
 */
class VectorGemmTest {
    private final int savedThreads = Parallel.threads();
    private final long savedSharedMax = GemmPlan.sharedMax;
    private Kernels vector;

    @BeforeEach
    void vectorProvider() {
        vector = KernelsTest.vectorKernels();
        assertThat(vector).as("the Vector API provider must load in tests (surefire passes --add-modules jdk.incubator.vector)").isNotNull();
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(savedThreads);
        GemmPlan.sharedMax = savedSharedMax;
    }

    @Test
    void runsAtTheVectorWidthThisJvmWasGiven() {
        // machina-core's pom runs this class at 128, 256 and 512 bits (-Dmachina.simd.bits)
        String bits = System.getProperty("machina.simd.bits");
        int expected = bits == null ? jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() : Integer.parseInt(bits.strip());
        assertThat(VectorGemm.L * 32).isEqualTo(expected);
        assertThat(vector.vectorBits()).isEqualTo(expected);
        assertThat(VectorGemm.MR).isEqualTo(VectorGemm.L >= 16 ? 8 : 4);
        // the width is fixed for the JVM: another one cannot be had any more, a wrong one never
        assertThatThrownBy(() -> VectorWidth.kernelsAt(300)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 300");
        int other = expected == 256 ? 512 : 256;
        assertThatThrownBy(() -> VectorWidth.kernelsAt(other)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already run at " + expected + " bits");
        assertThat(VectorWidth.kernelsAt(expected).vectorBits()).isEqualTo(expected);
    }

    /**
     * Shapes with several tile rows (so B is packed once and shared), edges in every dimension.
     * How many tile rows a shape gets depends on the vector width: with 16 lanes and one thread,
     * 517 rows read in place make one, so there all but one must have several; elsewhere all.
     */
    private static final int[][] SHARED_SHAPES = {{300, 300, 300}, {517, 129, 1031}, {1100, 784, 64}, {1101, 48, 256}, {5001, 20, 7}};

    @Test
    void sharedPackedBMatchesReferenceInEveryForm() {
        Rng rng = new Rng(21);
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            for (int form = 0; form < 4; form++) {
                boolean ta = (form & 1) != 0, tb = (form & 2) != 0;
                int shared = 0;
                for (int[] s : SHARED_SHAPES) {
                    if (GemmPlan.tiling(ta, tb, s[0], s[1], s[2])[2] > 1) shared++;
                    KernelsTest.checkGemm(vector, rng, ta, tb, s[0], s[1], s[2], form == 0);
                }
                assertThat(shared).as("shapes with several tile rows, form %d, %d thread(s), %d lanes", form, threads, VectorGemm.L)
                        .isGreaterThanOrEqualTo(VectorGemm.L == 16 ? SHARED_SHAPES.length - 1 : SHARED_SHAPES.length);
            }
        }
    }

    /** Shapes whose tiles on two threads share a packed A (several tile columns), edges in every dimension. */
    private static final int[][] SHARED_A_SHAPES = {{64, 784, 256}, {300, 300, 300}, {129, 1000, 70}, {33, 517, 100}, {256, 784, 64}};

    @Test
    void sharedPackedAMatchesReferenceAndTheBitsOfOtherThreadCounts() {
        Rng rng = new Rng(23);
        for (int[] s : SHARED_A_SHAPES) {
            for (int form = 0; form < 4; form++) {
                boolean ta = (form & 1) != 0, tb = (form & 2) != 0, acc = form == 3;
                int m = s[0], n = s[1], k = s[2];
                Parallel.setThreads(2);
                if (!VectorGemm.storesTransposed(ta, tb, m, n, k)) { // (B·Aᵀ)ᵀ: its own plan, checked by its results
                    assertThat(GemmPlan.tiling(ta, tb, m, n, k)[4]).as("A shared for %s form %d", java.util.Arrays.toString(s), form).isEqualTo(1);
                }
                KernelsTest.checkGemm(vector, rng, ta, tb, m, n, k, acc);
                assertSameBitsOnOneToThreeThreads(rng, ta, tb, m, n, k, acc);
            }
        }
    }

    @Test
    void productsDoneInHalvesGiveTheSameBits() {
        Rng rng = new Rng(5);
        // {m, n, k}: plain, transposed-store (A·Bᵀ with m < n), several K blocks, edges, A read in
        // place with long K blocks (256×64: n < 8 panels), which its parts must keep, and a packed A
        // whose halves would read it in place on their own (150×120: they must keep its packing
        // and step order)
        int[][] shapes = {{300, 300, 300}, {64, 520, 784}, {517, 129, 1031}, {261, 100, 64}, {256, 64, 784}, {150, 120, 1300}};
        for (int[] s : shapes) {
            for (int form = 0; form < 4; form++) {
                boolean ta = (form & 1) != 0, tb = (form & 2) != 0;
                int m = s[0], n = s[1], k = s[2];
                float[] a = KernelsTest.random(rng, m * k), b = KernelsTest.random(rng, k * n), c0 = KernelsTest.random(rng, m * n);
                boolean acc = form == 1;
                float[] whole = c0.clone(), halves = c0.clone(), halvesOneThread = c0.clone();
                GemmPlan.sharedMax = savedSharedMax;
                Parallel.setThreads(2);
                vector.gemm(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, whole, 0, n, acc);
                GemmPlan.sharedMax = 5_000; // far below every shape's packed A and B: split down to a panel or two
                vector.gemm(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, halves, 0, n, acc);
                Parallel.setThreads(1);
                vector.gemm(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, halvesOneThread, 0, n, acc);
                String what = java.util.Arrays.toString(s) + " transA=" + ta + " transB=" + tb + " accumulate=" + acc;
                for (int i = 0; i < whole.length; i++) {
                    if (Float.floatToRawIntBits(whole[i]) != Float.floatToRawIntBits(halves[i])
                            || Float.floatToRawIntBits(whole[i]) != Float.floatToRawIntBits(halvesOneThread[i])) {
                        throw new AssertionError(what + ": element " + i + " differs: whole " + whole[i] + ", in halves " + halves[i]
                                + ", in halves on one thread " + halvesOneThread[i]);
                    }
                }
                // and the split product is right, not just consistent
                GemmPlan.sharedMax = 5_000;
                KernelsTest.checkGemm(vector, rng, ta, tb, m, n, k, acc);
            }
        }
    }

    @Test
    void tilesGiveEveryThreadSeveralAndKeepThePackedABlockInL2() {
        Parallel.setThreads(2);
        int[] t = GemmPlan.tiling(false, false, 1024, 1024, 1024);
        assertThat(t[2] * t[3]).as("tiles for 1024³ on 2 threads").isGreaterThanOrEqualTo(4).isEven();
        assertThat((long) t[0] * Math.min(1024, VectorGemm.KC)).as("A block floats").isLessThanOrEqualTo(GemmPlan.A_BLOCK);
        // the MLP step's products (batch 64 and 128): at least two tiles per thread, none tiny (a few µs)
        int[][] mlp = {{64, 784, 256, 0}, {256, 784, 64, 1}, {128, 784, 256, 0}, {256, 784, 128, 1}, {128, 256, 784, 2}};
        for (int[] s : mlp) {
            int[] p = GemmPlan.tiling(s[3] == 1, s[3] == 2, s[0], s[1], s[2]);
            String what = java.util.Arrays.toString(s) + " -> " + java.util.Arrays.toString(p);
            assertThat(p[2] * p[3]).as("tiles for %s", what).isGreaterThanOrEqualTo(4);
            // 1 MFLOP takes 10 µs or more on one core; with 4-lane vectors 64×784×256 gets 14 tiles of 1.8
            assertThat(2L * p[0] * p[1] * s[2]).as("flops of a full tile of %s", what).isGreaterThanOrEqualTo(GemmPlan.TASK_MIN_FLOPS / 8);
        }
        // the last tile of each thread is cut into pieces (1024³: 8 tiles of 128 rows, two of them in four)
        assertThat(t[5]).as("tasks for 1024³ on 2 threads").isEqualTo(t[2] * t[3] + 2 * (GemmPlan.TAIL_PIECES - 1));
        Parallel.setThreads(1);
        assertThat(GemmPlan.tiling(false, false, 64, 784, 256)[3]).as("one thread: one tile column").isEqualTo(1);
        int[] one = GemmPlan.tiling(false, false, 1024, 1024, 1024);
        assertThat(one[5]).as("one thread: one task a tile").isEqualTo(one[2] * one[3]);
    }

    @Test
    void permutedStepsFillEverySlotOnceAndLeaveTheTailInPlace() {
        for (int kc : new int[] {1, 7, 8, 9, 15, 16, 23, 196, 784}) {
            boolean[] seen = new boolean[kc];
            for (int p = 0; p < kc; p++) {
                int s = GemmPack.slot(p, kc, true);
                assertThat(s).as("slot of step %d of %d", p, kc).isBetween(p & ~7, Math.min(kc, (p | 7) + 1) - 1);
                assertThat(seen[s]).as("slot %d of %d taken twice", s, kc).isFalse();
                seen[s] = true;
                if (p >= (kc & ~7)) assertThat(s).as("tail step %d of %d", p, kc).isEqualTo(p);
                assertThat(GemmPack.slot(p, kc, false)).isEqualTo(p);
            }
        }
        // the order interleave4 leaves a block in: steps 0, 4, 1, 5, 2, 6, 3, 7 in slots 0..7
        int[] stepInSlot = new int[8];
        for (int p = 0; p < 8; p++) stepInSlot[GemmPack.slot(p, 8, true)] = p;
        assertThat(stepInSlot).containsExactly(0, 4, 1, 5, 2, 6, 3, 7);
    }

    @Test
    void onlyBatchesThatFillTheTransposedPanelsAreComputedTransposed() {
        int nr = VectorGemm.NR;
        assertThat(VectorGemm.storesTransposed(false, true, nr + nr / 2, 256, 784)).as("m = 1.5 panels of %d", nr).isFalse();
        assertThat(VectorGemm.storesTransposed(false, true, 2 * nr, 256, 784)).as("m = 2 panels of %d", nr).isTrue();
        assertThat(VectorGemm.storesTransposed(false, true, 2 * nr + 1, 256, 784)).isFalse();
    }

    @Test
    void transposedStoreWithSeveralKBlocksMatchesReferenceAndTheBitsOfOtherThreadCounts() {
        // A·Bᵀ with m < n and m a multiple of NR goes through (B·Aᵀ)ᵀ, whose K blocks are up to 1024
        // long: these have two and three, not multiples of 8, so later blocks add to C through the
        // transposed store (with 4-lane vectors only m under 8 panels of 8 does: 32 and 48)
        Rng rng = new Rng(29);
        int through = 0;
        for (int[] s : new int[][] {{32, 300, 1100}, {64, 257, 2100}, {96, 131, 1031}, {48, 100, 1100}}) {
            int m = s[0], n = s[1], k = s[2];
            if (VectorGemm.storesTransposed(false, true, m, n, k)) through++;
            for (boolean acc : new boolean[] {false, true}) {
                Parallel.setThreads(2);
                KernelsTest.checkGemm(vector, rng, false, true, m, n, k, acc);
                assertSameBitsOnOneToThreeThreads(rng, false, true, m, n, k, acc);
            }
        }
        assertThat(through).as("shapes that go through (B·Aᵀ)ᵀ with %d lanes", VectorGemm.L).isGreaterThanOrEqualTo(VectorGemm.L == 4 ? 2 : 3);
    }

    @Test
    void sumsOfSeveralKBlocksKeptApartFromCMatchReferenceAndTheBitsOfOtherThreadCounts() {
        // K longer than a block (KC = 256) on the plain store: each tile keeps the sums of its full
        // blocks in a buffer of its own until the last K block, and its edge blocks in C; the
        // buffer is reused by the next tile, so a stale sum would show. Edges in every dimension;
        // 300×100×1100 reads A in place (n under 8 panels), whose K blocks are up to 1024 long.
        Rng rng = new Rng(37);
        for (int[] s : new int[][] {{300, 300, 600}, {517, 129, 1031}, {33, 517, 700}, {300, 100, 1100}}) {
            int m = s[0], n = s[1], k = s[2];
            for (int form = 0; form < 4; form++) {
                boolean ta = (form & 1) != 0, tb = (form & 2) != 0;
                if (VectorGemm.storesTransposed(ta, tb, m, n, k)) continue; // checked above
                for (boolean acc : new boolean[] {false, true}) {
                    Parallel.setThreads(2);
                    KernelsTest.checkGemm(vector, rng, ta, tb, m, n, k, acc);
                    assertSameBitsOnOneToThreeThreads(rng, ta, tb, m, n, k, acc);
                }
            }
        }
    }

    /** op(A)·op(B) (+ C) on random operands gives the same bits on 1, 2 and 3 threads (3: another tiling again; more tiles than cores is fine). */
    private void assertSameBitsOnOneToThreeThreads(Rng rng, boolean ta, boolean tb, int m, int n, int k, boolean acc) {
        float[] a = KernelsTest.random(rng, m * k), b = KernelsTest.random(rng, k * n), c0 = KernelsTest.random(rng, m * n);
        float[][] out = new float[3][];
        for (int threads = 1; threads <= 3; threads++) {
            Parallel.setThreads(threads);
            out[threads - 1] = c0.clone();
            vector.gemm(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, out[threads - 1], 0, n, acc);
        }
        for (int t = 1; t < 3; t++) {
            for (int i = 0; i < c0.length; i++) {
                if (Float.floatToRawIntBits(out[0][i]) != Float.floatToRawIntBits(out[t][i])) {
                    throw new AssertionError(m + "×" + n + "×" + k + " transA=" + ta + " transB=" + tb + " accumulate=" + acc + ": element " + i
                            + " differs between 1 and " + (t + 1) + " threads: " + out[0][i] + " vs " + out[t][i]);
                }
            }
        }
    }
}
