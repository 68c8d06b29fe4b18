package dev.machina.optim;

import dev.machina.kernel.Parallel;
import dev.machina.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma &amp; Ba), with optional AMSGrad, as {@code torch.optim.Adam}. Weight decay here is
 * L2 (added to the gradient); for decoupled decay use {@link AdamW}. See {@link #adamStep}.
 */
public class Adam extends Optimizer {
    /** Hyper-parameters with PyTorch's defaults (lr 1e-3, betas (0.9, 0.999), eps 1e-8). */
    public record Config(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad) {
        public Config {
            checkLr(lr);
            if (!(eps >= 0)) throw new IllegalArgumentException("Invalid epsilon value: " + eps);
            if (!(beta1 >= 0 && beta1 < 1)) throw new IllegalArgumentException("Invalid beta parameter at index 0: " + beta1);
            if (!(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("Invalid beta parameter at index 1: " + beta2);
            checkNonNegative("weight_decay", weightDecay);
        }

        public static Config defaults() {
            return new Config(1e-3, 0.9, 0.999, 1e-8, 0, false);
        }

        /** Defaults of AdamW (weight decay 1e-2). */
        public static Config adamWDefaults() {
            return new Config(1e-3, 0.9, 0.999, 1e-8, 1e-2, false);
        }

        public Config withLr(double v) {
            return new Config(v, beta1, beta2, eps, weightDecay, amsgrad);
        }

        public Config withBetas(double b1, double b2) {
            return new Config(lr, b1, b2, eps, weightDecay, amsgrad);
        }

        public Config withEps(double v) {
            return new Config(lr, beta1, beta2, v, weightDecay, amsgrad);
        }

        public Config withWeightDecay(double v) {
            return new Config(lr, beta1, beta2, eps, v, amsgrad);
        }

        public Config withAmsgrad(boolean v) {
            return new Config(lr, beta1, beta2, eps, weightDecay, v);
        }
    }

    private final Config cfg;
    private final boolean decoupled;

    public Adam(List<Tensor> params, Config cfg) {
        this(cfg, single(params));
    }

    public Adam(Config cfg, List<ParamGroup> groups) {
        this(cfg, groups, false);
    }

    Adam(Config cfg, List<ParamGroup> groups, boolean decoupled) {
        super(groups, cfg.lr(), cfg.weightDecay());
        this.cfg = cfg;
        this.decoupled = decoupled;
    }

    public Config config() {
        return cfg;
    }

    @Override
    protected final void update(ParamGroup g, Tensor p, float[] param, float[] grad, Map<String, Object> st) {
        int n = param.length;
        long step = nextStep(st);
        float[] m = buffer(st, "exp_avg", n), v = buffer(st, "exp_avg_sq", n);
        float[] vmax = cfg.amsgrad() ? buffer(st, "max_exp_avg_sq", n) : null;
        adamStep(param, grad, m, v, vmax, step, g.lr(), cfg.beta1(), cfg.beta2(), cfg.eps(), g.weightDecay(), decoupled);
    }

    /**
     * One Adam/AdamW update, in the order and precision of PyTorch's single-tensor code:
     * decoupled: p = p·(1 − lr·wd), else g = g + wd·p; m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²;
     * v̂ = max(v̂, v) with AMSGrad; bias corrections bc₁ = 1 − β₁ᵗ, bc₂ = 1 − β₂ᵗ and the step
     * size lr/bc₁ in double (Python floats in torch), then in float32
     * denom = √v / √bc₂ + eps and p = p + (−lr/bc₁)·m / denom.
     */
    public static void adamStep(float[] p, float[] g, float[] m, float[] v, float[] vmax, long step,
                                double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        float b1 = (float) beta1, b2 = (float) beta2, omb1 = (float) (1 - beta1), omb2 = (float) (1 - beta2);
        float wd = (float) weightDecay, decay = (float) (1 - lr * weightDecay);
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        float negStepSize = (float) -(lr / bc1), bc2Sqrt = (float) Math.sqrt(bc2), e = (float) eps;
        int n = p.length, tasks = (n + CHUNK - 1) / CHUNK;
        // each element's update reads only its own entries: any split gives the same bits
        Parallel.forEach(tasks, n < PARALLEL_MIN ? 1 : Integer.MAX_VALUE, t -> {
            int from = t * CHUNK, to = Math.min(n, from + CHUNK);
            for (int i = from; i < to; i++) {
                float gi = g[i];
                if (decoupled) p[i] = p[i] * decay;
                else if (wd != 0f) gi = gi + wd * p[i];
                m[i] = m[i] * b1 + omb1 * gi;
                v[i] = v[i] * b2 + omb2 * gi * gi;
                float vi = v[i];
                if (vmax != null) vi = vmax[i] = Math.max(vmax[i], vi);
                float denom = (float) Math.sqrt(vi) / bc2Sqrt + e;
                p[i] = p[i] + negStepSize * m[i] / denom;
            }
        });
    }

    /** Elements per task of {@link #adamStep}, and the size from which it runs on several threads. */
    static final int CHUNK = 8192, PARALLEL_MIN = 2 * CHUNK;
}
