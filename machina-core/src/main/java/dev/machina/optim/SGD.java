package dev.machina.optim;

import dev.machina.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay, as
 * {@code torch.optim.SGD}; see {@link #sgdStep} for the update.
 */
public final class SGD extends Optimizer {
    /**
     * Hyper-parameters (PyTorch's defaults except lr, which must be given).
     */
    public record Config(double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        public Config {
            checkLr(lr);
            checkNonNegative("momentum", momentum);
            checkNonNegative("weight_decay", weightDecay);
            if (nesterov && (momentum <= 0 || dampening != 0)) {
                throw new IllegalArgumentException("Nesterov momentum requires a momentum and zero dampening");
            }
        }

        public static Config lr(double lr) {
            return new Config(lr, 0, 0, 0, false);
        }

        public Config withMomentum(double m) {
            return new Config(lr, m, dampening, weightDecay, nesterov);
        }

        public Config withDampening(double d) {
            return new Config(lr, momentum, d, weightDecay, nesterov);
        }

        public Config withWeightDecay(double wd) {
            return new Config(lr, momentum, dampening, wd, nesterov);
        }

        public Config withNesterov(boolean on) {
            return new Config(lr, momentum, dampening, weightDecay, on);
        }
    }

    private final Config cfg;

    public SGD(List<Tensor> params, Config cfg) {
        this(cfg, single(params));
    }

    /** Groups may override lr and weight decay. */
    public SGD(Config cfg, List<ParamGroup> groups) {
        super(groups, cfg.lr(), cfg.weightDecay());
        this.cfg = cfg;
    }

    public Config config() {
        return cfg;
    }

    @Override
    protected void update(ParamGroup g, Tensor p, float[] param, float[] grad, Map<String, Object> st) {
        float[] buf = cfg.momentum() != 0 ? (float[]) st.get("momentum_buffer") : null;
        boolean first = cfg.momentum() != 0 && buf == null;
        if (first) {
            buf = new float[param.length];
            st.put("momentum_buffer", buf);
        }
        sgdStep(param, grad, buf, first, g.lr(), cfg.momentum(), cfg.dampening(), g.weightDecay(), cfg.nesterov());
    }

    /**
     * One SGD update in float32, PyTorch's rule: d = g + wd·p; with momentum μ,
     * b = d on the first step, else b = μ·b + (1−τ)·d; then d = d + μ·b (Nesterov) or d = b;
     * finally p = p − lr·d.
     *
     * @param buf   momentum buffer (null without momentum), updated in place
     * @param first true on the first step with momentum (the buffer is set to d)
     */
    public static void sgdStep(float[] p, float[] g, float[] buf, boolean first,
                               double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        float wd = (float) weightDecay, mu = (float) momentum, oneMinusDamp = (float) (1 - dampening), negLr = (float) -lr;
        for (int i = 0; i < p.length; i++) {
            float d = g[i];
            if (wd != 0f) d = d + wd * p[i];
            if (buf != null) {
                float b = first ? d : buf[i] * mu + oneMinusDamp * d;
                buf[i] = b;
                d = nesterov ? d + mu * b : b;
            }
            p[i] = p[i] + negLr * d;
        }
    }
}
