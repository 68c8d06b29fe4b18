package dev.machina.optim.lr;

import dev.machina.optim.Optimizer;
import java.util.Map;

/**
 * SGDR, as {@code torch.optim.lr_scheduler.CosineAnnealingWarmRestarts}: cosine annealing over
 * a period T_i that restarts when T_cur reaches it, the period then multiplied by T_mult:
 * lr = η_min + (base − η_min)·(1 + cos(π·T_cur/T_i))/2.
 */
public final class CosineAnnealingWarmRestarts extends LRScheduler {
    private final int t0, tMult;
    private final double etaMin;
    private int tCur = -1, tI;

    public CosineAnnealingWarmRestarts(Optimizer optimizer, int t0, int tMult, double etaMin) {
        super(optimizer);
        if (t0 <= 0) throw new IllegalArgumentException("Expected positive integer T_0, but got " + t0);
        if (tMult < 1) throw new IllegalArgumentException("Expected integer T_mult >= 1, but got " + tMult);
        this.t0 = t0;
        this.tMult = tMult;
        this.etaMin = etaMin;
        this.tI = t0;
        initialStep();
    }

    @Override
    public void step() {
        tCur++;
        if (tCur >= tI) {
            tCur -= tI;
            tI *= tMult;
        }
        super.step();
    }

    @Override
    protected double lrAt(int group, double base, int epoch) {
        return etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * tCur / tI)) / 2;
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> m = super.stateDict();
        m.put("T_cur", tCur);
        m.put("T_i", tI);
        return m;
    }

    @Override
    public void loadStateDict(Map<String, Object> state) {
        tCur = (Integer) state.get("T_cur");
        tI = (Integer) state.get("T_i");
        super.loadStateDict(state);
    }
}
