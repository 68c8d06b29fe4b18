package dev.machina.loss;

import dev.machina.tensor.Tensor;

/**
 * Binary cross-entropy on logits, as {@code torch.nn.BCEWithLogitsLoss}, in PyTorch's stable
 * form: with lw = (posWeight − 1)·t + 1,
 * {@code loss = w·[(1 − t)·x + lw·(log(1 + e^−|x|) + max(−x, 0))]}; its gradient in x is
 * {@code w·[(1 − t) − lw·σ(−x)]} (= w·(σ(x) − t) without posWeight). One fused op; the target
 * is treated as a constant (no gradient).
 *
 * @param weight    per-element weight broadcast over the last dimension ([C]), or null
 * @param posWeight weight of positive examples per class ([C], broadcast over the last dimension), or null
 * @param reduction MEAN, SUM or NONE
 */
public record BCEWithLogitsLoss(float[] weight, float[] posWeight, Reduction reduction) {

    public BCEWithLogitsLoss {
        if (reduction == null) throw new IllegalArgumentException("reduction must not be null");
        weight = weight == null ? null : weight.clone();
        posWeight = posWeight == null ? null : posWeight.clone();
    }

    public BCEWithLogitsLoss() {
        this(null, null, Reduction.MEAN);
    }

    public Tensor forward(Tensor input, Tensor target) {
        Losses.checkSameShape("BCEWithLogitsLoss", input, target);
        int n = input.size();
        int last = input.rank() == 0 ? 1 : input.shape(-1);
        check("pos_weight", posWeight, last);
        check("weight", weight, last);
        float[] x = input.data(), t = target.data();
        float[] loss = new float[n], d = new float[n];
        for (int i = 0; i < n; i++) {
            double xi = x[i], ti = t[i];
            double lw = posWeight == null ? 1 : (posWeight[i % last] - 1) * ti + 1;
            double w = weight == null ? 1 : weight[i % last];
            double sp = Math.log1p(Math.exp(-Math.abs(xi))) + Math.max(-xi, 0); // softplus(−x)
            double sigNeg = 1 / (1 + Math.exp(xi));                                // σ(−x)
            loss[i] = (float) (w * ((1 - ti) * xi + lw * sp));
            d[i] = (float) (w * ((1 - ti) - lw * sigNeg));
        }
        return Losses.elementwise("binary_cross_entropy_with_logits", input, loss, d, reduction);
    }

    private static void check(String name, float[] w, int last) {
        if (w != null && w.length != last) {
            throw new IllegalArgumentException("BCEWithLogitsLoss: " + name + " has " + w.length + " values but the input's last dimension is " + last);
        }
    }
}
