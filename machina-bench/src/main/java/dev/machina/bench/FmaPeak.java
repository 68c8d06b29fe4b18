package dev.machina.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's fp32 FMA peak, measured with a register-resident loop: 12 independent vector
 * accumulators at the CPU's preferred width (the width the kernels use), no memory traffic. The
 * figure GEMM efficiency is judged against, measured in the same run.
 */
public final class FmaPeak {
    private FmaPeak() {}

    /**
     * GFLOP/s on {@code threads} threads run at once, each the FMA loop for about {@code millis}
     * ms, or NaN without the Vector API.
     */
    public static double measureGflops(int threads, long millis) {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return Double.NaN;
        double[] each = new double[threads];
        Thread[] ts = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            int id = i;
            ts[i] = new Thread(() -> each[id] = Loop.singleThread(millis), "machina-peak-" + i);
            ts[i].start();
        }
        double total = 0;
        for (int i = 0; i < threads; i++) {
            try {
                ts[i].join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Double.NaN;
            }
            total += each[i];
        }
        return total;
    }

    /** The Vector API code, in a class of its own so that it loads only when the module is there. */
    private static final class Loop {
        private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

        /**
         * GFLOP/s of one thread: the best of the ~10 ms chunks run in about {@code millis} ms after a
         * warm-up (the best, like the GEMM benchmark's best batch: the figure least disturbed by other load).
         */
        static double singleThread(long millis) {
            // Warm-up in short calls, so that the method itself is compiled by C2 (not only an
            // on-stack-replacement version of a long first call) before anything is timed.
            long warmEnd = System.nanoTime() + 300_000_000L;
            float sink = 0;
            for (int i = 0; i < 50 || System.nanoTime() < warmEnd; i++) sink += loop(20_000);
            int chunk = 5_000_000;
            double best = 0;
            long deadline = System.nanoTime() + millis * 1_000_000L;
            do {
                long t0 = System.nanoTime();
                sink += loop(chunk);
                best = Math.max(best, chunk * 12.0 * S.length() * 2 / ((System.nanoTime() - t0) / 1e9) / 1e9);
            } while (System.nanoTime() < deadline);
            if (sink == 42f) System.out.print(""); // keep the result alive
            return best;
        }

        /**
         * Twelve independent FMA chains (enough to cover a 4-cycle latency on two FMA pipes). The
         * accumulator is the addend ({@code c = a·b + c}): C2 emits {@code vfmadd231ps} in place.
         * With the accumulator as a multiplicand ({@code c = a·c + b}) it adds a register copy per FMA
         * on AVX2 and under-reports the peak by about a fifth.
         */
        private static float loop(int n) {
            FloatVector a = FloatVector.broadcast(S, 0.999f), b = FloatVector.broadcast(S, 1e-7f);
            FloatVector c0 = FloatVector.broadcast(S, 1), c1 = FloatVector.broadcast(S, 2), c2 = FloatVector.broadcast(S, 3),
                    c3 = FloatVector.broadcast(S, 4), c4 = FloatVector.broadcast(S, 5), c5 = FloatVector.broadcast(S, 6),
                    c6 = FloatVector.broadcast(S, 7), c7 = FloatVector.broadcast(S, 8), c8 = FloatVector.broadcast(S, 9),
                    c9 = FloatVector.broadcast(S, 10), c10 = FloatVector.broadcast(S, 11), c11 = FloatVector.broadcast(S, 12);
            for (int i = 0; i < n; i++) {
                c0 = a.fma(b, c0); c1 = a.fma(b, c1); c2 = a.fma(b, c2); c3 = a.fma(b, c3);
                c4 = a.fma(b, c4); c5 = a.fma(b, c5); c6 = a.fma(b, c6); c7 = a.fma(b, c7);
                c8 = a.fma(b, c8); c9 = a.fma(b, c9); c10 = a.fma(b, c10); c11 = a.fma(b, c11);
            }
            return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                    .reduceLanes(VectorOperators.ADD);
        }
    }
}
