package dev.machina.optim.lr;

import dev.machina.optim.Optimizer;

/**
 * Linear warm-up (or decay) of a multiplicative factor, as {@code torch.optim.lr_scheduler.LinearLR}:
 * lr = base·(start + (end − start)·min(epoch, totalIters)/totalIters). PyTorch's defaults are
 * start 1/3, end 1, totalIters 5.
 */
public final class LinearLR extends LRScheduler {
    private final double startFactor, endFactor;
    private final int totalIters;

    public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
        super(optimizer);
        if (!(startFactor > 0 && startFactor <= 1)) {
            throw new IllegalArgumentException("Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
        }
        if (!(endFactor >= 0 && endFactor <= 1)) throw new IllegalArgumentException("Ending multiplicative factor expected to be between 0 and 1.");
        if (totalIters <= 0) throw new IllegalArgumentException("total_iters must be positive, got " + totalIters);
        this.startFactor = startFactor;
        this.endFactor = endFactor;
        this.totalIters = totalIters;
        initialStep();
    }

    @Override
    protected double lrAt(int group, double base, int epoch) {
        return base * (startFactor + (endFactor - startFactor) * Math.min(totalIters, epoch) / totalIters);
    }
}
