import dev.machina.kernel.KernelProvider;
import dev.machina.kernel.Kernels;
import dev.machina.kernel.Parallel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * GEMM rate per 0.2 s window, for A/B runs in alternating JVMs (docs/BENCHMARKS.md):
 *
 * <pre>./machina java bench/GemmWindows.java THREADS M,N,K[,TRANSA,TRANSB] ...</pre>
 *
 * Each shape is warmed up for -Dwarmms (default 3000) ms, then timed in twelve 0.2 s windows;
 * prints the median and the best window in GFLOP/s, then the FMA peak measured the same way as
 * `bench gemm` does. TRANSA/TRANSB are 0 or 1, e.g. 64,256,784,0,1 is X·Wᵀ of the MLP forward.
 */
public class GemmWindows {
    public static void main(String[] args) {
        Kernels k = KernelProvider.get();
        int threads = Integer.parseInt(args[0]);
        Parallel.setThreads(threads);
        StringBuilder out = new StringBuilder();
        for (int ai = 1; ai < args.length; ai++) {
            String[] p = args[ai].split(",");
            int m = Integer.parseInt(p[0]), n = Integer.parseInt(p[1]), kk = Integer.parseInt(p[2]);
            boolean ta = p.length > 3 && p[3].equals("1"), tb = p.length > 4 && p[4].equals("1");
            float[] a = new float[m * kk], b = new float[kk * n], c = new float[m * n];
            Random r = new Random(1);
            for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - .5f;
            for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - .5f;
            double flops = 2.0 * m * n * kk;
            long warm = System.nanoTime() + Long.getLong("warmms", 3000) * 1_000_000L;
            while (System.nanoTime() < warm) k.gemm(ta, tb, m, n, kk, a, 0, ta ? m : kk, b, 0, tb ? kk : n, c, 0, n, false);
            List<Double> g = new ArrayList<>();
            for (int w = 0; w < 12; w++) {
                long t0 = System.nanoTime();
                int reps = 0;
                while (System.nanoTime() - t0 < 200_000_000L) {
                    k.gemm(ta, tb, m, n, kk, a, 0, ta ? m : kk, b, 0, tb ? kk : n, c, 0, n, false);
                    reps++;
                }
                g.add(flops * reps / ((System.nanoTime() - t0) / 1e9) / 1e9);
            }
            Collections.sort(g);
            out.append(String.format("%s med %.0f max %.0f | ", args[ai], g.get(6), g.get(11)));
        }
        System.out.println(out + String.format("peak %.0f", KernelProvider.measurePeakGflops(threads, 300)));
    }
}
