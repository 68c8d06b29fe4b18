package dev.machina.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.machina.Machina;
import dev.machina.kernel.KernelProvider;
import dev.machina.kernel.Parallel;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `machina bench …`: benchmarks that print figures (never pass/fail). */
@Command(mixinStandardHelpOptions = true, name = "bench", description = "Benchmarks.", subcommands = {BenchCommand.Gemm.class, dev.machina.cli.tune.TuneParallelBench.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(mixinStandardHelpOptions = true, name = "gemm", description = {
        "GEMM throughput (GFLOP/s) on square 256..2048 and on the products of an MLP training step",
        "(batch 64 and 128, a 784->256 layer), next to the fp32 FMA peak measured in the same run."})
    static final class Gemm implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--threads", description = "Threads (default: all cores).")
        Integer threads;

        @Option(names = "--json", description = "Print a JSON array of objects (m, n, k, threads, gflops, …) instead of a table.")
        boolean json;

        @Option(names = "--seconds", defaultValue = "1.0", description = "Measuring time per shape (default: ${DEFAULT-VALUE}).")
        double seconds;

        @Option(names = "--shape", description = "Only this shape, MxNxK (repeatable); A·B form.")
        List<String> shapes;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            int t = threads == null ? Parallel.threads() : threads;
            if (t < 1) throw new Main.UserError("--threads must be at least 1, got " + t);
            if (!(seconds > 0)) throw new Main.UserError("--seconds must be positive, got " + seconds);
            List<GemmBench.Shape> list = new ArrayList<>();
            if (shapes == null) {
                list.addAll(GemmBench.defaultShapes());
            } else {
                for (String s : shapes) {
                    String[] p = s.toLowerCase().split("x");
                    try {
                        if (p.length != 3) throw new NumberFormatException();
                        int m = Integer.parseInt(p[0]), n = Integer.parseInt(p[1]), k = Integer.parseInt(p[2]);
                        if (m < 1 || n < 1 || k < 1) throw new NumberFormatException();
                        list.add(new GemmBench.Shape(s, false, false, m, n, k));
                    } catch (NumberFormatException e) {
                        throw new Main.UserError("--shape must be MxNxK with positive integers, e.g. 1024x1024x1024; got '" + s + "'");
                    }
                }
            }
            double peak = GemmBench.peak(t);
            if (!json) {
                out.printf("machina %s, %s kernels (%d-bit), %d thread(s), Java %s%n", Machina.version(),
                        KernelProvider.get().name(), KernelProvider.get().vectorBits(), t, System.getProperty("java.version"));
                out.printf("fp32 FMA peak measured now: %.1f GFLOP/s%n", peak);
                out.printf("%-22s %6s %6s %6s %10s %8s%n", "shape", "m", "n", "k", "GFLOP/s", "of peak");
            }
            ObjectMapper om = new ObjectMapper();
            ArrayNode arr = om.createArrayNode();
            for (GemmBench.Shape s : list) {
                GemmBench.Result r = GemmBench.run(s, t, peak, seconds);
                if (json) {
                    ObjectNode o = arr.addObject();
                    o.put("name", s.name());
                    o.put("m", s.m());
                    o.put("n", s.n());
                    o.put("k", s.k());
                    o.put("transA", s.transA());
                    o.put("transB", s.transB());
                    o.put("threads", t);
                    o.put("gflops", Math.round(r.gflops() * 10) / 10.0);
                    o.put("peak_gflops", Math.round(peak * 10) / 10.0);
                    o.put("ratio", Math.round(r.ratio() * 1000) / 1000.0);
                    o.put("kernels", KernelProvider.get().name());
                } else {
                    out.printf("%-22s %6d %6d %6d %10.1f %7.1f%%%n", s.name(), s.m(), s.n(), s.k(), r.gflops(), 100 * r.ratio());
                    out.flush();
                }
            }
            if (json) {
                try {
                    out.println(om.writerWithDefaultPrettyPrinter().writeValueAsString(arr));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }
}
