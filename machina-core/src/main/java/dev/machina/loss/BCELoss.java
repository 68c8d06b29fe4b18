package dev.machina.loss;

import dev.machina.tensor.Tensor;

/**
 * Binary cross-entropy on probabilities, as {@code torch.nn.BCELoss}:
 * {@code loss = −w·[t·log(x) + (1 − t)·log(1 − x)]} with each log clamped at −100, like
 * PyTorch; gradient {@code w·(x − t) / max(x·(1 − x), 1e-12)}. Inputs must lie in [0, 1].
 * The target is treated as a constant.
 *
 * @param weight    per-element weight broadcast over the last dimension ([C]), or null
 * @param reduction MEAN, SUM or NONE
 */
public record BCELoss(float[] weight, Reduction reduction) {

    public BCELoss {
        if (reduction == null) throw new IllegalArgumentException("reduction must not be null");
        weight = weight == null ? null : weight.clone();
    }

    public BCELoss() {
        this(null, Reduction.MEAN);
    }

    public Tensor forward(Tensor input, Tensor target) {
        Losses.checkSameShape("BCELoss", input, target);
        int n = input.size();
        int last = input.rank() == 0 ? 1 : input.shape(-1);
        if (weight != null && weight.length != last) {
            throw new IllegalArgumentException("BCELoss: weight has " + weight.length + " values but the input's last dimension is " + last);
        }
        float[] x = input.data(), t = target.data();
        float[] loss = new float[n], d = new float[n];
        for (int i = 0; i < n; i++) {
            double xi = x[i], ti = t[i];
            if (!(xi >= 0 && xi <= 1)) {
                throw new IllegalArgumentException("BCELoss: all elements of input should be between 0 and 1, got " + x[i] + " at index " + i);
            }
            double w = weight == null ? 1 : weight[i % last];
            double logX = Math.max(Math.log(xi), -100), log1mX = Math.max(Math.log1p(-xi), -100);
            loss[i] = (float) (-w * (ti * logX + (1 - ti) * log1mX));
            d[i] = (float) (w * (xi - ti) / Math.max(xi * (1 - xi), 1e-12));
        }
        return Losses.elementwise("binary_cross_entropy", input, loss, d, reduction);
    }
}
