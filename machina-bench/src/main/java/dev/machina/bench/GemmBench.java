package dev.machina.bench;

import dev.machina.kernel.KernelProvider;
import dev.machina.kernel.Kernels;
import dev.machina.kernel.Parallel;
import dev.machina.tensor.Rng;
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
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * GEMM throughput on square sizes and on the three products of an MLP training step
 * (784→256 layer, batch 64 and 128). Prints GFLOP/s at tear-down; JMH itself reports time per
 * call. Run: {@code java --add-modules jdk.incubator.vector -jar machina-bench/target/machina-bench.jar Gemm}.
 * The same shapes with the machine's FMA peak beside them: {@code ./machina bench gemm}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBench {
    /** "m,n,k,transA,transB". */
    @Param({"256,256,256,0,0", "512,512,512,0,0", "1024,1024,1024,0,0", "2048,2048,2048,0,0",
        "64,256,784,0,1", "64,784,256,0,0", "256,784,64,1,0", "128,256,784,0,1", "128,784,256,0,0", "256,784,128,1,0"})
    public String shape;

    @Param({"2"})
    public int threads;

    private int m, n, k;
    private boolean ta, tb;
    private float[] a, b, c;
    private final Kernels kernels = KernelProvider.get();
    private long calls;
    private long nanos;

    @Setup
    public void setup() {
        String[] p = shape.split(",");
        m = Integer.parseInt(p[0]);
        n = Integer.parseInt(p[1]);
        k = Integer.parseInt(p[2]);
        ta = p[3].equals("1");
        tb = p[4].equals("1");
        Rng rng = new Rng(1);
        a = new float[m * k];
        b = new float[k * n];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = rng.nextFloat() - 0.5f;
        for (int i = 0; i < b.length; i++) b[i] = rng.nextFloat() - 0.5f;
        Parallel.setThreads(threads);
        nanos = System.nanoTime();
    }

    @Benchmark
    public float gemm() {
        kernels.gemm(ta, tb, m, n, k, a, 0, ta ? m : k, b, 0, tb ? k : n, c, 0, n, false);
        calls++;
        return c[0];
    }

    @TearDown
    public void report(BenchmarkParams params) {
        double secs = (System.nanoTime() - nanos) / 1e9;
        System.out.printf("%n[%s threads=%d] %.1f GFLOP/s over all iterations (including warm-up)%n", shape, threads,
                2.0 * m * n * k * calls / secs / 1e9);
    }
}
