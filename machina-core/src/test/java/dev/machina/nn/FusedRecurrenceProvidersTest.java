package dev.machina.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.machina.kernel.KernelProvider;
import dev.machina.kernel.Kernels;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The fused recurrence on the scalar and the Vector API kernels over awkward sizes: the same
 * outputs and gradients up to float rounding (tolerance grows with the reduction length), and
 * each provider bit-identical with itself run to run.
 */
class FusedRecurrenceProvidersTest {

    record Result(float[] out, List<float[]> grads) {}

    static Result run(Kernels k, FusedRecurrence.Cell cell, int bsz, int tLen, int in, int hid, boolean reverse, long seed) {
        Rng r = new Rng(seed);
        int g = cell.gates * hid;
        Tensor x = Tensor.randn(r, bsz, tLen, in).requiresGrad(true);
        Tensor h0 = Tensor.randn(r, bsz, hid).requiresGrad(true);
        Tensor c0 = cell == FusedRecurrence.Cell.LSTM ? Tensor.randn(r, bsz, hid).requiresGrad(true) : null;
        Tensor wIh = Tensor.uniform(r, -0.5f, 0.5f, g, in).requiresGrad(true), wHh = Tensor.uniform(r, -0.5f, 0.5f, g, hid).requiresGrad(true);
        Tensor bIh = Tensor.uniform(r, -0.5f, 0.5f, g).requiresGrad(true), bHh = Tensor.uniform(r, -0.5f, 0.5f, g).requiresGrad(true);
        int[] len = new int[bsz];
        for (int b = 0; b < bsz; b++) len[b] = 1 + r.nextInt(tLen);
        FusedRecurrence.Parts p = FusedRecurrence.parts(k, cell, x, h0, c0, wIh, wHh, bIh, bHh, len, reverse);
        List<Tensor> pieces = new ArrayList<>(List.of(p.output().reshape(-1), p.hn().reshape(-1)));
        if (p.cn() != null) pieces.add(p.cn().reshape(-1));
        Tensor packed = Tensor.concat(pieces, 0); // [output | h_n | c_n]: one gradient reaches all three
        packed.backward(Tensor.randn(r, packed.shape()));
        List<float[]> grads = new ArrayList<>();
        for (Tensor t : new Tensor[] {x, h0, c0, wIh, wHh, bIh, bHh}) if (t != null) grads.add(t.grad().toArray());
        return new Result(packed.toArray(), grads);
    }

    /** A forward on a huge batch (no graph) does not leave its workspace pooled for the life of the JVM; a small one's is kept. */
    @Test
    void aHugeWorkspaceIsNotKept() {
        for (FusedRecurrence.Cell cell : new FusedRecurrence.Cell[] {FusedRecurrence.Cell.LSTM, FusedRecurrence.Cell.GRU}) {
            FusedRecurrence.Pool<?> pool = cell == FusedRecurrence.Cell.LSTM ? FusedRecurrence.LSTM_POOL : FusedRecurrence.RNN_POOL;
            Rng r = new Rng(3);
            int bsz = 800, tLen = 28, in = 28, hid = 128, g = cell.gates * hid; // saved gate activations alone: 28·800·G floats, more than the cap
            Tensor x = Tensor.randn(r, bsz, tLen, in);
            Tensor wIh = Tensor.uniform(r, -0.1f, 0.1f, g, in), wHh = Tensor.uniform(r, -0.1f, 0.1f, g, hid);
            Tensor b = Tensor.zeros(g);
            int[] len = new int[bsz];
            java.util.Arrays.fill(len, tLen);
            try (var ng = Tensor.noGrad()) {
                FusedRecurrence.parts(KernelProvider.get(), cell, x, null, null, wIh, wHh, b, b, len, false);
            }
            assertThat((long) tLen * bsz * g).isGreaterThan(FusedRecurrence.POOL_FLOATS_MAX);
            assertThat(pool.largest()).as("%s", cell).isLessThanOrEqualTo(FusedRecurrence.POOL_FLOATS_MAX);
            Tensor small = Tensor.randn(r, 4, 3, in);
            try (var ng = Tensor.noGrad()) {
                FusedRecurrence.parts(KernelProvider.get(), cell, small, null, null, wIh, wHh, b, b, new int[] {3, 3, 3, 3}, false);
            }
            assertThat(pool.largest()).as("%s", cell).isPositive();
        }
    }

    /**
     * A pooled workspace holding another call's values gives the results of a fresh one: a call,
     * then one with other lengths and values, then every pooled RNN/GRU workspace filled with NaN
     * (what a missed zeroing would read), then the first call again, bit for bit; likewise a
     * forward without an initial state.
     */
    @Test
    void aReusedWorkspaceGivesTheResultsOfAFreshOne() {
        for (FusedRecurrence.Cell cell : FusedRecurrence.Cell.values()) {
            Result fresh = run(KernelProvider.get(), cell, 37, 5, 29, 31, false, 11);
            run(KernelProvider.get(), cell, 37, 5, 29, 31, true, 12); // other lengths and values left in the pool
            poisonPools();
            Result reused = run(KernelProvider.get(), cell, 37, 5, 29, 31, false, 11);
            assertThat(reused.out()).as("%s", cell).containsExactly(fresh.out());
            for (int gi = 0; gi < fresh.grads().size(); gi++) assertThat(reused.grads().get(gi)).as("%s grad %d", cell, gi).containsExactly(fresh.grads().get(gi));
            // no initial state: zeros, not what the pool held
            float[] zeroStart = withoutInitialState(cell);
            poisonPools();
            assertThat(withoutInitialState(cell)).as("%s without h0", cell).containsExactly(zeroStart);
        }
    }

    /** The output sequence of a forward from the zero state (no h0 given). */
    private static float[] withoutInitialState(FusedRecurrence.Cell cell) {
        Rng r = new Rng(5);
        int g = cell.gates * 31;
        Tensor x = Tensor.randn(r, 6, 4, 29), wIh = Tensor.uniform(r, -0.5f, 0.5f, g, 29), wHh = Tensor.uniform(r, -0.5f, 0.5f, g, 31);
        try (var ng = Tensor.noGrad()) {
            return FusedRecurrence.parts(KernelProvider.get(), cell, x, null, null, wIh, wHh, null, null, new int[] {4, 4, 4, 4, 4, 4}, false)
                    .output().toArray();
        }
    }

    /** Fills every array of the pooled RNN/GRU workspaces with NaN (what a missed zeroing would then read). */
    private static void poisonPools() {
        List<FusedRecurrence.Saved> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) held.add(FusedRecurrence.RNN_POOL.acquire());
        for (FusedRecurrence.Saved w : held) {
            for (float[] a : new float[][] {w.xg, w.hs, w.hns, w.acts, w.dxg, w.dhg}) java.util.Arrays.fill(a, Float.NaN);
            FusedRecurrence.RNN_POOL.release(w);
        }
    }

    @Test
    void scalarAndVectorKernelsAgreeOnAwkwardSizes() {
        Kernels vector = KernelProvider.vectorOrNull();
        Assumptions.assumeTrue(vector != null, "Vector API not available");
        Kernels scalar = KernelProvider.scalar();
        // the last: 37 sequences (for the LSTM two chunks of 16 and one of 5, not a whole register block), 185 rows of steps,
        // I + H = 160 (one K block of the forward's step product) and 4H = 524 (two K blocks of the
        // backward's step product), 131 units (vector tails, a partial panel)
        int[][] sizes = {{1, 1, 1, 1}, {3, 5, 7, 17}, {7, 3, 33, 9}, {2, 4, 4, 33}, {37, 5, 29, 131}};
        long seed = 1;
        for (FusedRecurrence.Cell cell : FusedRecurrence.Cell.values()) {
            for (int[] s : sizes) {
                for (boolean reverse : new boolean[] {false, true}) {
                    Result a = run(scalar, cell, s[0], s[1], s[2], s[3], reverse, seed);
                    Result b = run(vector, cell, s[0], s[1], s[2], s[3], reverse, seed);
                    Result b2 = run(vector, cell, s[0], s[1], s[2], s[3], reverse, seed);
                    assertThat(b2.out()).containsExactly(b.out());
                    double tol = 1e-5 * Math.sqrt(s[1] * (s[2] + s[3] + s[0]));
                    for (int i = 0; i < a.out().length; i++) assertThat(b.out()[i]).isCloseTo(a.out()[i], within((float) tol));
                    for (int gi = 0; gi < a.grads().size(); gi++) {
                        float[] ga = a.grads().get(gi), gb = b.grads().get(gi);
                        assertThat(b2.grads().get(gi)).containsExactly(gb);
                        for (int i = 0; i < ga.length; i++) {
                            assertThat(gb[i]).as("%s %s reverse=%s grad %d[%d]", cell, java.util.Arrays.toString(s), reverse, gi, i)
                                    .isCloseTo(ga[i], within((float) (tol * Math.max(1, Math.abs(ga[i])))));
                        }
                    }
                    seed++;
                }
            }
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        int saved = dev.machina.kernel.Parallel.threads();
        try {
            List<Result> rs = new ArrayList<>();
            int perThreads = 2 * FusedRecurrence.Cell.values().length;
            for (int threads : new int[] {1, 2, 3}) {
                dev.machina.kernel.Parallel.setThreads(threads);
                for (FusedRecurrence.Cell cell : FusedRecurrence.Cell.values()) {
                    rs.add(run(KernelProvider.get(), cell, 9, 6, 33, 40, true, 42));
                    // 70 sequences: five chunks, run on up to three threads
                    rs.add(run(KernelProvider.get(), cell, 70, 6, 33, 40, false, 43));
                }
            }
            for (int i = perThreads; i < rs.size(); i++) {
                Result r = rs.get(i), r0 = rs.get(i % perThreads);
                assertThat(r.out()).containsExactly(r0.out());
                for (int gi = 0; gi < r.grads().size(); gi++) assertThat(r.grads().get(gi)).containsExactly(r0.grads().get(gi));
            }
        } finally {
            dev.machina.kernel.Parallel.setThreads(saved);
        }
    }
}
