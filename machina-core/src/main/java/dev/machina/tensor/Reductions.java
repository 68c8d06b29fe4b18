package dev.machina.tensor;

import dev.machina.kernel.Kernels;

/**
 * Reductions (sum, mean, max, argmax over all or one axis, with keep-dims) and the
 * numerically stable softmax / log-softmax. Along an axis a tensor is seen as
 * [outer, n, inner].
 */
public final class Reductions {
    private Reductions() {}

    public static Tensor sum(Tensor x) {
        Tensor out = new Tensor(new float[] {Tensor.k().sum(x.data, 0, x.size)}, new int[0]);
        out.record("sum", new Tensor[] {x}, g -> Tensor.k().scaleShift(x.gradBuffer(), 0, 1f, g[0], x.gradBuffer(), 0, x.size));
        return out;
    }

    public static Tensor mean(Tensor x) {
        if (x.size == 0) throw new IllegalArgumentException("mean of an empty tensor " + Shape.str(x.shape));
        float inv = 1f / x.size;
        Tensor out = new Tensor(new float[] {Tensor.k().sum(x.data, 0, x.size) * inv}, new int[0]);
        out.record("mean", new Tensor[] {x}, g -> Tensor.k().scaleShift(x.gradBuffer(), 0, 1f, g[0] * inv, x.gradBuffer(), 0, x.size));
        return out;
    }

    private static int[] reducedShape(int[] s, int d, boolean keep) {
        if (keep) {
            int[] r = s.clone();
            r[d] = 1;
            return r;
        }
        int[] r = new int[s.length - 1];
        for (int i = 0, j = 0; i < s.length; i++) if (i != d) r[j++] = s[i];
        return r;
    }

    public static Tensor sum(Tensor x, int dim, boolean keepDim) {
        return sumScaled(x, dim, keepDim, 1f, "sum");
    }

    public static Tensor mean(Tensor x, int dim, boolean keepDim) {
        int d = Shape.axis("mean", dim, x.rank());
        if (x.shape[d] == 0) throw new IllegalArgumentException("mean over an empty dimension of " + Shape.str(x.shape));
        return sumScaled(x, d, keepDim, 1f / x.shape[d], "mean");
    }

    private static Tensor sumScaled(Tensor x, int dim, boolean keepDim, float scale, String name) {
        int d = Shape.axis(name, dim, x.rank());
        int outer = Shape.prod(x.shape, 0, d), n = x.shape[d], inner = Shape.prod(x.shape, d + 1, x.rank());
        Kernels k = Tensor.k();
        float[] o = new float[outer * inner];
        for (int i = 0; i < outer; i++) {
            if (inner == 1) {
                o[i] = k.sum(x.data, i * n, n);
            } else {
                k.sumRows(x.data, i * n * inner, n, inner, o, i * inner, false);
            }
        }
        if (scale != 1f) k.scaleShift(o, 0, scale, 0f, o, 0, o.length);
        Tensor out = new Tensor(o, reducedShape(x.shape, d, keepDim));
        out.record(name, new Tensor[] {x}, g -> {
            float[] gx = x.gradBuffer();
            Kernels kk = Tensor.k();
            for (int i = 0; i < outer; i++) {
                for (int j = 0; j < n; j++) {
                    int base = (i * n + j) * inner;
                    if (inner == 1) gx[base] += g[i] * scale;
                    else kk.axpy(scale, g, i * inner, gx, base, inner);
                }
            }
        });
        return out;
    }

    /** The largest value; the gradient goes to its first occurrence. */
    public static Tensor max(Tensor x) {
        if (x.size == 0) throw new IllegalArgumentException("max of an empty tensor");
        int at = 0;
        for (int i = 1; i < x.size; i++) if (x.data[i] > x.data[at] || Float.isNaN(x.data[i]) && !Float.isNaN(x.data[at])) at = i;
        final int arg = at;
        Tensor out = new Tensor(new float[] {x.data[at]}, new int[0]);
        out.record("max", new Tensor[] {x}, g -> x.gradBuffer()[arg] += g[0]);
        return out;
    }

    /** The largest value along dim; the gradient goes to the first occurrence in each slice. */
    public static Tensor max(Tensor x, int dim, boolean keepDim) {
        int d = Shape.axis("max", dim, x.rank());
        int outer = Shape.prod(x.shape, 0, d), n = x.shape[d], inner = Shape.prod(x.shape, d + 1, x.rank());
        if (n == 0) throw new IllegalArgumentException("max over an empty dimension of " + Shape.str(x.shape));
        int[] arg = argmaxRaw(x, outer, n, inner);
        float[] o = new float[outer * inner];
        for (int i = 0; i < outer; i++) for (int j = 0; j < inner; j++) o[i * inner + j] = x.data[(i * n + arg[i * inner + j]) * inner + j];
        Tensor out = new Tensor(o, reducedShape(x.shape, d, keepDim));
        out.record("max", new Tensor[] {x}, g -> {
            float[] gx = x.gradBuffer();
            for (int i = 0; i < outer; i++) for (int j = 0; j < inner; j++) gx[(i * n + arg[i * inner + j]) * inner + j] += g[i * inner + j];
        });
        return out;
    }

    /** Index of the largest value along dim (first occurrence; NaN counts as largest), flattened over the other dims. */
    public static int[] argmax(Tensor x, int dim) {
        int d = Shape.axis("argmax", dim, x.rank());
        int outer = Shape.prod(x.shape, 0, d), n = x.shape[d], inner = Shape.prod(x.shape, d + 1, x.rank());
        if (n == 0) throw new IllegalArgumentException("argmax over an empty dimension of " + Shape.str(x.shape));
        return argmaxRaw(x, outer, n, inner);
    }

    private static int[] argmaxRaw(Tensor x, int outer, int n, int inner) {
        int[] arg = new int[outer * inner];
        for (int i = 0; i < outer; i++) {
            for (int j = 0; j < inner; j++) {
                int best = 0;
                float bv = x.data[i * n * inner + j];
                for (int t = 1; t < n; t++) {
                    float v = x.data[(i * n + t) * inner + j];
                    if (v > bv || Float.isNaN(v) && !Float.isNaN(bv)) {
                        bv = v;
                        best = t;
                    }
                }
                arg[i * inner + j] = best;
            }
        }
        return arg;
    }

    /** Softmax (or log-softmax) along dim, stable for large inputs. */
    public static Tensor softmax(Tensor x, int dim, boolean log) {
        int d = Shape.axis(log ? "logSoftmax" : "softmax", dim, x.rank());
        int r = x.rank();
        if (r == 0) throw new IllegalArgumentException((log ? "logSoftmax" : "softmax") + " needs at least one dimension");
        if (d != r - 1) { // move the axis last, compute, move it back
            Tensor moved = Shapes.transpose(x, d, r - 1);
            return Shapes.transpose(softmax(moved, r - 1, log), d, r - 1);
        }
        int cols = x.shape[r - 1], rows = cols == 0 ? 0 : x.size / cols;
        float[] o = new float[x.size];
        Tensor.k().softmaxRows(x.data, 0, o, 0, rows, cols, log);
        Tensor out = new Tensor(o, x.shape);
        out.record(log ? "log_softmax" : "softmax", new Tensor[] {x}, g -> {
            float[] gx = x.gradBuffer();
            Kernels k = Tensor.k();
            for (int i = 0; i < rows; i++) {
                int off = i * cols;
                if (log) { // dx = g - softmax · Σg
                    float s = k.sum(g, off, cols);
                    for (int j = 0; j < cols; j++) gx[off + j] += g[off + j] - (float) Math.exp(o[off + j]) * s;
                } else { // dx = y ⊙ (g - Σ g·y)
                    float s = k.dot(g, off, o, off, cols);
                    for (int j = 0; j < cols; j++) gx[off + j] += o[off + j] * (g[off + j] - s);
                }
            }
        });
        return out;
    }
}
