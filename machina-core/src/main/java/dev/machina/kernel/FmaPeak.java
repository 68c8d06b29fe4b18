package dev.machina.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures the machine's fp32 FMA peak with a register-resident loop: 12 independent vector
 * accumulators, no memory traffic. The figure GEMM efficiency is judged against, measured in
 * the same run. Loaded only on the Vector API path.
 */
final class FmaPeak {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private FmaPeak() {}

    /** GFLOP/s of one thread over about {@code millis} ms (after a warm-up). */
    static double singleThread(long millis) {
        loop(2_000_000); // warm-up: compile the loop as a method, not only on-stack
        loop(2_000_000);
        long iters = 0;
        long t0 = System.nanoTime(), deadline = t0 + millis * 1_000_000L;
        long chunk = 5_000_000;
        float sink = 0;
        while (System.nanoTime() < deadline) {
            sink += loop(chunk);
            iters += chunk;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        if (sink == 42f) System.out.print(""); // keep the result alive
        return iters * 12.0 * S.length() * 2 / secs / 1e9;
    }

    private static float loop(long n) {
        FloatVector a = FloatVector.broadcast(S, 0.999f), b = FloatVector.broadcast(S, 1e-7f);
        FloatVector c0 = FloatVector.broadcast(S, 1), c1 = FloatVector.broadcast(S, 2), c2 = FloatVector.broadcast(S, 3),
                c3 = FloatVector.broadcast(S, 4), c4 = FloatVector.broadcast(S, 5), c5 = FloatVector.broadcast(S, 6),
                c6 = FloatVector.broadcast(S, 7), c7 = FloatVector.broadcast(S, 8), c8 = FloatVector.broadcast(S, 9),
                c9 = FloatVector.broadcast(S, 10), c10 = FloatVector.broadcast(S, 11), c11 = FloatVector.broadcast(S, 12);
        for (long i = 0; i < n; i++) {
            c0 = a.fma(c0, b); c1 = a.fma(c1, b); c2 = a.fma(c2, b); c3 = a.fma(c3, b);
            c4 = a.fma(c4, b); c5 = a.fma(c5, b); c6 = a.fma(c6, b); c7 = a.fma(c7, b);
            c8 = a.fma(c8, b); c9 = a.fma(c9, b); c10 = a.fma(c10, b); c11 = a.fma(c11, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }
}
