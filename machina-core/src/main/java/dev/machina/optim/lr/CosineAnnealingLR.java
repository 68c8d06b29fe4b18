package dev.machina.optim.lr;

import dev.machina.optim.Optimizer;

/**
 * lr = η_min + (base − η_min)·(1 + cos(π·epoch/T_max))/2, the closed form of
 * {@code torch.optim.lr_scheduler.CosineAnnealingLR} (it rises again after T_max, as torch's).
 */
public final class CosineAnnealingLR extends LRScheduler {
    private final int tMax;
    private final double etaMin;

    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer);
        if (tMax <= 0) throw new IllegalArgumentException("T_max must be positive, got " + tMax);
        this.tMax = tMax;
        this.etaMin = etaMin;
        initialStep();
    }

    @Override
    protected double lrAt(int group, double base, int epoch) {
        return etaMin + (base - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
    }
}
