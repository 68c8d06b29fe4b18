package dev.machina.bench.ab;

import dev.machina.bench.BenchMain;
import dev.machina.experiment.UserError;
import dev.machina.kernel.KernelProvider;
import dev.machina.kernel.Kernels;
import dev.machina.kernel.Parallel;
import java.io.PrintWriter;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * In-process A/B of a GEMM code path (docs/BENCHMARKS.md): one JVM flips a static field of
 * {@code dev.machina.kernel.VectorGemm} between values every 0.2 s window and reports the
 * quartiles of each value's windows, so both sides meet the same slow spells of a noisy machine.
 *
 * <pre>./machina bench ab-flip --field NAME --vals A,B[,C...] [--secs 20] THREADS M,N,K[,TRANSA,TRANSB] ...</pre>
 *
 * A value may set several fields at once: {@code --vals X=1+Y=2,X=0+Y=2}. The field must not be
 * {@code final} (make it non-final in a working copy for the experiment) and must be read per
 * product, not once at class initialisation. Boolean, int and long fields are supported. Every
 * option's default can also come from the system property of its name ({@code -Dfield=…}, as the
 * single-file program had it).
 */
@Command(name = "ab-flip", mixinStandardHelpOptions = true, description = {
    "In-process A/B of a GEMM code path: flips a static (non-final) field of VectorGemm between values every 0.2 s window",
    "and prints the quartiles of each value's GFLOP/s, so both sides meet the same slow spells of a shared machine."})
public class FlipAB implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--field", defaultValue = "${sys:field:-}", description = "The field to flip (or NAME=VALUE+… in --vals).")
    String field;

    @Option(names = "--vals", defaultValue = "${sys:vals:-false,true}",
            description = "Its values, comma-separated; one may set several fields: X=1+Y=2 (default: ${DEFAULT-VALUE}).")
    String vals;

    @Option(names = "--secs", defaultValue = "${sys:secs:-20}", description = "Measuring time per shape in s (default: ${DEFAULT-VALUE}).")
    long secs;

    @Option(names = "--warmms", defaultValue = "${sys:warmms:-2000}", description = "Warm-up per shape in ms (default: ${DEFAULT-VALUE}).")
    long warmms;

    @Option(names = "--class", defaultValue = "${sys:class:-dev.machina.kernel.VectorGemm}",
            description = "The class whose fields are flipped (default: ${DEFAULT-VALUE}).")
    String owner;

    @Parameters(index = "0", paramLabel = "THREADS", description = "Kernel threads.")
    int threads;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "SHAPE", description = "M,N,K[,TRANSA,TRANSB].")
    List<String> shapes;

    public static void main(String[] args) {
        BenchMain.main(Shape.prepend("ab-flip", args));
    }

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        if (threads < 1) throw new UserError("THREADS must be at least 1, got " + threads);
        if (secs < 1) throw new UserError("--secs must be at least 1, got " + secs);
        String[] values = vals.split(",");
        Class<?> gemm;
        try {
            gemm = Class.forName(owner);
        } catch (ClassNotFoundException e) {
            throw new UserError("--class: no class " + owner);
        }
        for (String v : values) set(gemm, v); // every field exists, is settable and takes its values, before anything runs
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
            for (int w = 0; System.nanoTime() < warm; w++) {
                set(gemm, values[(w / 20) % values.length]);
                s.gemm(k, a, b, c);
            }
            List<List<Double>> g = new ArrayList<>();
            for (int v = 0; v < values.length; v++) g.add(new ArrayList<>());
            long end = System.nanoTime() + secs * 1_000_000_000L;
            for (int w = 0; System.nanoTime() < end || w < values.length; w++) {
                int v = w % values.length;
                set(gemm, values[v]);
                long t0 = System.nanoTime();
                int reps = 0;
                while (System.nanoTime() - t0 < 200_000_000L) {
                    s.gemm(k, a, b, c);
                    reps++;
                }
                g.get(v).add(flops * reps / ((System.nanoTime() - t0) / 1e9) / 1e9);
            }
            line.append(text).append(": ");
            for (int v = 0; v < values.length; v++) {
                List<Double> x = g.get(v);
                Collections.sort(x);
                line.append(String.format("%s q25 %.0f med %.0f q75 %.0f max %.0f; ", values[v], x.get(x.size() / 4), x.get(x.size() / 2),
                        x.get(x.size() * 3 / 4), x.get(x.size() - 1)));
            }
            line.append("| ");
        }
        out.println(line + "GFLOP/s");
    }

    private void set(Class<?> owner, String value) {
        if (value.contains("=")) {
            for (String kv : value.split("\\+")) {
                String[] x = kv.split("=", 2);
                set1(owner, x[0], x[1]);
            }
        } else {
            if (field == null || field.isEmpty()) throw new UserError("--field is needed when a value of --vals is not NAME=VALUE+…");
            set1(owner, field, value);
        }
    }

    private static void set1(Class<?> owner, String name, String v) {
        Field f;
        try {
            f = owner.getDeclaredField(name);
        } catch (NoSuchFieldException e) {
            throw new UserError(owner.getName() + " has no field " + name);
        }
        if (!Modifier.isStatic(f.getModifiers()) || Modifier.isFinal(f.getModifiers())) {
            throw new UserError(owner.getName() + "." + name + " must be static and not final (make it non-final in a working copy)");
        }
        try {
            f.setAccessible(true);
            if (f.getType() == boolean.class) f.setBoolean(null, Boolean.parseBoolean(v));
            else if (f.getType() == int.class) f.setInt(null, Integer.parseInt(v));
            else if (f.getType() == long.class) f.setLong(null, Long.parseLong(v));
            else throw new UserError(owner.getName() + "." + name + " is a " + f.getType() + "; boolean, int and long fields can be flipped");
        } catch (NumberFormatException e) {
            throw new UserError("--vals: '" + v + "' is not a value of " + f.getType() + " " + name);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot set " + owner.getName() + "." + name + ": " + e.getMessage(), e);
        }
    }
}
