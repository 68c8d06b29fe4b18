package dev.machina.optim;

import dev.machina.tensor.Tensor;
import java.util.List;

/** Gradient clipping, as {@code torch.nn.utils.clip_grad_norm_} and {@code clip_grad_value_}. */
public final class GradClip {
    private GradClip() {}

    /** {@link #clipGradNorm(List, double, double)} with the 2-norm. */
    public static double clipGradNorm(List<Tensor> params, double maxNorm) {
        return clipGradNorm(params, maxNorm, 2);
    }

    /**
     * Scales all gradients together so that their global norm (the {@code normType}-norm of
     * all values; {@code Double.POSITIVE_INFINITY} for the max norm) is at most {@code maxNorm}:
     * each gradient is multiplied by min(1, maxNorm / (total + 1e-6)), as PyTorch. Parameters
     * without a gradient are skipped.
     *
     * @return the total norm before clipping
     */
    public static double clipGradNorm(List<Tensor> params, double maxNorm, double normType) {
        double total = 0;
        boolean inf = Double.isInfinite(normType);
        for (Tensor p : params) {
            if (p.grad() == null) continue;
            for (float g : p.grad().data()) {
                double a = Math.abs(g);
                if (inf) total = Math.max(total, a);
                else total += normType == 2 ? a * a : Math.pow(a, normType);
            }
        }
        if (!inf) total = normType == 2 ? Math.sqrt(total) : Math.pow(total, 1 / normType);
        double coef = Math.min(maxNorm / (total + 1e-6), 1.0);
        float c = (float) coef;
        for (Tensor p : params) {
            if (p.grad() == null) continue;
            float[] d = p.grad().data();
            for (int i = 0; i < d.length; i++) d[i] *= c;
        }
        return total;
    }

    /** Clamps every gradient value into [−clipValue, clipValue]. */
    public static void clipGradValue(List<Tensor> params, double clipValue) {
        if (!(clipValue >= 0)) throw new IllegalArgumentException("clip value must be non-negative, got " + clipValue);
        float v = (float) clipValue;
        for (Tensor p : params) {
            if (p.grad() == null) continue;
            float[] d = p.grad().data();
            for (int i = 0; i < d.length; i++) d[i] = Math.min(Math.max(d[i], -v), v);
        }
    }
}
