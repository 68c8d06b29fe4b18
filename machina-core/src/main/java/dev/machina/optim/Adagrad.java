package dev.machina.optim;

import dev.machina.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Adagrad, as {@code torch.optim.Adagrad}; see {@link #adagradStep}. */
public final class Adagrad extends Optimizer {
    /** Hyper-parameters with PyTorch's defaults (lr 1e-2, lr_decay 0, eps 1e-10). */
    public record Config(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue, double eps) {
        public Config {
            checkLr(lr);
            checkNonNegative("lr_decay", lrDecay);
            checkNonNegative("weight_decay", weightDecay);
            checkNonNegative("initial_accumulator_value", initialAccumulatorValue);
            if (!(eps >= 0)) throw new IllegalArgumentException("Invalid epsilon value: " + eps);
        }

        public static Config defaults() {
            return new Config(1e-2, 0, 0, 0, 1e-10);
        }

        public Config withLr(double v) {
            return new Config(v, lrDecay, weightDecay, initialAccumulatorValue, eps);
        }

        public Config withLrDecay(double v) {
            return new Config(lr, v, weightDecay, initialAccumulatorValue, eps);
        }

        public Config withWeightDecay(double v) {
            return new Config(lr, lrDecay, v, initialAccumulatorValue, eps);
        }

        public Config withInitialAccumulatorValue(double v) {
            return new Config(lr, lrDecay, weightDecay, v, eps);
        }

        public Config withEps(double v) {
            return new Config(lr, lrDecay, weightDecay, initialAccumulatorValue, v);
        }
    }

    private final Config cfg;

    public Adagrad(List<Tensor> params, Config cfg) {
        this(cfg, single(params));
    }

    public Adagrad(Config cfg, List<ParamGroup> groups) {
        super(groups, cfg.lr(), cfg.weightDecay());
        this.cfg = cfg;
    }

    @Override
    protected void update(ParamGroup g, Tensor p, float[] param, float[] grad, Map<String, Object> st) {
        float[] sum = (float[]) st.computeIfAbsent("sum", k -> {
            float[] s = new float[param.length];
            Arrays.fill(s, (float) cfg.initialAccumulatorValue());
            return s;
        });
        long step = nextStep(st);
        adagradStep(param, grad, sum, step, g.lr(), cfg.lrDecay(), g.weightDecay(), cfg.eps());
    }

    /**
     * One Adagrad update, PyTorch's rule: g = g + wd·p; clr = lr / (1 + (t−1)·lr_decay) (double);
     * s = s + g²; p = p − clr·g / (√s + eps) in float32.
     */
    public static void adagradStep(float[] p, float[] g, float[] sum, long step, double lr, double lrDecay, double weightDecay, double eps) {
        float wd = (float) weightDecay, e = (float) eps;
        float negClr = (float) -(lr / (1 + (step - 1) * lrDecay));
        for (int i = 0; i < p.length; i++) {
            float gi = g[i];
            if (wd != 0f) gi = gi + wd * p[i];
            sum[i] = sum[i] + gi * gi;
            float std = (float) Math.sqrt(sum[i]) + e;
            p[i] = p[i] + negClr * gi / std;
        }
    }
}
