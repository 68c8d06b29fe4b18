package dev.machina.bench;

import dev.machina.experiment.UserError;
import dev.machina.kernel.KernelProvider;
import dev.machina.kernel.Kernels;
import dev.machina.kernel.Parallel;
import dev.machina.tensor.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * GEMM throughput on square and MLP-step shapes. Two ways to run it: {@code ./machina bench gemm}
 * (the static methods below: a steady-state warm-up, the best and the median 0.2 GFLOP batch, next
 * to the FMA peak measured in the same run), or as a JMH benchmark (the instance part), which
 * reports time per call and prints GFLOP/s at tear-down:
 * {@code java --add-modules jdk.incubator.vector -cp machina-bench/target/machina-bench.jar org.openjdk.jmh.Main GemmBench}
 * (or {@code ./machina bench jmh GemmBench}). JMH's {@code shape} takes the {@code --shape} form.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBench {
    record Shape(String name, boolean transA, boolean transB, int m, int n, int k) {}

    /** {@code gflops}: the best measuring batch (least disturbed by other load); {@code median}: the typical one. */
    record Result(Shape shape, int threads, double gflops, double median, double peak) {
        double ratio() {
            return gflops / peak;
        }

        double medianRatio() {
            return median / peak;
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

    /**
     * A {@code --shape}: MxNxK (A·B) or MxNxK:FORM, FORM two letters, n (as stored) or t
     * (transposed), for A then B, as in BLAS. m, n, k are the sizes of the product: op(A) is m×k.
     */
    static Shape parseShape(String s) {
        String spec = s.strip().toLowerCase(java.util.Locale.ROOT), form = "nn";
        int colon = spec.indexOf(':');
        if (colon >= 0) {
            form = spec.substring(colon + 1);
            spec = spec.substring(0, colon);
            if (!form.matches("[nt][nt]")) {
                throw new UserError("--shape '" + s + "': the form after ':' must be nn, nt, tn or tt (n: as stored, t: transposed; "
                        + "A's letter first), got '" + form + "'");
            }
        }
        String[] p = spec.split("x", -1);
        try {
            if (p.length != 3) throw new NumberFormatException();
            int m = Integer.parseInt(p[0]), n = Integer.parseInt(p[1]), k = Integer.parseInt(p[2]);
            if (m < 1 || n < 1 || k < 1) throw new NumberFormatException();
            return new Shape(s.strip(), form.charAt(0) == 't', form.charAt(1) == 't', m, n, k);
        } catch (NumberFormatException e) {
            throw new UserError("--shape must be MxNxK with positive integers, optionally followed by :nn, :nt, :tn or :tt, "
                    + "e.g. 1024x1024x1024 or 64x256x784:nt; got '" + s + "'");
        }
    }

    static double peak(int threads) {
        return FmaPeak.measureGflops(threads, 600);
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
            // Warm-up until the rate is steady: the JIT compiles the kernels within a second, but
            // on a VM freshly allocated arrays can run slower for several seconds more (measured:
            // 1024³ on one core 40 GFLOP/s for 4–6 s, then 75). Training runs live in that steady
            // state, so that is what is measured: windows of 0.3 s until two in a row agree within
            // 3% (at least 1 s, at most 10 s).
            int warm = 0;
            long warmStart = System.nanoTime();
            double lastRate = 0;
            while (true) {
                long t0 = System.nanoTime();
                int calls = 0;
                while (calls < 2 || System.nanoTime() - t0 < 300_000_000L) {
                    k.gemm(s.transA, s.transB, s.m, s.n, s.k, a, 0, aCols, b, 0, bCols, c, 0, s.n, false);
                    calls++;
                }
                warm += calls;
                double rate = calls / ((System.nanoTime() - t0) / 1e9);
                double elapsed = (System.nanoTime() - warmStart) / 1e9;
                if (warm >= 200 && elapsed >= 1 && Math.abs(rate - lastRate) <= 0.03 * rate || elapsed >= 10) break;
                lastRate = rate;
            }
            // measure in batches of about 0.2 GFLOP: the best batch and the median one
            List<Double> batches = new ArrayList<>();
            long end = System.nanoTime() + (long) (seconds * 1e9);
            int reps = Math.max(1, (int) (2e8 / flops));
            do {
                long t0 = System.nanoTime();
                for (int r = 0; r < reps; r++) k.gemm(s.transA, s.transB, s.m, s.n, s.k, a, 0, aCols, b, 0, bCols, c, 0, s.n, false);
                batches.add(flops * reps / ((System.nanoTime() - t0) / 1e9) / 1e9);
            } while (System.nanoTime() < end);
            java.util.Collections.sort(batches);
            return new Result(s, threads, batches.get(batches.size() - 1), batches.get(batches.size() / 2), peak);
        } finally {
            Parallel.setThreads(previous);
        }
    }

    private static float[] random(Rng rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = rng.nextFloat() - 0.5f;
        return x;
    }

    // ------------------------------------------------------------------ JMH

    /** The shapes of {@link #defaultShapes()} in the {@code --shape} form. */
    @Param({"256x256x256", "512x512x512", "1024x1024x1024", "2048x2048x2048",
        "64x256x784:nt", "64x784x256:nn", "256x784x64:tn", "128x256x784:nt", "128x784x256:nn", "256x784x128:tn"})
    public String shape;

    @Param({"2"})
    public int threads;

    private Shape s;
    private float[] a, b, c;
    private Kernels kernels;
    private long calls, nanos;

    @Setup
    public void setup() {
        s = parseShape(shape);
        Rng rng = new Rng(1);
        a = random(rng, s.m * s.k);
        b = random(rng, s.k * s.n);
        c = new float[s.m * s.n];
        kernels = KernelProvider.get();
        Parallel.setThreads(threads);
        nanos = System.nanoTime();
    }

    @Benchmark
    public float gemm() {
        kernels.gemm(s.transA, s.transB, s.m, s.n, s.k, a, 0, s.transA ? s.m : s.k, b, 0, s.transB ? s.k : s.n, c, 0, s.n, false);
        calls++;
        return c[0];
    }

    @TearDown
    public void report() {
        double secs = (System.nanoTime() - nanos) / 1e9;
        System.out.printf("%n[%s threads=%d] %.1f GFLOP/s over all iterations (including warm-up)%n", shape, threads,
                2.0 * s.m * s.n * s.k * calls / secs / 1e9);
    }
}
