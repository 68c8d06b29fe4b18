package dev.machina.cli;

import dev.machina.Machina;
import java.util.Map;

/** Entry point of the `machina` command. */
public final class Main {
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("bench")) {
            int threads = args.length > 2 ? Integer.parseInt(args[2]) : dev.machina.kernel.Parallel.threads();
            double peak = GemmBench.peak(threads);
            System.out.printf("peak %.1f GFLOP/s on %d threads%n", peak, threads);
            for (GemmBench.Shape s : GemmBench.defaultShapes()) {
                GemmBench.Result r = GemmBench.run(s, threads, peak, 1.0);
                System.out.printf("%-22s %5d %5d %5d  %7.1f GFLOP/s  %5.1f%%%n", s.name(), s.m(), s.n(), s.k(), r.gflops(), 100 * r.ratio());
            }
            return;
        }
        for (Map.Entry<String, String> e : Machina.runtimeInfo().entrySet()) System.out.printf("%-15s %s%n", e.getKey(), e.getValue());
    }
}
