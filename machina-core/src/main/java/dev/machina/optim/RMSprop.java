package dev.machina.optim;

import dev.machina.tensor.Tensor;
import java.util.List;
import java.util.Map;

/** RMSprop with optional momentum and centering, as {@code torch.optim.RMSprop}; see {@link #rmspropStep}. */
public final class RMSprop extends Optimizer {
    /** Hyper-parameters with PyTorch's defaults (lr 1e-2, alpha 0.99, eps 1e-8). */
    public record Config(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        public Config {
            checkLr(lr);
            if (!(eps >= 0)) throw new IllegalArgumentException("Invalid epsilon value: " + eps);
            checkNonNegative("momentum", momentum);
            checkNonNegative("weight_decay", weightDecay);
            if (!(alpha >= 0)) throw new IllegalArgumentException("Invalid alpha value: " + alpha);
        }

        public static Config defaults() {
            return new Config(1e-2, 0.99, 1e-8, 0, 0, false);
        }

        public Config withLr(double v) {
            return new Config(v, alpha, eps, weightDecay, momentum, centered);
        }

        public Config withAlpha(double v) {
            return new Config(lr, v, eps, weightDecay, momentum, centered);
        }

        public Config withEps(double v) {
            return new Config(lr, alpha, v, weightDecay, momentum, centered);
        }

        public Config withWeightDecay(double v) {
            return new Config(lr, alpha, eps, v, momentum, centered);
        }

        public Config withMomentum(double v) {
            return new Config(lr, alpha, eps, weightDecay, v, centered);
        }

        public Config withCentered(boolean v) {
            return new Config(lr, alpha, eps, weightDecay, momentum, v);
        }
    }

    private final Config cfg;

    public RMSprop(List<Tensor> params, Config cfg) {
        this(cfg, single(params));
    }

    public RMSprop(Config cfg, List<ParamGroup> groups) {
        super(groups, cfg.lr(), cfg.weightDecay());
        this.cfg = cfg;
    }

    @Override
    protected void update(ParamGroup g, Tensor p, float[] param, float[] grad, Map<String, Object> st) {
        int n = param.length;
        nextStep(st);
        float[] sq = buffer(st, "square_avg", n);
        float[] buf = cfg.momentum() > 0 ? buffer(st, "momentum_buffer", n) : null;
        float[] gavg = cfg.centered() ? buffer(st, "grad_avg", n) : null;
        rmspropStep(param, grad, sq, gavg, buf, g.lr(), cfg.alpha(), cfg.eps(), g.weightDecay(), cfg.momentum());
    }

    /**
     * One RMSprop update in float32, PyTorch's rule: g = g + wd·p; s = αs + (1−α)g²;
     * centered: ḡ = αḡ + (1−α)g and a = √(s − ḡ²) + eps, else a = √s + eps; with momentum μ:
     * b = μb + g/a, p = p − lr·b; else p = p − lr·g/a.
     *
     * @param gavg null unless centered; @param buf null unless momentum &gt; 0
     */
    public static void rmspropStep(float[] p, float[] g, float[] sq, float[] gavg, float[] buf,
                                   double lr, double alpha, double eps, double weightDecay, double momentum) {
        float a = (float) alpha, oma = (float) (1 - alpha), e = (float) eps, wd = (float) weightDecay;
        float mu = (float) momentum, negLr = (float) -lr;
        for (int i = 0; i < p.length; i++) {
            float gi = g[i];
            if (wd != 0f) gi = gi + wd * p[i];
            sq[i] = sq[i] * a + oma * gi * gi;
            float avg;
            if (gavg != null) {
                gavg[i] = gavg[i] * a + oma * gi;
                avg = (float) Math.sqrt(sq[i] + -1f * gavg[i] * gavg[i]) + e;
            } else {
                avg = (float) Math.sqrt(sq[i]) + e;
            }
            if (buf != null) {
                buf[i] = buf[i] * mu + gi / avg;
                p[i] = p[i] + negLr * buf[i];
            } else {
                p[i] = p[i] + negLr * gi / avg;
            }
        }
    }
}
