package dev.machina.bench.ab;

import dev.machina.bench.BenchMain;
import dev.machina.experiment.UserError;
import dev.machina.kernel.KernelProvider;
import dev.machina.kernel.Kernels;
import dev.machina.kernel.Parallel;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * GEMM rate per 0.2 s window, for A/B runs in alternating JVMs (docs/BENCHMARKS.md):
 *
 * <pre>./machina bench gemm-windows [--warmms MS] THREADS M,N,K[,TRANSA,TRANSB] ...</pre>
 *
 * Each shape is warmed up for --warmms (default 3000, or -Dwarmms) ms, then timed in twelve 0.2 s
 * windows; prints the median and the best window in GFLOP/s, then the FMA peak measured the same
 * way as `bench gemm` does. TRANSA/TRANSB are 0 or 1, e.g. 64,256,784,0,1 is X·Wᵀ of the MLP
 * forward. JVM flags of the run go in MACHINA_JAVA_OPTS.
 */
@Command(name = "gemm-windows", mixinStandardHelpOptions = true, description = {
    "GEMM GFLOP/s per 0.2 s window (median and best of twelve) on each shape, then the FMA peak: for A/B runs in alternating JVMs.",
    "A shape is M,N,K or M,N,K,TRANSA,TRANSB with TRANSA/TRANSB 0 or 1, e.g. 64,256,784,0,1 (X·Wᵀ of the MLP forward)."})
public class GemmWindows implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--warmms", defaultValue = "${sys:warmms:-3000}", description = "Warm-up per shape in ms (default: ${DEFAULT-VALUE}).")
    long warmms;

    @Parameters(index = "0", paramLabel = "THREADS", description = "Kernel threads.")
    int threads;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "SHAPE", description = "M,N,K[,TRANSA,TRANSB].")
    List<String> shapes;

    public static void main(String[] args) {
        BenchMain.main(Shape.prepend("gemm-windows", args));
    }

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        if (threads < 1) throw new UserError("THREADS must be at least 1, got " + threads);
        Kernels k = KernelProvider.get();
        Parallel.setThreads(threads);
        StringBuilder line = new StringBuilder();
        for (String text : shapes) {
            Shape s = Shape.parse(text);
            float[] a = new float[s.m() * s.k()], b = new float[s.k() * s.n()], c = new float[s.m() * s.n()];
            Random r = new Random(1);
            for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - .5f;
            for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - .5f;
            double flops = s.flops();
            long warm = System.nanoTime() + warmms * 1_000_000L;
            while (System.nanoTime() < warm) s.gemm(k, a, b, c);
            List<Double> g = new ArrayList<>();
            for (int w = 0; w < 12; w++) {
                long t0 = System.nanoTime();
                int reps = 0;
                while (System.nanoTime() - t0 < 200_000_000L) {
                    s.gemm(k, a, b, c);
                    reps++;
                }
                g.add(flops * reps / ((System.nanoTime() - t0) / 1e9) / 1e9);
            }
            Collections.sort(g);
            line.append(String.format("%s med %.0f max %.0f | ", text, g.get(6), g.get(11)));
        }
        out.println(line + String.format("peak %.0f", dev.machina.bench.FmaPeak.measureGflops(threads, 300)));
    }
}
