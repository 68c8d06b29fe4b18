import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * In-process A/B of GEMM builds or start-up settings (docs/BENCHMARKS.md): each side is the
 * library loaded by a class loader of its own, with its own system properties set while its
 * classes initialise, so a {@code static final} setting (e.g. {@code machina.gemm.mr}) or a
 * whole other build can be compared without editing the code. The sides alternate in 0.2 s
 * windows, so both meet the same slow spells of a shared machine.
 *
 * <pre>./machina java [JVM flags] -Dsides='machina.gemm.mr=4;machina.gemm.mr=6' [-Dpaths='JAR_OR_DIR;…'] [-Dsecs=16] \
 *     bench/LoaderAB.java THREADS M,N,K[,TRANSA,TRANSB] ...</pre>
 *
 * {@code sides}: one entry per side, {@code ;}-separated, each a {@code +}-separated list of
 * PROPERTY=VALUE (may be empty). {@code paths}: the classes of each side (default: the library
 * this program runs against). Prints the quartiles of each side's windows, the median ratio of
 * side 1 to side 0 over adjacent windows, and whether their results differ in any bit.
 */
public class LoaderAB {
    public static void main(String[] args) throws Exception {
        String[] sides = System.getProperty("sides", ";").split(";", -1);
        URL lib = Class.forName("dev.machina.kernel.Kernels").getProtectionDomain().getCodeSource().getLocation();
        String[] paths = System.getProperty("paths", "").isEmpty() ? null : System.getProperty("paths").split(";");
        if (paths != null && paths.length != sides.length) throw new IllegalArgumentException("-Dpaths needs one entry per side");
        int threads = Integer.parseInt(args[0]);
        long secs = Long.getLong("secs", 16);
        Object[] kern = new Object[sides.length];
        Method[] gemm = new Method[sides.length];
        for (int s = 0; s < sides.length; s++) {
            List<String> set = Arrays.stream(sides[s].split("\\+")).filter(kv -> !kv.isBlank()).toList();
            for (String kv : set) System.setProperty(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            URL url = paths == null ? lib : Path.of(paths[s]).toUri().toURL();
            ClassLoader cl = new URLClassLoader("side" + s, new URL[] {url}, ClassLoader.getPlatformClassLoader());
            cl.loadClass("dev.machina.kernel.Parallel").getMethod("setThreads", int.class).invoke(null, threads);
            kern[s] = cl.loadClass("dev.machina.kernel.KernelProvider").getMethod("get").invoke(null);
            gemm[s] = cl.loadClass("dev.machina.kernel.Kernels").getMethod("gemm", boolean.class, boolean.class, int.class, int.class,
                    int.class, float[].class, int.class, int.class, float[].class, int.class, int.class, float[].class, int.class, int.class,
                    boolean.class);
            Class.forName("dev.machina.kernel.VectorGemm", true, cl); // initialised now, with this side's properties
            for (String kv : set) System.clearProperty(kv.substring(0, kv.indexOf('=')));
        }
        StringBuilder out = new StringBuilder();
        for (int ai = 1; ai < args.length; ai++) {
            String[] p = args[ai].split(",");
            int m = Integer.parseInt(p[0]), n = Integer.parseInt(p[1]), kk = Integer.parseInt(p[2]);
            boolean ta = p.length > 3 && p[3].equals("1"), tb = p.length > 4 && p[4].equals("1");
            float[] a = new float[m * kk], b = new float[kk * n];
            float[][] c = new float[sides.length][m * n];
            Random r = new Random(1);
            for (int i = 0; i < a.length; i++) a[i] = r.nextFloat() - .5f;
            for (int i = 0; i < b.length; i++) b[i] = r.nextFloat() - .5f;
            int lda = ta ? m : kk, ldb = tb ? kk : n;
            double flops = 2.0 * m * n * kk;
            List<List<Double>> g = new ArrayList<>();
            for (int s = 0; s < sides.length; s++) g.add(new ArrayList<>());
            List<Double> ratio = new ArrayList<>();
            long end = System.nanoTime() + secs * 1_000_000_000L;
            double previous = 0;
            for (int w = 0; System.nanoTime() < end || w < 8 * sides.length; w++) {
                int s = w % sides.length;
                long t0 = System.nanoTime();
                int calls = 0;
                while (System.nanoTime() - t0 < 200_000_000L) {
                    gemm[s].invoke(kern[s], ta, tb, m, n, kk, a, 0, lda, b, 0, ldb, c[s], 0, n, false);
                    calls++;
                }
                double rate = calls * flops / ((System.nanoTime() - t0) / 1e9) / 1e9;
                if (w >= 2 * sides.length) { // the first two rounds warm up
                    g.get(s).add(rate);
                    if (sides.length == 2 && s == 1) ratio.add(rate / previous);
                }
                previous = rate;
            }
            out.append(String.format("%s, %d thread(s):%n", args[ai], threads));
            for (int s = 0; s < sides.length; s++) {
                List<Double> x = g.get(s);
                Collections.sort(x);
                out.append(String.format("  side %d [%s]%s: q25 %.1f  median %.1f  q75 %.1f  best %.1f GFLOP/s (%d windows)%n", s, sides[s],
                        paths == null ? "" : " " + paths[s], x.get(x.size() / 4), x.get(x.size() / 2), x.get(3 * x.size() / 4),
                        x.get(x.size() - 1), x.size()));
                if (s > 0) out.append(Arrays.equals(c[0], c[s]) ? "    same bits as side 0\n" : "    results differ in bits from side 0\n");
            }
            if (!ratio.isEmpty()) {
                Collections.sort(ratio);
                out.append(String.format("  side 1 / side 0 over adjacent windows: q25 %.3f  median %.3f  q75 %.3f%n", ratio.get(ratio.size() / 4),
                        ratio.get(ratio.size() / 2), ratio.get(3 * ratio.size() / 4)));
            }
        }
        System.out.print(out);
    }
}
