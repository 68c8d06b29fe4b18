package dev.machina.loss;

import dev.machina.tensor.Shape;
import dev.machina.tensor.Tensor;

/**
 * Cross-entropy on logits [N, C] with class-index targets, as {@code torch.nn.CrossEntropyLoss}:
 * log-softmax and negative log-likelihood fused into one op with its own backward.
 *
 * <p>Per sample i with target y (w = class weights, 1 when absent, ε = label smoothing):
 * {@code loss_i = (1−ε)·w[y]·(−log p[i,y]) + (ε/C)·Σ_c w[c]·(−log p[i,c])}, and 0 when
 * y = ignoreIndex. MEAN divides the sum by Σ w[y_i] over non-ignored samples (PyTorch's
 * weighted mean; NaN if every target is ignored), SUM adds, NONE returns the N values. The
 * gradient with respect to the logits is
 * {@code (1−ε)·w[y]·(p − onehot(y)) + (ε/C)·(W·p − w)} (W = Σ w), which without weights is
 * {@code softmax − target distribution}, times the upstream gradient over the normaliser.
 *
 * @param weight         class weights [C], or null
 * @param ignoreIndex    target value that contributes nothing (PyTorch's default −100)
 * @param labelSmoothing ε in [0, 1]
 * @param reduction      MEAN, SUM or NONE
 */
public record CrossEntropyLoss(float[] weight, int ignoreIndex, double labelSmoothing, Reduction reduction) {

    /** PyTorch's default value of ignore_index. */
    public static final int DEFAULT_IGNORE_INDEX = -100;

    public CrossEntropyLoss {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("label_smoothing must be between 0.0 and 1.0. Got: " + labelSmoothing);
        }
        if (reduction == null) throw new IllegalArgumentException("reduction must not be null");
        weight = weight == null ? null : weight.clone();
    }

    /** Mean reduction, no weights, no smoothing, ignore index −100. */
    public CrossEntropyLoss() {
        this(null, DEFAULT_IGNORE_INDEX, 0, Reduction.MEAN);
    }

    public CrossEntropyLoss withWeight(float[] w) {
        return new CrossEntropyLoss(w, ignoreIndex, labelSmoothing, reduction);
    }

    public CrossEntropyLoss withIgnoreIndex(int i) {
        return new CrossEntropyLoss(weight, i, labelSmoothing, reduction);
    }

    public CrossEntropyLoss withLabelSmoothing(double eps) {
        return new CrossEntropyLoss(weight, ignoreIndex, eps, reduction);
    }

    public CrossEntropyLoss withReduction(Reduction r) {
        return new CrossEntropyLoss(weight, ignoreIndex, labelSmoothing, r);
    }

    /** The loss of logits [N, C] against class indices (length N). */
    public Tensor forward(Tensor logits, int[] target) {
        int[] s = logits.shape();
        if (s.length != 2) throw new IllegalArgumentException("CrossEntropyLoss: expected logits [N, C], got " + Shape.str(s));
        int n = s[0], c = s[1];
        if (target.length != n) {
            throw new IllegalArgumentException("CrossEntropyLoss: " + target.length + " targets for a batch of " + n + " (logits " + Shape.str(s) + ")");
        }
        if (weight != null && weight.length != c) {
            throw new IllegalArgumentException("CrossEntropyLoss: " + weight.length + " class weights for " + c + " classes");
        }
        int[] y = target.clone();
        for (int i = 0; i < n; i++) {
            if (y[i] != ignoreIndex && (y[i] < 0 || y[i] >= c)) {
                throw new IndexOutOfBoundsException("CrossEntropyLoss: target " + y[i] + " at position " + i + " is out of bounds for " + c + " classes");
            }
        }
        float eps = (float) labelSmoothing;
        float[] x = logits.data();
        float[] p = new float[n * c]; // softmax, kept for backward
        float[] per = new float[n];
        float[] wy = new float[n];    // w[y_i], 0 when ignored
        double wSum = 0, wTotal = 0;
        if (weight != null) for (float v : weight) wTotal += v;
        else wTotal = c;
        for (int i = 0; i < n; i++) {
            int o = i * c;
            float m = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) m = Math.max(m, x[o + j]);
            if (m == Float.NEGATIVE_INFINITY) m = 0f;
            double z = 0;
            for (int j = 0; j < c; j++) {
                double e = Math.exp(x[o + j] - m);
                p[o + j] = (float) e;
                z += e;
            }
            double lse = m + Math.log(z);
            for (int j = 0; j < c; j++) p[o + j] = (float) (p[o + j] / z);
            if (y[i] == ignoreIndex) continue;
            wy[i] = weight == null ? 1f : weight[y[i]];
            wSum += wy[i];
            double nll = wy[i] * (lse - x[o + y[i]]);
            double smooth = 0;
            if (eps != 0f) {
                for (int j = 0; j < c; j++) smooth += (weight == null ? 1f : weight[j]) * (lse - x[o + j]);
            }
            per[i] = (float) ((1 - eps) * nll + eps / c * smooth);
        }
        final float wTot = (float) wTotal;
        Tensor[] in = {logits};
        if (reduction == Reduction.NONE) {
            return Tensor.fromOp("cross_entropy", per, new int[] {n}, in, g -> backward(logits, p, y, wy, wTot, n, c, eps, g, null));
        }
        double total = 0;
        for (float v : per) total += v;
        float norm = reduction == Reduction.MEAN ? (float) wSum : 1f;
        float value = (float) (reduction == Reduction.MEAN ? total / wSum : total);
        return Tensor.fromOp("cross_entropy", new float[] {value}, new int[0], in, g -> backward(logits, p, y, wy, wTot, n, c, eps, g, norm));
    }

    private void backward(Tensor logits, float[] p, int[] y, float[] wy, float wTot, int n, int c, float eps, float[] g, Float norm) {
        float[] gx = logits.gradBuffer();
        for (int i = 0; i < n; i++) {
            if (y[i] == ignoreIndex) continue;
            float gi = norm == null ? g[i] : g[0] / norm;
            if (gi == 0f) continue;
            int o = i * c;
            float a = (1 - eps) * wy[i];
            float b = eps / c;
            for (int j = 0; j < c; j++) {
                float wj = weight == null ? 1f : weight[j];
                float d = a * p[o + j] + b * (wTot * p[o + j] - wj);
                if (j == y[i]) d -= a;
                gx[o + j] += gi * d;
            }
        }
    }
}
