package dev.machina.optim.lr;

import dev.machina.optim.Optimizer;

/** lr = base·γ^epoch, as {@code torch.optim.lr_scheduler.ExponentialLR}. */
public final class ExponentialLR extends LRScheduler {
    private final double gamma;

    public ExponentialLR(Optimizer optimizer, double gamma) {
        super(optimizer);
        this.gamma = gamma;
        initialStep();
    }

    @Override
    protected double lrAt(int group, double base, int epoch) {
        return base * Math.pow(gamma, epoch);
    }
}
