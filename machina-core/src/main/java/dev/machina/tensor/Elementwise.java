package dev.machina.tensor;

import dev.machina.kernel.Kernels;
import dev.machina.kernel.Parallel;
import java.util.Arrays;

/** Element-wise ops with NumPy broadcasting; each op's backward rule is written beside it. */
public final class Elementwise {
    private Elementwise() {}

    private static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3;

    // ---------------------------------------------------------------- binary, broadcasting

    public static Tensor add(Tensor a, Tensor b) {
        Tensor out = binary("add", ADD, a, b);
        out.record("add", new Tensor[] {a, b}, g -> {
            if (a.requiresGrad()) sumInto(g, out.shape, a);
            if (b.requiresGrad()) sumInto(g, out.shape, b);
        });
        return out;
    }

    public static Tensor sub(Tensor a, Tensor b) {
        Tensor out = binary("sub", SUB, a, b);
        out.record("sub", new Tensor[] {a, b}, g -> {
            if (a.requiresGrad()) sumInto(g, out.shape, a);
            if (b.requiresGrad()) {
                float[] ng = new float[g.length];
                Tensor.k().scaleShift(g, 0, -1f, 0f, ng, 0, g.length);
                sumInto(ng, out.shape, b);
            }
        });
        return out;
    }

    public static Tensor mul(Tensor a, Tensor b) {
        Tensor out = binary("mul", MUL, a, b);
        out.record("mul", new Tensor[] {a, b}, g -> {
            if (a.requiresGrad()) sumInto(apply(MUL, g, out.shape, b.data, b.shape, out.shape), out.shape, a);
            if (b.requiresGrad()) sumInto(apply(MUL, g, out.shape, a.data, a.shape, out.shape), out.shape, b);
        });
        return out;
    }

    public static Tensor div(Tensor a, Tensor b) {
        Tensor out = binary("div", DIV, a, b);
        out.record("div", new Tensor[] {a, b}, g -> {
            // d(a/b)/da = 1/b ; d(a/b)/db = -a/b² = -out/b
            if (a.requiresGrad()) sumInto(apply(DIV, g, out.shape, b.data, b.shape, out.shape), out.shape, a);
            if (b.requiresGrad()) {
                float[] t = apply(MUL, g, out.shape, out.data, out.shape, out.shape);
                float[] u = apply(DIV, t, out.shape, b.data, b.shape, out.shape);
                for (int i = 0; i < u.length; i++) u[i] = -u[i];
                sumInto(u, out.shape, b);
            }
        });
        return out;
    }

    private static Tensor binary(String name, int op, Tensor a, Tensor b) {
        int[] os = Arrays.equals(a.shape, b.shape) ? a.shape : Shape.broadcast(name, a.shape, b.shape);
        return new Tensor(apply(op, a.data, a.shape, b.data, b.shape, os), os);
    }

    /** out = a (op) b broadcast to {@code os}. */
    static float[] apply(int op, float[] a, int[] as, float[] b, int[] bs, int[] os) {
        Kernels k = Tensor.k();
        int n = Shape.size(os);
        float[] out = new float[n];
        if (Arrays.equals(as, os) && Arrays.equals(bs, os)) {
            flat(k, op, a, 0, b, 0, out, 0, n);
            return out;
        }
        if (b.length == 1 && Arrays.equals(as, os) && op != DIV) {
            float s = b[0];
            switch (op) {
                case ADD -> k.scaleShift(a, 0, 1f, s, out, 0, n);
                case SUB -> k.scaleShift(a, 0, 1f, -s, out, 0, n);
                default -> k.scaleShift(a, 0, s, 0f, out, 0, n);
            }
            return out;
        }
        if (Arrays.equals(as, os) && isSuffix(bs, os) && b.length > 0) { // bias-like: b repeats per row
            int m = b.length;
            for (int r = 0; r < n; r += m) flat(k, op, a, r, b, 0, out, r, m);
            return out;
        }
        if (Arrays.equals(bs, os) && isSuffix(as, os) && a.length > 0) {
            int m = a.length;
            for (int r = 0; r < n; r += m) flat(k, op, a, 0, b, r, out, r, m);
            return out;
        }
        // General case: walk the output, rows of the last dimension at a time.
        int rank = os.length;
        int[] sa = broadcastStrides(as, os), sb = broadcastStrides(bs, os);
        int last = rank == 0 ? 1 : os[rank - 1];
        int la = rank == 0 ? 0 : sa[rank - 1], lb = rank == 0 ? 0 : sb[rank - 1];
        int[] idx = new int[Math.max(rank - 1, 0)];
        int rows = last == 0 ? 0 : n / last;
        for (int r = 0; r < rows; r++) {
            int ao = 0, bo = 0;
            for (int d = 0; d < rank - 1; d++) {
                ao += idx[d] * sa[d];
                bo += idx[d] * sb[d];
            }
            int oo = r * last;
            if (la == 1 && lb == 1) {
                flat(k, op, a, ao, b, bo, out, oo, last);
            } else {
                for (int j = 0; j < last; j++) out[oo + j] = scalar(op, a[ao + j * la], b[bo + j * lb]);
            }
            for (int d = rank - 2; d >= 0; d--) {
                if (++idx[d] < os[d]) break;
                idx[d] = 0;
            }
        }
        return out;
    }

    private static float scalar(int op, float x, float y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            default -> x / y;
        };
    }

    private static void flat(Kernels k, int op, float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        switch (op) {
            case ADD -> k.add(a, ao, b, bo, out, oo, n);
            case SUB -> k.sub(a, ao, b, bo, out, oo, n);
            case MUL -> k.mul(a, ao, b, bo, out, oo, n);
            default -> k.div(a, ao, b, bo, out, oo, n);
        }
    }

    private static boolean isSuffix(int[] s, int[] of) {
        if (s.length > of.length) return false;
        int off = of.length - s.length;
        for (int i = 0; i < s.length; i++) if (s[i] != of[off + i]) return false;
        return true;
    }

    /** Strides of {@code s} laid over the broadcast shape {@code os}: 0 where s is broadcast. */
    static int[] broadcastStrides(int[] s, int[] os) {
        int[] st = Shape.strides(s);
        int[] out = new int[os.length];
        int off = os.length - s.length;
        for (int i = 0; i < s.length; i++) out[off + i] = s[i] == 1 && os[off + i] != 1 ? 0 : st[i];
        return out;
    }

    /**
     * Adds {@code g} (shaped {@code gs}) into t's gradient, summing over the dimensions along
     * which t was broadcast.
     */
    static void sumInto(float[] g, int[] gs, Tensor t) {
        float[] tg = t.gradBuffer();
        Kernels k = Tensor.k();
        if (Arrays.equals(gs, t.shape)) {
            k.add(tg, 0, g, 0, tg, 0, g.length);
            return;
        }
        if (isSuffix(t.shape, gs) && t.size > 0) {
            k.sumRows(g, 0, g.length / t.size, t.size, tg, 0, true);
            return;
        }
        int rank = gs.length;
        int[] st = broadcastStrides(t.shape, gs);
        int[] idx = new int[rank];
        for (int i = 0; i < g.length; i++) {
            int o = 0;
            for (int d = 0; d < rank; d++) o += idx[d] * st[d];
            tg[o] += g[i];
            for (int d = rank - 1; d >= 0; d--) {
                if (++idx[d] < gs[d]) break;
                idx[d] = 0;
            }
        }
    }

    // ---------------------------------------------------------------- unary

    /** a·s + t (scalar add, multiply, negate). */
    public static Tensor affine(Tensor a, float s, float t) {
        float[] o = new float[a.size];
        Tensor.k().scaleShift(a.data, 0, s, t, o, 0, a.size);
        Tensor out = new Tensor(o, a.shape);
        out.record("affine", new Tensor[] {a}, g -> Tensor.k().axpy(s, g, 0, a.gradBuffer(), 0, g.length));
        return out;
    }

    public static Tensor exp(Tensor a) {
        float[] o = new float[a.size];
        Tensor.k().exp(a.data, 0, o, 0, a.size);
        Tensor out = new Tensor(o, a.shape);
        out.record("exp", new Tensor[] {a}, g -> Tensor.k().addProduct(g, 0, o, 0, a.gradBuffer(), 0, g.length));
        return out;
    }

    public static Tensor log(Tensor a) {
        float[] o = new float[a.size];
        Tensor.k().log(a.data, 0, o, 0, a.size);
        Tensor out = new Tensor(o, a.shape);
        out.record("log", new Tensor[] {a}, g -> {
            float[] ga = a.gradBuffer();
            for (int i = 0; i < g.length; i++) ga[i] += g[i] / a.data[i];
        });
        return out;
    }

    public static Tensor sqrt(Tensor a) {
        float[] o = new float[a.size];
        for (int i = 0; i < o.length; i++) o[i] = (float) Math.sqrt(a.data[i]);
        Tensor out = new Tensor(o, a.shape);
        out.record("sqrt", new Tensor[] {a}, g -> {
            float[] ga = a.gradBuffer();
            for (int i = 0; i < g.length; i++) ga[i] += g[i] * 0.5f / o[i];
        });
        return out;
    }

    public static Tensor abs(Tensor a) {
        float[] o = new float[a.size];
        for (int i = 0; i < o.length; i++) o[i] = Math.abs(a.data[i]);
        Tensor out = new Tensor(o, a.shape);
        out.record("abs", new Tensor[] {a}, g -> {
            float[] ga = a.gradBuffer();
            for (int i = 0; i < g.length; i++) ga[i] += g[i] * Math.signum(a.data[i]);
        });
        return out;
    }

    /** a^p for a scalar exponent. */
    public static Tensor pow(Tensor a, float p) {
        float[] o = new float[a.size];
        for (int i = 0; i < o.length; i++) o[i] = pow(a.data[i], p);
        Tensor out = new Tensor(o, a.shape);
        out.record("pow", new Tensor[] {a}, g -> {
            float[] ga = a.gradBuffer();
            for (int i = 0; i < g.length; i++) ga[i] += g[i] * p * pow(a.data[i], p - 1f);
        });
        return out;
    }

    private static float pow(float x, float p) {
        if (p == 2f) return x * x;
        if (p == 1f) return x;
        if (p == 0f) return 1f;
        return (float) Math.pow(x, p);
    }

    /** Limits values to [lo, hi]; the gradient passes where lo ≤ a ≤ hi, as in PyTorch. */
    public static Tensor clamp(Tensor a, float lo, float hi) {
        if (lo > hi) throw new IllegalArgumentException("clamp: lower bound " + lo + " is above upper bound " + hi);
        float[] o = new float[a.size];
        for (int i = 0; i < o.length; i++) o[i] = Math.min(Math.max(a.data[i], lo), hi);
        Tensor out = new Tensor(o, a.shape);
        out.record("clamp", new Tensor[] {a}, g -> {
            float[] ga = a.gradBuffer();
            for (int i = 0; i < g.length; i++) {
                float x = a.data[i];
                if (x >= lo && x <= hi) ga[i] += g[i];
            }
        });
        return out;
    }

    public static Tensor relu(Tensor a) {
        float[] o = new float[a.size];
        Kernels k = Tensor.k();
        inChunks(a.size, (from, n) -> k.relu(a.data, from, o, from, n));
        Tensor out = new Tensor(o, a.shape);
        out.record("relu", new Tensor[] {a}, g -> {
            float[] ga = a.gradBuffer();
            inChunks(g.length, (from, n) -> k.reluBackward(a.data, from, g, from, ga, from, n));
        });
        return out;
    }

    /** Elements per parallel task of {@link #inChunks}; from two chunks the work is split across the kernel threads. */
    static final int CHUNK = 16_384;

    /** A range [from, from + n) of an element-wise op. */
    @FunctionalInterface
    interface Range {
        void run(int from, int n);
    }

    /**
     * An element-wise op over [0, size) in chunks of {@link #CHUNK}, on the kernel threads when
     * there are two chunks or more (the hidden activations of an MLP at batch 128 and up): each
     * element is computed by the same operations whichever chunk holds it, so the result does
     * not depend on the thread count.
     */
    static void inChunks(int size, Range op) {
        int tasks = (size + CHUNK - 1) / CHUNK;
        if (tasks <= 1) {
            op.run(0, size);
            return;
        }
        Parallel.forEach(tasks, t -> {
            int from = t * CHUNK;
            op.run(from, Math.min(CHUNK, size - from));
        });
    }

    public static Tensor leakyRelu(Tensor a, float slope) {
        float[] o = new float[a.size];
        for (int i = 0; i < o.length; i++) {
            float x = a.data[i];
            o[i] = x > 0f ? x : x * slope;
        }
        Tensor out = new Tensor(o, a.shape);
        out.record("leaky_relu", new Tensor[] {a}, g -> {
            float[] ga = a.gradBuffer();
            for (int i = 0; i < g.length; i++) ga[i] += a.data[i] > 0f ? g[i] : g[i] * slope;
        });
        return out;
    }

    public static Tensor sigmoid(Tensor a) {
        float[] o = new float[a.size];
        Tensor.k().sigmoid(a.data, 0, o, 0, a.size);
        Tensor out = new Tensor(o, a.shape);
        out.record("sigmoid", new Tensor[] {a}, g -> {
            float[] ga = a.gradBuffer();
            for (int i = 0; i < g.length; i++) ga[i] += g[i] * o[i] * (1f - o[i]);
        });
        return out;
    }

    public static Tensor tanh(Tensor a) {
        float[] o = new float[a.size];
        Tensor.k().tanh(a.data, 0, o, 0, a.size);
        Tensor out = new Tensor(o, a.shape);
        out.record("tanh", new Tensor[] {a}, g -> {
            float[] ga = a.gradBuffer();
            for (int i = 0; i < g.length; i++) ga[i] += g[i] * (1f - o[i] * o[i]);
        });
        return out;
    }

    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);
    private static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2.0 * Math.PI);

    /** GELU, exact form x·Φ(x) (PyTorch's default, approximate='none'). */
    public static Tensor gelu(Tensor a) {
        float[] o = new float[a.size];
        for (int i = 0; i < o.length; i++) {
            double x = a.data[i];
            o[i] = (float) (x * 0.5 * (1.0 + erf(x * INV_SQRT2)));
        }
        Tensor out = new Tensor(o, a.shape);
        out.record("gelu", new Tensor[] {a}, g -> {
            float[] ga = a.gradBuffer();
            for (int i = 0; i < g.length; i++) {
                double x = a.data[i];
                double cdf = 0.5 * (1.0 + erf(x * INV_SQRT2));
                double pdf = Math.exp(-0.5 * x * x) * INV_SQRT_2PI;
                ga[i] += (float) (g[i] * (cdf + x * pdf));
            }
        });
        return out;
    }

    /**
     * The error function, to about 1.2e-7 relative error (Numerical Recipes' erfc by Chebyshev
     * fitting), well inside float precision.
     */
    public static double erf(double x) {
        double z = Math.abs(x);
        double t = 1.0 / (1.0 + 0.5 * z);
        double ans = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1.0 - ans : ans - 1.0;
    }

    /**
     * Multiplies by a fixed mask (a dropout mask, already scaled): out = a·mask, and the gradient
     * is g·mask. The mask has a's shape and takes no gradient.
     */
    public static Tensor applyMask(Tensor a, float[] mask) {
        if (mask.length != a.size) throw new IllegalArgumentException("applyMask: mask of " + mask.length + " values for shape " + Shape.str(a.shape));
        float[] o = new float[a.size];
        Kernels k = Tensor.k();
        inChunks(a.size, (from, n) -> k.mul(a.data, from, mask, from, o, from, n));
        return masked(a, mask, o, k);
    }

    /** out (= a·mask) as the result of the mask op, whose gradient is g·mask. */
    private static Tensor masked(Tensor a, float[] mask, float[] o, Kernels k) {
        Tensor out = new Tensor(o, a.shape);
        out.record("mask", new Tensor[] {a}, g -> {
            float[] ga = a.gradBuffer();
            inChunks(g.length, (from, n) -> k.addProduct(g, from, mask, from, ga, from, n));
        });
        return out;
    }

    /**
     * Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1-p), so
     * the expected value is unchanged. One draw from rng keys the whole mask; each element's
     * 24-bit uniform comes from that key and its index ({@link Kernels#dropoutMask}), so the mask
     * is made in vector lanes, and is the same on every provider and thread count.
     */
    public static Tensor dropout(Tensor a, float p, Rng rng) {
        if (!(p >= 0f && p < 1f)) throw new IllegalArgumentException("dropout probability must be in [0, 1), got " + p);
        if (p == 0f) return a;
        float scale = 1f / (1f - p);
        long key = rng.nextLong();
        int keepFrom = (int) Math.ceil(p * 0x1p24);
        float[] mask = new float[a.size], o = new float[a.size];
        Kernels k = Tensor.k();
        // each chunk's mask, then the chunk masked while in cache; element i's bits are those of
        // (key, i) whichever chunk makes them (the key's low half advanced to the chunk's start)
        inChunks(a.size, (from, n) -> {
            k.dropoutMask(keyFrom(key, from), keepFrom, scale, mask, from, n);
            k.mul(a.data, from, mask, from, o, from, n);
        });
        return masked(a, mask, o, k);
    }

    /** The key under which element i of a mask is element i − from of {@link Kernels#dropoutMask}'s call with {@code key'}: the low half plus from. */
    static long keyFrom(long key, int from) {
        return (key & 0xFFFF_FFFF_0000_0000L) | (((int) key + from) & 0xFFFF_FFFFL);
    }
}
