package dev.machina.cli;

import dev.machina.kernel.KernelProvider;
import dev.machina.kernel.Kernels;
import dev.machina.kernel.Parallel;
import dev.machina.tensor.Rng;
import java.util.ArrayList;
import java.util.List;

/** GEMM throughput on square and MLP-step shapes, next to the FMA peak measured in the same run. */
final class GemmBench {
    record Shape(String name, boolean transA, boolean transB, int m, int n, int k) {}

    record Result(Shape shape, int threads, double gflops, double peak) {
        double ratio() {
            return gflops / peak;
        }
    }

    static List<Shape> defaultShapes() {
        List<Shape> s = new ArrayList<>();
        for (int n : new int[] {256, 512, 1024, 2048}) s.add(new Shape("square " + n, false, false, n, n, n));
        for (int b : new int[] {64, 128}) {
            s.add(new Shape("mlp fwd  X·Wᵀ  b=" + b, false, true, b, 256, 784));
            s.add(new Shape("mlp bwd  G·W   b=" + b, false, false, b, 784, 256));
            s.add(new Shape("mlp bwd  Gᵀ·X  b=" + b, true, false, 256, 784, b));
        }
        return s;
    }

    static double peak(int threads) {
        return KernelProvider.measurePeakGflops(threads, 600);
    }

    static Result run(Shape s, int threads, double peak, double seconds) {
        Kernels k = KernelProvider.get();
        Rng rng = new Rng(1);
        int aRows = s.transA ? s.k : s.m, aCols = s.transA ? s.m : s.k;
        int bRows = s.transB ? s.n : s.k, bCols = s.transB ? s.k : s.n;
        float[] a = random(rng, aRows * aCols), b = random(rng, bRows * bCols), c = new float[s.m * s.n];
        int previous = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            double flops = 2.0 * s.m * s.n * s.k;
            // warm-up: enough calls for the JIT to compile the kernels
            long warmEnd = System.nanoTime() + (long) (0.8e9);
            int warm = 0;
            while (warm < 200 || System.nanoTime() < warmEnd) {
                k.gemm(s.transA, s.transB, s.m, s.n, s.k, a, 0, aCols, b, 0, bCols, c, 0, s.n, false);
                warm++;
            }
            // measure in batches; keep the best batch (least disturbed by other load)
            double best = 0;
            long end = System.nanoTime() + (long) (seconds * 1e9);
            int reps = Math.max(1, (int) (2e8 / flops));
            do {
                long t0 = System.nanoTime();
                for (int r = 0; r < reps; r++) k.gemm(s.transA, s.transB, s.m, s.n, s.k, a, 0, aCols, b, 0, bCols, c, 0, s.n, false);
                double g = flops * reps / ((System.nanoTime() - t0) / 1e9) / 1e9;
                best = Math.max(best, g);
            } while (System.nanoTime() < end);
            return new Result(s, threads, best, peak);
        } finally {
            Parallel.setThreads(previous);
        }
    }

    private static float[] random(Rng rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = rng.nextFloat() - 0.5f;
        return x;
    }
}
