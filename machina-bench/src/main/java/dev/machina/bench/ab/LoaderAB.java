package dev.machina.bench.ab;

import dev.machina.bench.BenchMain;
import dev.machina.experiment.UserError;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * In-process A/B of GEMM builds or start-up settings (docs/BENCHMARKS.md): each side is the
 * library loaded by a class loader of its own, with its own system properties set while its
 * classes initialise, so a {@code static final} setting read from a property, or a whole other
 * build, can be compared without editing the code. The sides alternate in 0.2 s windows, so both
 * meet the same slow spells of a shared machine.
 *
 * <pre>./machina bench ab-loader --sides 'P=A;P=B' [--paths 'JAR_OR_DIR;…'] [--secs 16] THREADS M,N,K[,TRANSA,TRANSB] ...</pre>
 *
 * {@code --sides}: one entry per side, {@code ;}-separated, each a {@code +}-separated list of
 * PROPERTY=VALUE (may be empty). {@code --paths}: the classes of each side (default: the library
 * this program runs against). Prints the quartiles of each side's windows, the median ratio of
 * side 1 to side 0 over adjacent windows, and whether their results differ in any bit. Every
 * option's default can also come from the system property of its name ({@code -Dsides=…}).
 */
@Command(name = "ab-loader", mixinStandardHelpOptions = true, description = {
    "In-process A/B of GEMM builds or start-up settings: each side is the library in a class loader of its own, with its own",
    "system properties while it initialises (--sides) or its own build (--paths); the sides alternate in 0.2 s windows.",
    "Prints each side's quartiles, the median ratio over adjacent windows and whether the results differ in any bit."})
public class LoaderAB implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--sides", defaultValue = "${sys:sides:-;}",
            description = "The sides, ';'-separated, each a '+'-separated list of PROPERTY=VALUE, may be empty (default: two plain sides).")
    String sides;

    @Option(names = "--paths", defaultValue = "${sys:paths:-}",
            description = "The classes of each side, ';'-separated jars or directories (default: the library this runs against).")
    String paths;

    @Option(names = "--secs", defaultValue = "${sys:secs:-16}", description = "Measuring time per shape in s (default: ${DEFAULT-VALUE}).")
    long secs;

    @Parameters(index = "0", paramLabel = "THREADS", description = "Kernel threads.")
    int threads;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "SHAPE", description = "M,N,K[,TRANSA,TRANSB].")
    List<String> shapes;

    public static void main(String[] args) {
        BenchMain.main(Shape.prepend("ab-loader", args));
    }

    @Override
    public void run() {
        try {
            measure(spec.commandLine().getOut());
        } catch (ReflectiveOperationException | MalformedURLException e) {
            Throwable cause = e instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : e;
            throw new IllegalStateException("cannot run a side: " + cause, cause);
        }
    }

    private void measure(PrintWriter out) throws ReflectiveOperationException, MalformedURLException {
        if (threads < 1) throw new UserError("THREADS must be at least 1, got " + threads);
        String[] side = sides.split(";", -1);
        URL lib = Class.forName("dev.machina.kernel.Kernels").getProtectionDomain().getCodeSource().getLocation();
        String[] path = paths == null || paths.isEmpty() ? null : paths.split(";");
        if (path != null && path.length != side.length) throw new UserError("--paths needs one entry per side");
        Object[] kern = new Object[side.length];
        Method[] gemm = new Method[side.length];
        for (int s = 0; s < side.length; s++) {
            List<String> set = Arrays.stream(side[s].split("\\+")).filter(kv -> !kv.isBlank()).toList();
            for (String kv : set) {
                if (kv.indexOf('=') < 1) throw new UserError("--sides: '" + kv + "' is not PROPERTY=VALUE");
            }
            for (String kv : set) System.setProperty(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            URL url = path == null ? lib : Path.of(path[s]).toUri().toURL();
            ClassLoader cl = new URLClassLoader("side" + s, new URL[] {url}, ClassLoader.getPlatformClassLoader());
            cl.loadClass("dev.machina.kernel.Parallel").getMethod("setThreads", int.class).invoke(null, threads);
            kern[s] = cl.loadClass("dev.machina.kernel.KernelProvider").getMethod("get").invoke(null);
            gemm[s] = cl.loadClass("dev.machina.kernel.Kernels").getMethod("gemm", boolean.class, boolean.class, int.class, int.class,
                    int.class, float[].class, int.class, int.class, float[].class, int.class, int.class, float[].class, int.class, int.class,
                    boolean.class);
            Class.forName("dev.machina.kernel.VectorGemm", true, cl); // initialised now, with this side's properties
            for (String kv : set) System.clearProperty(kv.substring(0, kv.indexOf('=')));
        }
        StringBuilder text = new StringBuilder();
        for (String shapeText : shapes) {
            Shape sh = Shape.parse(shapeText);
            int m = sh.m(), n = sh.n(), kk = sh.k();
            boolean ta = sh.transA(), tb = sh.transB();
            float[] a = new float[m * kk], b = new float[kk * n];
            float[][] c = new float[side.length][m * n];
            Random r = new Random(1);
            for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - .5f;
            for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - .5f;
            int lda = sh.lda(), ldb = sh.ldb();
            double flops = sh.flops();
            List<List<Double>> g = new ArrayList<>();
            for (int s = 0; s < side.length; s++) g.add(new ArrayList<>());
            List<Double> ratio = new ArrayList<>();
            long end = System.nanoTime() + secs * 1_000_000_000L;
            double previous = 0;
            for (int w = 0; System.nanoTime() < end || w < 8 * side.length; w++) {
                int s = w % side.length;
                long t0 = System.nanoTime();
                int calls = 0;
                while (System.nanoTime() - t0 < 200_000_000L) {
                    gemm[s].invoke(kern[s], ta, tb, m, n, kk, a, 0, lda, b, 0, ldb, c[s], 0, n, false);
                    calls++;
                }
                double rate = calls * flops / ((System.nanoTime() - t0) / 1e9) / 1e9;
                if (w >= 2 * side.length) { // the first two rounds warm up
                    g.get(s).add(rate);
                    if (side.length == 2 && s == 1) ratio.add(rate / previous);
                }
                previous = rate;
            }
            text.append(String.format("%s, %d thread(s):%n", shapeText, threads));
            for (int s = 0; s < side.length; s++) {
                List<Double> x = g.get(s);
                Collections.sort(x);
                text.append(String.format("  side %d [%s]%s: q25 %.1f  median %.1f  q75 %.1f  best %.1f GFLOP/s (%d windows)%n", s, side[s],
                        path == null ? "" : " " + path[s], x.get(x.size() / 4), x.get(x.size() / 2), x.get(3 * x.size() / 4),
                        x.get(x.size() - 1), x.size()));
                if (s > 0) text.append(Arrays.equals(c[0], c[s]) ? "    same bits as side 0\n" : "    results differ in bits from side 0\n");
            }
            if (!ratio.isEmpty()) {
                Collections.sort(ratio);
                text.append(String.format("  side 1 / side 0 over adjacent windows: q25 %.3f  median %.3f  q75 %.3f%n", ratio.get(ratio.size() / 4),
                        ratio.get(ratio.size() / 2), ratio.get(3 * ratio.size() / 4)));
            }
        }
        out.print(text);
        out.flush();
    }
}
