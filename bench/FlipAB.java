import dev.machina.kernel.KernelProvider;
import dev.machina.kernel.Kernels;
import dev.machina.kernel.Parallel;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * In-process A/B of a GEMM code path (docs/BENCHMARKS.md): one JVM flips a static field of
 * {@code dev.machina.kernel.VectorGemm} between values every 0.2 s window and reports the
 * quartiles of each value's windows, so both sides meet the same slow spells of a noisy machine.
 *
 * <pre>./machina java -Dfield=NAME -Dvals=A,B[,C...] [-Dsecs=20] bench/FlipAB.java THREADS M,N,K[,TRANSA,TRANSB] ...</pre>
 *
 * A value may set several fields at once: {@code -Dvals=X=1+Y=2,X=0+Y=2}. The field must not be
 * {@code final} (make it non-final in a working copy for the experiment) and must be read per
 * product, not once at class initialisation. Boolean, int and long fields are supported.
 */
public class FlipAB {
    public static void main(String[] args) throws Exception {
        Kernels k = KernelProvider.get();
        Parallel.setThreads(Integer.parseInt(args[0]));
        Class<?> gemm = Class.forName("dev.machina.kernel.VectorGemm");
        String[] vals = System.getProperty("vals", "false,true").split(",");
        String field = System.getProperty("field", "");
        long secs = Long.getLong("secs", 20);
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
            long warm = System.nanoTime() + Long.getLong("warmms", 2000) * 1_000_000L;
            for (int w = 0; System.nanoTime() < warm; w++) {
                set(gemm, field, vals[(w / 20) % vals.length]);
                k.gemm(ta, tb, m, n, kk, a, 0, ta ? m : kk, b, 0, tb ? kk : n, c, 0, n, false);
            }
            List<List<Double>> g = new ArrayList<>();
            for (String v : vals) g.add(new ArrayList<>());
            long end = System.nanoTime() + secs * 1_000_000_000L;
            for (int w = 0; System.nanoTime() < end; w++) {
                int v = w % vals.length;
                set(gemm, field, vals[v]);
                long t0 = System.nanoTime();
                int reps = 0;
                while (System.nanoTime() - t0 < 200_000_000L) {
                    k.gemm(ta, tb, m, n, kk, a, 0, ta ? m : kk, b, 0, tb ? kk : n, c, 0, n, false);
                    reps++;
                }
                g.get(v).add(flops * reps / ((System.nanoTime() - t0) / 1e9) / 1e9);
            }
            out.append(args[ai]).append(": ");
            for (int v = 0; v < vals.length; v++) {
                List<Double> x = g.get(v);
                Collections.sort(x);
                out.append(String.format("%s q25 %.0f med %.0f q75 %.0f max %.0f; ", vals[v], x.get(x.size() / 4), x.get(x.size() / 2),
                        x.get(x.size() * 3 / 4), x.get(x.size() - 1)));
            }
            out.append("| ");
        }
        System.out.println(out + "GFLOP/s");
    }

    private static void set(Class<?> owner, String field, String value) throws Exception {
        if (value.contains("=")) {
            for (String kv : value.split("\\+")) {
                String[] x = kv.split("=", 2);
                set1(owner.getDeclaredField(x[0]), x[1]);
            }
        } else {
            set1(owner.getDeclaredField(field), value);
        }
    }

    private static void set1(Field f, String v) throws Exception {
        f.setAccessible(true);
        if (f.getType() == boolean.class) f.setBoolean(null, Boolean.parseBoolean(v));
        else if (f.getType() == int.class) f.setInt(null, Integer.parseInt(v));
        else f.setLong(null, Long.parseLong(v));
    }
}
