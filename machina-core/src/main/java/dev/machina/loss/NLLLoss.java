package dev.machina.loss;

import dev.machina.tensor.Shape;
import dev.machina.tensor.Tensor;

/**
 * Negative log-likelihood on log-probabilities [N, C] with class-index targets, as
 * {@code torch.nn.NLLLoss}: {@code loss_i = −w[y_i]·input[i, y_i]} (0 when ignored); MEAN
 * divides by Σ w[y_i] over non-ignored samples.
 *
 * @param weight      class weights [C], or null
 * @param ignoreIndex target value that contributes nothing (default −100)
 * @param reduction   MEAN, SUM or NONE
 */
public record NLLLoss(float[] weight, int ignoreIndex, Reduction reduction) {

    public NLLLoss {
        if (reduction == null) throw new IllegalArgumentException("reduction must not be null");
        weight = weight == null ? null : weight.clone();
    }

    public NLLLoss() {
        this(null, CrossEntropyLoss.DEFAULT_IGNORE_INDEX, Reduction.MEAN);
    }

    public Tensor forward(Tensor input, int[] target) {
        int[] s = input.shape();
        if (s.length != 2) throw new IllegalArgumentException("NLLLoss: expected input [N, C], got " + Shape.str(s));
        int n = s[0], c = s[1];
        if (target.length != n) throw new IllegalArgumentException("NLLLoss: " + target.length + " targets for a batch of " + n);
        if (weight != null && weight.length != c) throw new IllegalArgumentException("NLLLoss: " + weight.length + " class weights for " + c + " classes");
        int[] y = target.clone();
        float[] x = input.data();
        float[] per = new float[n], wy = new float[n];
        double wSum = 0, total = 0;
        for (int i = 0; i < n; i++) {
            if (y[i] == ignoreIndex) continue;
            if (y[i] < 0 || y[i] >= c) throw new IndexOutOfBoundsException("NLLLoss: target " + y[i] + " at position " + i + " is out of bounds for " + c + " classes");
            wy[i] = weight == null ? 1f : weight[y[i]];
            per[i] = -wy[i] * x[i * c + y[i]];
            wSum += wy[i];
            total += per[i];
        }
        Tensor[] in = {input};
        if (reduction == Reduction.NONE) {
            return Tensor.fromOp("nll_loss", per, new int[] {n}, in, g -> {
                float[] gx = input.gradBuffer();
                for (int i = 0; i < n; i++) if (y[i] != ignoreIndex) gx[i * c + y[i]] -= g[i] * wy[i];
            });
        }
        float norm = reduction == Reduction.MEAN ? (float) wSum : 1f;
        float value = (float) (reduction == Reduction.MEAN ? total / wSum : total);
        return Tensor.fromOp("nll_loss", new float[] {value}, new int[0], in, g -> {
            float[] gx = input.gradBuffer();
            for (int i = 0; i < n; i++) if (y[i] != ignoreIndex) gx[i * c + y[i]] -= g[0] / norm * wy[i];
        });
    }
}
