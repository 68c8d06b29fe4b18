package dev.machina.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Ops that move values without arithmetic: transpose, reshape, flatten, concat, split/narrow,
 * stack, index-select and gather. Along an axis a tensor is seen as [outer, dim, inner].
 */
public final class Shapes {
    private Shapes() {}

    /** Swaps two dimensions (copies into a new contiguous tensor). */
    public static Tensor transpose(Tensor x, int d0, int d1) {
        int r = x.rank();
        int a = Shape.axis("transpose", d0, r), b = Shape.axis("transpose", d1, r);
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) perm[i] = i;
        perm[a] = b;
        perm[b] = a;
        int[] os = new int[r];
        for (int i = 0; i < r; i++) os[i] = x.shape[perm[i]];
        float[] o = permute(x.data, x.shape, perm);
        Tensor out = new Tensor(o, os);
        out.record("transpose", new Tensor[] {x}, g -> {
            float[] back = permute(g, os, perm); // a swap is its own inverse
            Tensor.k().add(x.gradBuffer(), 0, back, 0, x.gradBuffer(), 0, back.length);
        });
        return out;
    }

    /** out[i0..] = x[index permuted by perm]; out dim i is x dim perm[i]. */
    static float[] permute(float[] x, int[] shape, int[] perm) {
        int r = shape.length;
        int n = x.length;
        float[] out = new float[n];
        if (r == 2 && perm[0] == 1) {
            int rows = shape[0], cols = shape[1];
            final int B = 32;
            for (int i0 = 0; i0 < rows; i0 += B) {
                for (int j0 = 0; j0 < cols; j0 += B) {
                    int i1 = Math.min(rows, i0 + B), j1 = Math.min(cols, j0 + B);
                    for (int i = i0; i < i1; i++) for (int j = j0; j < j1; j++) out[j * rows + i] = x[i * cols + j];
                }
            }
            return out;
        }
        int[] xs = Shape.strides(shape);
        int[] os = new int[r];
        for (int i = 0; i < r; i++) os[i] = shape[perm[i]];
        int[] st = new int[r];
        for (int i = 0; i < r; i++) st[i] = xs[perm[i]];
        int[] idx = new int[r];
        for (int i = 0; i < n; i++) {
            int src = 0;
            for (int d = 0; d < r; d++) src += idx[d] * st[d];
            out[i] = x[src];
            for (int d = r - 1; d >= 0; d--) {
                if (++idx[d] < os[d]) break;
                idx[d] = 0;
            }
        }
        return out;
    }

    /** Same values, new shape (one dimension may be -1); shares the array. */
    public static Tensor reshape(Tensor x, int... newShape) {
        int[] s = newShape.clone();
        int infer = -1, known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: only one dimension can be -1, got " + Shape.str(newShape));
                infer = i;
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || x.size % known != 0) {
                throw new IllegalArgumentException("reshape: cannot view " + Shape.str(x.shape) + " (" + x.size + " values) as " + Shape.str(newShape));
            }
            s[infer] = x.size / known;
        }
        if (Shape.size(s) != x.size) {
            throw new IllegalArgumentException("reshape: cannot view " + Shape.str(x.shape) + " (" + x.size + " values) as " + Shape.str(newShape));
        }
        Tensor out = new Tensor(x.data, s);
        out.record("reshape", new Tensor[] {x}, x::takeOrAddGrad); // the same values in the same order
        return out;
    }

    /** Merges dimensions startDim.. into one (as torch.flatten(x, startDim)). */
    public static Tensor flatten(Tensor x, int startDim) {
        int r = x.rank();
        if (r == 0) return reshape(x, 1);
        int s = Shape.axis("flatten", startDim, r);
        int[] ns = new int[s + 1];
        System.arraycopy(x.shape, 0, ns, 0, s);
        ns[s] = Shape.prod(x.shape, s, r);
        return reshape(x, ns);
    }

    /** Elements [start, start+length) along dim. */
    public static Tensor narrow(Tensor x, int dim, int start, int length) {
        int d = Shape.axis("narrow", dim, x.rank());
        if (start < 0 || length < 0 || start + length > x.shape[d]) {
            throw new IllegalArgumentException("narrow: range [" + start + ", " + (start + length) + ") is outside dimension "
                    + d + " of size " + x.shape[d] + " in " + Shape.str(x.shape));
        }
        int outer = Shape.prod(x.shape, 0, d), inner = Shape.prod(x.shape, d + 1, x.rank());
        int dimN = x.shape[d];
        int[] os = x.shape.clone();
        os[d] = length;
        int block = length * inner;
        float[] o; // one block (a range of the first dimension): copyOfRange, which skips zeroing the new array
        if (outer == 1) o = java.util.Arrays.copyOfRange(x.data, start * inner, start * inner + block);
        else {
            o = new float[outer * block];
            for (int i = 0; i < outer; i++) System.arraycopy(x.data, (i * dimN + start) * inner, o, i * block, block);
        }
        Tensor out = new Tensor(o, os);
        out.record("narrow", new Tensor[] {x}, g -> {
            boolean fresh = x.gradAbsent();
            if (fresh && outer == 1 && start == 0) { // g then zeros: copyOf zeroes only the tail
                x.takeOrAddGrad(java.util.Arrays.copyOf(g, x.size));
                return;
            }
            float[] gx = x.gradBuffer();
            for (int i = 0; i < outer; i++) {
                int at = (i * dimN + start) * inner;
                if (fresh) System.arraycopy(g, i * block, gx, at, block); // into zeros: the sum is g itself
                else Tensor.k().add(gx, at, g, i * block, gx, at, block);
            }
        });
        return out;
    }

    /** Consecutive pieces of the given sizes along dim; they must add up to the dimension. */
    public static List<Tensor> split(Tensor x, int dim, int... sizes) {
        int d = Shape.axis("split", dim, x.rank());
        int total = 0;
        for (int s : sizes) total += s;
        if (total != x.shape[d]) {
            throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " add up to " + total
                    + " but dimension " + d + " of " + Shape.str(x.shape) + " is " + x.shape[d]);
        }
        List<Tensor> parts = new ArrayList<>();
        int start = 0;
        for (int s : sizes) {
            parts.add(narrow(x, d, start, s));
            start += s;
        }
        return parts;
    }

    /** Joins tensors along an existing dimension; all other dimensions must match. */
    public static Tensor concat(List<Tensor> xs, int dim) {
        if (xs.isEmpty()) throw new IllegalArgumentException("concat: no tensors given");
        Tensor first = xs.get(0);
        int r = first.rank();
        int d = Shape.axis("concat", dim, r);
        int sum = 0;
        for (Tensor t : xs) {
            boolean ok = t.rank() == r;
            for (int i = 0; ok && i < r; i++) if (i != d && t.shape[i] != first.shape[i]) ok = false;
            if (!ok) {
                throw new IllegalArgumentException("concat: shapes " + Shape.str(first.shape) + " and " + Shape.str(t.shape)
                        + " differ outside dimension " + d);
            }
            sum += t.shape[d];
        }
        int outer = Shape.prod(first.shape, 0, d), inner = Shape.prod(first.shape, d + 1, r);
        final int total = sum;
        int[] os = first.shape.clone();
        os[d] = total;
        float[] o = new float[outer * total * inner];
        int[] offs = new int[xs.size()];
        int acc = 0;
        for (int j = 0; j < xs.size(); j++) {
            offs[j] = acc;
            acc += xs.get(j).shape[d];
        }
        for (int i = 0; i < outer; i++) {
            for (int j = 0; j < xs.size(); j++) {
                Tensor t = xs.get(j);
                int block = t.shape[d] * inner;
                System.arraycopy(t.data, i * block, o, (i * total + offs[j]) * inner, block);
            }
        }
        Tensor[] inputs = xs.toArray(new Tensor[0]);
        Tensor out = new Tensor(o, os);
        out.record("concat", inputs, g -> {
            for (int j = 0; j < inputs.length; j++) {
                Tensor t = inputs[j];
                if (!t.requiresGrad()) continue;
                int block = t.shape[d] * inner;
                float[] gt = t.gradBuffer();
                for (int i = 0; i < outer; i++) Tensor.k().add(gt, i * block, g, (i * total + offs[j]) * inner, gt, i * block, block);
            }
        });
        return out;
    }

    /** Joins same-shaped tensors along a new dimension. */
    public static Tensor stack(List<Tensor> xs, int dim) {
        if (xs.isEmpty()) throw new IllegalArgumentException("stack: no tensors given");
        int r = xs.get(0).rank();
        int d = dim < 0 ? dim + r + 1 : dim;
        if (d < 0 || d > r) throw new IllegalArgumentException("stack: dimension " + dim + " is out of range for tensors of rank " + r);
        List<Tensor> expanded = new ArrayList<>();
        for (Tensor t : xs) {
            if (!t.sameShape(xs.get(0))) {
                throw new IllegalArgumentException("stack: shapes " + Shape.str(xs.get(0).shape) + " and " + Shape.str(t.shape) + " differ");
            }
            int[] ns = new int[r + 1];
            for (int i = 0, j = 0; i <= r; i++) ns[i] = i == d ? 1 : t.shape[j++];
            expanded.add(reshape(t, ns));
        }
        return concat(expanded, d);
    }

    /** Picks the entries {@code index} along dim (repeats allowed); gradients scatter-add back. */
    public static Tensor indexSelect(Tensor x, int dim, int[] index) {
        int d = Shape.axis("indexSelect", dim, x.rank());
        int outer = Shape.prod(x.shape, 0, d), inner = Shape.prod(x.shape, d + 1, x.rank());
        int dimN = x.shape[d];
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= dimN) {
                throw new IndexOutOfBoundsException("indexSelect: index " + index[i] + " at position " + i
                        + " is outside dimension " + d + " of size " + dimN);
            }
        }
        int[] os = x.shape.clone();
        os[d] = index.length;
        int[] idx = index.clone();
        float[] o = new float[outer * idx.length * inner];
        for (int i = 0; i < outer; i++) {
            for (int j = 0; j < idx.length; j++) {
                System.arraycopy(x.data, (i * dimN + idx[j]) * inner, o, (i * idx.length + j) * inner, inner);
            }
        }
        Tensor out = new Tensor(o, os);
        out.record("index_select", new Tensor[] {x}, g -> {
            float[] gx = x.gradBuffer();
            for (int i = 0; i < outer; i++) {
                for (int j = 0; j < idx.length; j++) {
                    int dst = (i * dimN + idx[j]) * inner;
                    Tensor.k().add(gx, dst, g, (i * idx.length + j) * inner, gx, dst, inner);
                }
            }
        });
        return out;
    }

    /** For x [N, C] and labels [N]: out[i] = x[i, labels[i]]. */
    public static Tensor gather(Tensor x, int[] labels) {
        if (x.rank() != 2 || labels.length != x.shape[0]) {
            throw new IllegalArgumentException("gather: needs x [N, C] and N labels, got x " + Shape.str(x.shape) + " and " + labels.length + " labels");
        }
        int n = x.shape[0], c = x.shape[1];
        int[] lab = labels.clone();
        float[] o = new float[n];
        for (int i = 0; i < n; i++) {
            if (lab[i] < 0 || lab[i] >= c) throw new IndexOutOfBoundsException("gather: label " + lab[i] + " at row " + i + " is outside [0, " + c + ")");
            o[i] = x.data[i * c + lab[i]];
        }
        Tensor out = new Tensor(o, new int[] {n});
        out.record("gather", new Tensor[] {x}, g -> {
            float[] gx = x.gradBuffer();
            for (int i = 0; i < n; i++) gx[i * c + lab[i]] += g[i];
        });
        return out;
    }
}
