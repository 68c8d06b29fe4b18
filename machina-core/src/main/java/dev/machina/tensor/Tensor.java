package dev.machina.tensor;

import dev.machina.kernel.KernelProvider;
import dev.machina.kernel.Kernels;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A float32 tensor: a shape of rank 0–4 and a contiguous row-major {@code float[]} on the heap,
 * with define-by-run reverse-mode autograd as in PyTorch. Each op computes its result and
 * records, beside it, how to send the gradient back; {@link #backward()} walks that record in
 * reverse topological order, accumulates gradients into {@link #grad()} of the leaves that
 * {@link #requiresGrad()}, and drops the record.
 *
 * <p>The ops themselves live, forward and backward together, in {@link Elementwise},
 * {@link Linalg}, {@link Shapes} and {@link Reductions}; the methods here are shortcuts to them.
 */
public final class Tensor {
    static final int MAX_RANK = 4;
    private static final ThreadLocal<boolean[]> GRAD_ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    final float[] data;
    final int[] shape;
    final int size;
    private boolean requiresGrad;
    private Tensor grad;
    /** The array of a gradient dropped by {@link #releaseGrad}, for the next {@link #gradBuffer} to zero and reuse. */
    private float[] spareGrad;
    /** Whether the gradient's array was made by backward (not given through {@link #setGrad}): only such an array is reused. */
    private boolean gradOwned;
    private Node node;
    /** True once an earlier backward() released the graph node this tensor had. */
    private boolean released;
    /** Set by {@link #runBackwardWithoutGradient}: this op's rule runs in the current backward even with no gradient. */
    private boolean ruleWanted;

    /** A recorded op: its inputs and the rule that sends the output's gradient to them. */
    private record Node(String op, Tensor[] inputs, Backward rule, boolean takesNoGradient) {}

    /**
     * The backward rule of an op: given the gradient of the op's output, add the gradient of
     * each input that {@link #requiresGrad()} into {@link #gradBuffer()}.
     */
    @FunctionalInterface
    public interface Backward {
        void apply(float[] gradOutput);
    }

    Tensor(float[] data, int[] shape) {
        if (shape.length > MAX_RANK) {
            throw new IllegalArgumentException("tensors have rank 0 to " + MAX_RANK + "; got shape " + Shape.str(shape));
        }
        int n = Shape.size(shape);
        if (data.length != n) {
            throw new IllegalArgumentException("shape " + Shape.str(shape) + " holds " + n + " values but " + data.length + " were given");
        }
        this.data = data;
        this.shape = shape.clone();
        this.size = n;
    }

    static Kernels k() {
        return KernelProvider.get();
    }

    // ---------------------------------------------------------------- creation

    /** A tensor over {@code data} (not copied) with the given shape. */
    public static Tensor of(float[] data, int... shape) {
        return new Tensor(data, shape);
    }

    /** A 1-D tensor of the given values (copied). */
    public static Tensor vector(float... values) {
        return new Tensor(values.clone(), new int[] {values.length});
    }

    /** A rank-0 tensor. */
    public static Tensor scalar(float value) {
        return new Tensor(new float[] {value}, new int[0]);
    }

    public static Tensor zeros(int... shape) {
        return new Tensor(new float[Shape.size(shape)], shape);
    }

    public static Tensor ones(int... shape) {
        return full(1f, shape);
    }

    public static Tensor full(float value, int... shape) {
        float[] d = new float[Shape.size(shape)];
        Arrays.fill(d, value);
        return new Tensor(d, shape);
    }

    /** 0, 1, …, n-1. */
    public static Tensor arange(int n) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = i;
        return new Tensor(d, new int[] {n});
    }

    /** start, start+step, … below end. */
    public static Tensor arange(float start, float end, float step) {
        if (step == 0 || (end - start) / step < 0) throw new IllegalArgumentException("arange: empty or infinite range " + start + ".." + end + " step " + step);
        int n = (int) Math.ceil((end - start) / step);
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = start + i * step;
        return new Tensor(d, new int[] {n});
    }

    /** Uniform in [0, 1) from the generator. */
    public static Tensor rand(Rng rng, int... shape) {
        return uniform(rng, 0f, 1f, shape);
    }

    /** Uniform in [lo, hi) from the generator. */
    public static Tensor uniform(Rng rng, float lo, float hi, int... shape) {
        float[] d = new float[Shape.size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        return new Tensor(d, shape);
    }

    /** Standard normal from the generator. */
    public static Tensor randn(Rng rng, int... shape) {
        return normal(rng, 0f, 1f, shape);
    }

    /** Normal(mean, std) from the generator. */
    public static Tensor normal(Rng rng, float mean, float std, int... shape) {
        float[] d = new float[Shape.size(shape)];
        for (int i = 0; i < d.length; i++) d[i] = (float) (mean + std * rng.nextGaussian());
        return new Tensor(d, shape);
    }

    /** Rows of one-hot vectors for class indices in [0, numClasses). */
    public static Tensor oneHot(int[] labels, int numClasses) {
        float[] d = new float[labels.length * numClasses];
        for (int i = 0; i < labels.length; i++) {
            int c = labels[i];
            if (c < 0 || c >= numClasses) {
                throw new IllegalArgumentException("oneHot: label " + c + " at position " + i + " is outside [0, " + numClasses + ")");
            }
            d[i * numClasses + c] = 1f;
        }
        return new Tensor(d, new int[] {labels.length, numClasses});
    }

    /**
     * Creates the result of a custom op: {@code data} of the given shape, recording
     * {@code rule} as its backward if gradients are being tracked and an input requires them.
     * This is how fused ops outside this package (losses, recurrent layers) join autograd.
     */
    public static Tensor fromOp(String op, float[] data, int[] shape, Tensor[] inputs, Backward rule) {
        Tensor out = new Tensor(data, shape);
        out.record(op, inputs, rule, false);
        return out;
    }

    /**
     * {@link #fromOp}, for a fused op whose rule also accepts a null gradient (read as zeros): ops
     * on its result may then have that rule run without a gradient of the whole result
     * ({@link #runBackwardWithoutGradient}).
     */
    public static Tensor fromOpTakingNoGradient(String op, float[] data, int[] shape, Tensor[] inputs, Backward rule) {
        Tensor out = new Tensor(data, shape);
        out.record(op, inputs, rule, true);
        return out;
    }

    void record(String op, Tensor[] inputs, Backward rule) {
        record(op, inputs, rule, false);
    }

    private void record(String op, Tensor[] inputs, Backward rule, boolean takesNoGradient) {
        if (!isGradEnabled()) return;
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad) {
                requiresGrad = true;
                node = new Node(op, inputs, rule, takesNoGradient);
                return;
            }
        }
    }

    // ---------------------------------------------------------------- accessors

    /** The shape (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code d} (negative counts from the end). */
    public int shape(int d) {
        return shape[Shape.axis("shape", d, shape.length)];
    }

    public int rank() {
        return shape.length;
    }

    public int size() {
        return size;
    }

    /**
     * The backing array itself (not a copy): reading it is free; writing it changes the tensor
     * outside autograd, as {@code tensor.data} in PyTorch.
     */
    public float[] data() {
        return data;
    }

    /** A copy of the values. */
    public float[] toArray() {
        return data.clone();
    }

    /** The value of a one-element tensor. */
    public float item() {
        if (size != 1) throw new IllegalStateException("item() needs a tensor of one element, got shape " + Shape.str(shape));
        return data[0];
    }

    /** Value at a full index. */
    public float get(int... index) {
        if (index.length != shape.length) throw new IllegalArgumentException("get: index of rank " + index.length + " for shape " + Shape.str(shape));
        int off = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("get: index " + Arrays.toString(index) + " is outside shape " + Shape.str(shape));
            }
            off = off * shape[i] + index[i];
        }
        return data[off];
    }

    /** True if the shapes are equal. */
    public boolean sameShape(Tensor o) {
        return Arrays.equals(shape, o.shape);
    }

    // ---------------------------------------------------------------- autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor as one whose gradient is wanted; returns this. */
    public Tensor requiresGrad(boolean on) {
        if (node != null && !on) throw new IllegalStateException("requiresGrad(false) on a tensor computed from others: use detach()");
        requiresGrad = on;
        return this;
    }

    /** True if made by the user rather than computed by a tracked op. */
    public boolean isLeaf() {
        return node == null;
    }

    /** The accumulated gradient, or null before any backward reaches it. */
    public Tensor grad() {
        return grad;
    }

    /** Sets or clears (null) the gradient. */
    public void setGrad(Tensor g) {
        if (g != null && !sameShape(g)) throw new IllegalArgumentException("gradient shape " + Shape.str(g.shape) + " does not match " + Shape.str(shape));
        grad = g;
        gradOwned = false;
    }

    /** The gradient's array, created as zeros on first use: backward rules add into it. */
    public float[] gradBuffer() {
        if (grad == null) {
            boolean reused = spareGrad != null;
            float[] a = gradToOverwrite();
            if (reused) java.util.Arrays.fill(a, 0f); // a new array is zeros already
        }
        return grad.data;
    }

    /**
     * Clears the gradient, as {@code setGrad(null)}, but keeps its array: the next backward that
     * reaches this tensor zeroes and fills that array again, memory still in cache, instead of a
     * new one (what PyTorch's caching allocator gives {@code zero_grad()}). The dropped gradient
     * tensor must not be used afterwards: its values change with the next backward. A gradient
     * given through {@link #setGrad} is dropped without its array being reused.
     */
    public void releaseGrad() {
        if (grad != null && gradOwned) spareGrad = grad.data;
        grad = null;
    }

    /**
     * For a backward rule that writes its whole contribution to this tensor's gradient in one
     * pass: when there is no gradient yet, the array that becomes it (the released one when
     * there is one, else a new one), not zeroed, for the rule to overwrite entirely; null when
     * there is a gradient already, which the rule then adds into through {@link #gradBuffer}.
     * Spares the zeroing pass and the product's reading of those zeros.
     */
    float[] gradToOverwrite() {
        if (grad != null) return null;
        float[] a = spareGrad;
        spareGrad = null;
        grad = new Tensor(a != null ? a : new float[size], shape);
        gradOwned = true;
        return grad.data;
    }

    /**
     * Adds {@code g} (of this tensor's size) into the gradient; when there is none yet, {@code g}
     * itself becomes the gradient (no zeroed buffer, no pass over it). Only for an array nothing
     * else writes afterwards: the gradient of an op's output, which backward drops once the op's
     * rule has run.
     */
    void takeOrAddGrad(float[] g) {
        if (grad == null) {
            grad = new Tensor(g, shape);
            gradOwned = true;
        } else {
            k().add(grad.data, 0, g, 0, grad.data, 0, g.length);
        }
    }

    /**
     * Called by the backward rule of an op on this tensor: makes this tensor's own rule run in the
     * current backward even when no gradient reaches it, given a null gradient then (so the rule
     * must accept null, reading it as zeros). For a fused op whose other results are small ops on
     * its main one (the LSTM's h_n and c_n on its output sequence): their gradients reach the
     * fused backward without a zeroed gradient of the whole main result. Only a result of
     * {@link #fromOpTakingNoGradient} may ask it (any other rule would be given a null it cannot
     * read); a tensor without a graph has no rule to run.
     *
     * @throws IllegalStateException if this tensor's op was not made by {@link #fromOpTakingNoGradient}
     */
    public void runBackwardWithoutGradient() {
        if (node == null) return;
        if (!node.takesNoGradient()) {
            throw new IllegalStateException("runBackwardWithoutGradient: the rule of op '" + node.op()
                    + "' needs a gradient; only a result of Tensor.fromOpTakingNoGradient can run its rule without one");
        }
        ruleWanted = true;
    }

    /** True while no gradient has reached this tensor (its buffer, once made, starts at zero). */
    boolean gradAbsent() {
        return grad == null;
    }

    /** The same values, cut from the graph (shares the array). */
    public Tensor detach() {
        return new Tensor(data, shape);
    }

    /** A copy of the values, cut from the graph. */
    public Tensor copy() {
        return new Tensor(data.clone(), shape);
    }

    /** Name of the op that made this tensor, or null for a leaf. */
    public String op() {
        return node == null ? null : node.op;
    }

    public static boolean isGradEnabled() {
        return GRAD_ENABLED.get()[0];
    }

    /** A scope in which no graph is recorded: {@code try (var s = Tensor.noGrad()) { … }}. */
    public static GradScope noGrad() {
        return new GradScope(false);
    }

    /** A scope in which the graph is recorded again (inside a no-grad scope). */
    public static GradScope enableGrad() {
        return new GradScope(true);
    }

    /** Restores the previous grad mode when closed. */
    public static final class GradScope implements AutoCloseable {
        private final boolean previous;

        private GradScope(boolean enabled) {
            boolean[] flag = GRAD_ENABLED.get();
            previous = flag[0];
            flag[0] = enabled;
        }

        @Override
        public void close() {
            GRAD_ENABLED.get()[0] = previous;
        }
    }

    /** Back-propagates from a one-element tensor (as {@code loss.backward()}). */
    public void backward() {
        if (size != 1) {
            throw new IllegalStateException("backward() without a gradient needs a one-element tensor, got shape "
                    + Shape.str(shape) + "; pass the gradient explicitly");
        }
        backward(Tensor.ones(shape));
    }

    /** Back-propagates with an explicit gradient of this tensor's shape. */
    public void backward(Tensor gradient) {
        if (!sameShape(gradient)) {
            throw new IllegalArgumentException("backward: gradient shape " + Shape.str(gradient.shape) + " does not match " + Shape.str(shape));
        }
        if (!requiresGrad) {
            throw new IllegalStateException("backward: this tensor does not require grad and has no graph"
                    + " (no input required grad, the graph was already released by an earlier backward, or it was computed under noGrad)");
        }
        List<Tensor> order = topoOrder();
        float[] g = gradBuffer();
        for (int i = 0; i < size; i++) g[i] += gradient.data[i];
        for (int i = order.size() - 1; i >= 0; i--) {
            Tensor t = order.get(i);
            Node n = t.node;
            if (n == null) continue;
            if (t.grad != null) n.rule.apply(t.grad.data);
            else if (t.ruleWanted) n.rule.apply(null);
            t.ruleWanted = false;
            // Release the graph: interior gradients and rules are not kept.
            t.grad = null;
            t.node = null;
            t.requiresGrad = false;
            t.released = true;
        }
    }

    /** Tensors reachable from this one through recorded ops, inputs before outputs. */
    private List<Tensor> topoOrder() {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {this, 0});
        seen.add(this);
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            Tensor t = (Tensor) top[0];
            int next = (Integer) top[1];
            Tensor[] inputs = t.node == null ? new Tensor[0] : t.node.inputs;
            if (next < inputs.length) {
                top[1] = next + 1;
                Tensor in = inputs[next];
                if (in != null && in.released) {
                    throw new IllegalStateException("backward: part of this graph (op '" + t.node.op + "' input " + (next)
                            + ") was already released by an earlier backward(); recompute it, or detach() it to use it as a constant");
                }
                if (in != null && in.requiresGrad && seen.add(in)) stack.push(new Object[] {in, 0});
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }

    // ---------------------------------------------------------------- op shortcuts

    public Tensor add(Tensor o) { return Elementwise.add(this, o); }
    public Tensor sub(Tensor o) { return Elementwise.sub(this, o); }
    public Tensor mul(Tensor o) { return Elementwise.mul(this, o); }
    public Tensor div(Tensor o) { return Elementwise.div(this, o); }
    public Tensor add(float s) { return Elementwise.affine(this, 1f, s); }
    public Tensor sub(float s) { return Elementwise.affine(this, 1f, -s); }
    public Tensor mul(float s) { return Elementwise.affine(this, s, 0f); }
    public Tensor div(float s) { return Elementwise.affine(this, 1f / s, 0f); }
    public Tensor neg() { return Elementwise.affine(this, -1f, 0f); }
    public Tensor pow(float p) { return Elementwise.pow(this, p); }
    public Tensor exp() { return Elementwise.exp(this); }
    public Tensor log() { return Elementwise.log(this); }
    public Tensor sqrt() { return Elementwise.sqrt(this); }
    public Tensor abs() { return Elementwise.abs(this); }
    public Tensor clamp(float lo, float hi) { return Elementwise.clamp(this, lo, hi); }
    public Tensor relu() { return Elementwise.relu(this); }
    public Tensor leakyRelu(float slope) { return Elementwise.leakyRelu(this, slope); }
    public Tensor sigmoid() { return Elementwise.sigmoid(this); }
    public Tensor tanh() { return Elementwise.tanh(this); }
    public Tensor gelu() { return Elementwise.gelu(this); }

    public Tensor matmul(Tensor o) { return Linalg.matmul(this, o); }
    /** y = x·Wᵀ + b (b may be null), fused. */
    public static Tensor linear(Tensor x, Tensor w, Tensor b) { return Linalg.linear(x, w, b); }
    /** See {@link Linalg#linearNoGrad}: the no-graph forward of a linear layer, with its ReLU if asked. */
    public static Tensor linearNoGrad(Tensor x, Tensor w, Tensor b, boolean relu) { return Linalg.linearNoGrad(x, w, b, relu); }
    public static Tensor concat(List<Tensor> xs, int dim) { return Shapes.concat(xs, dim); }
    public static Tensor stack(List<Tensor> xs, int dim) { return Shapes.stack(xs, dim); }
    public Tensor dropout(float p, Rng rng) { return Elementwise.dropout(this, p, rng); }

    public Tensor transpose(int d0, int d1) { return Shapes.transpose(this, d0, d1); }
    /** Transpose of a 2-D tensor. */
    public Tensor t() { return Shapes.transpose(this, 0, 1); }
    public Tensor reshape(int... newShape) { return Shapes.reshape(this, newShape); }
    public Tensor view(int... newShape) { return Shapes.reshape(this, newShape); }
    public Tensor flatten(int startDim) { return Shapes.flatten(this, startDim); }
    public Tensor narrow(int dim, int start, int length) { return Shapes.narrow(this, dim, start, length); }
    public List<Tensor> split(int dim, int... sizes) { return Shapes.split(this, dim, sizes); }
    public Tensor indexSelect(int dim, int[] index) { return Shapes.indexSelect(this, dim, index); }
    /** out[i] = this[i, labels[i]] for a 2-D tensor. */
    public Tensor gather(int[] labels) { return Shapes.gather(this, labels); }

    public Tensor sum() { return Reductions.sum(this); }
    public Tensor sum(int dim, boolean keepDim) { return Reductions.sum(this, dim, keepDim); }
    public Tensor mean() { return Reductions.mean(this); }
    public Tensor mean(int dim, boolean keepDim) { return Reductions.mean(this, dim, keepDim); }
    public Tensor max() { return Reductions.max(this); }
    public Tensor max(int dim, boolean keepDim) { return Reductions.max(this, dim, keepDim); }
    public int[] argmax(int dim) { return Reductions.argmax(this, dim); }
    public Tensor softmax(int dim) { return Reductions.softmax(this, dim, false); }
    public Tensor logSoftmax(int dim) { return Reductions.softmax(this, dim, true); }

    // ---------------------------------------------------------------- text

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor").append(Shape.str(shape)).append(' ');
        int show = Math.min(size, 8);
        sb.append('[');
        for (int i = 0; i < show; i++) {
            if (i > 0) sb.append(", ");
            sb.append(String.format(java.util.Locale.ROOT, "%.4g", data[i]));
        }
        if (size > show) sb.append(", … (").append(size).append(" values)");
        sb.append(']');
        if (node != null) sb.append(" grad_fn=").append(node.op);
        else if (requiresGrad) sb.append(" requires_grad");
        return sb.toString();
    }

    /** True when both have the same shape and every value is within atol + rtol·|other|. */
    public boolean allClose(Tensor o, float rtol, float atol) {
        if (!sameShape(o)) return false;
        for (int i = 0; i < size; i++) {
            float a = data[i], b = o.data[i];
            if (Float.isNaN(a) || Float.isNaN(b)) return false;
            if (Math.abs(a - b) > atol + rtol * Math.abs(b)) return false;
        }
        return true;
    }

}
