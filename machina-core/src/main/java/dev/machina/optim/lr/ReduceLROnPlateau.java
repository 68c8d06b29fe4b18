package dev.machina.optim.lr;

import dev.machina.optim.Optimizer;
import dev.machina.optim.ParamGroup;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reduces the learning rate by {@code factor} when a metric has stopped improving for more than
 * {@code patience} steps, as {@code torch.optim.lr_scheduler.ReduceLROnPlateau} (same
 * threshold modes, cooldown, min lr and eps rule).
 */
public final class ReduceLROnPlateau {
    /** Hyper-parameters with PyTorch's defaults ({@link #defaults()}). */
    public record Config(boolean maximize, double factor, int patience, double threshold, boolean relativeThreshold,
                         int cooldown, double minLr, double eps) {
        public Config {
            if (!(factor < 1)) throw new IllegalArgumentException("Factor should be < 1.0.");
        }

        /** mode min, factor 0.1, patience 10, threshold 1e-4 relative, cooldown 0, min lr 0, eps 1e-8. */
        public static Config defaults() {
            return new Config(false, 0.1, 10, 1e-4, true, 0, 0, 1e-8);
        }

        public Config withMaximize(boolean v) {
            return new Config(v, factor, patience, threshold, relativeThreshold, cooldown, minLr, eps);
        }

        public Config withFactor(double v) {
            return new Config(maximize, v, patience, threshold, relativeThreshold, cooldown, minLr, eps);
        }

        public Config withPatience(int v) {
            return new Config(maximize, factor, v, threshold, relativeThreshold, cooldown, minLr, eps);
        }

        public Config withThreshold(double v, boolean relative) {
            return new Config(maximize, factor, patience, v, relative, cooldown, minLr, eps);
        }

        public Config withCooldown(int v) {
            return new Config(maximize, factor, patience, threshold, relativeThreshold, v, minLr, eps);
        }

        public Config withMinLr(double v) {
            return new Config(maximize, factor, patience, threshold, relativeThreshold, cooldown, v, eps);
        }
    }

    private final Optimizer optimizer;
    private final Config cfg;
    private double best;
    private int numBadEpochs, cooldownCounter, lastEpoch;

    public ReduceLROnPlateau(Optimizer optimizer, Config cfg) {
        this.optimizer = optimizer;
        this.cfg = cfg;
        best = cfg.maximize() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    private boolean isBetter(double a) {
        double t = cfg.threshold();
        if (cfg.maximize()) return cfg.relativeThreshold() ? a > best * (1 + t) : a > best + t;
        return cfg.relativeThreshold() ? a < best * (1 - t) : a < best - t;
    }

    /** Records one value of the monitored metric and reduces the learning rates if it has plateaued. */
    public void step(double metric) {
        lastEpoch++;
        if (isBetter(metric)) {
            best = metric;
            numBadEpochs = 0;
        } else {
            numBadEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            numBadEpochs = 0;
        }
        if (numBadEpochs > cfg.patience()) {
            for (ParamGroup g : optimizer.paramGroups()) {
                double old = g.lr(), nw = Math.max(old * cfg.factor(), cfg.minLr());
                if (old - nw > cfg.eps()) g.lr(nw);
            }
            cooldownCounter = cfg.cooldown();
            numBadEpochs = 0;
        }
    }

    public double best() {
        return best;
    }

    public Map<String, Object> stateDict() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("best", best);
        m.put("num_bad_epochs", numBadEpochs);
        m.put("cooldown_counter", cooldownCounter);
        m.put("last_epoch", lastEpoch);
        return m;
    }

    public void loadStateDict(Map<String, Object> s) {
        best = ((Number) s.get("best")).doubleValue();
        numBadEpochs = (Integer) s.get("num_bad_epochs");
        cooldownCounter = (Integer) s.get("cooldown_counter");
        lastEpoch = (Integer) s.get("last_epoch");
    }
}
