package dev.machina.optim.lr;

import dev.machina.optim.Optimizer;

/** lr = base·γ^⌊epoch/stepSize⌋, as {@code torch.optim.lr_scheduler.StepLR}. */
public final class StepLR extends LRScheduler {
    private final int stepSize;
    private final double gamma;

    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        if (stepSize <= 0) throw new IllegalArgumentException("step_size must be positive, got " + stepSize);
        this.stepSize = stepSize;
        this.gamma = gamma;
        initialStep();
    }

    @Override
    protected double lrAt(int group, double base, int epoch) {
        return base * Math.pow(gamma, epoch / stepSize);
    }
}
