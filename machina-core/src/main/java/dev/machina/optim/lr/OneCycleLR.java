package dev.machina.optim.lr;

import dev.machina.optim.Optimizer;

/**
 * The 1cycle policy, as {@code torch.optim.lr_scheduler.OneCycleLR} (learning rate only; momentum
 * is not cycled): from maxLr/divFactor up to maxLr over the first pctStart of totalSteps, then
 * down to maxLr/divFactor/finalDivFactor (with threePhase: back to the initial rate first, then
 * down), by cosine or linear annealing. Stepping more than totalSteps times is an error, as in
 * torch. The optimizer's own lr is replaced.
 */
public final class OneCycleLR extends LRScheduler {
    private final int totalSteps;
    private final boolean cosine;
    private final double[] ends;      // end step of each phase
    private final double[] from, to;   // start and end lr of each phase

    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps, double pctStart, boolean cosine,
                      double divFactor, double finalDivFactor, boolean threePhase) {
        super(optimizer);
        if (totalSteps <= 0) throw new IllegalArgumentException("Expected positive integer total_steps, but got " + totalSteps);
        if (!(pctStart >= 0 && pctStart <= 1)) throw new IllegalArgumentException("Expected float between 0 and 1 pct_start, but got " + pctStart);
        this.totalSteps = totalSteps;
        this.cosine = cosine;
        double initial = maxLr / divFactor, min = initial / finalDivFactor;
        if (threePhase) {
            ends = new double[] {pctStart * totalSteps - 1, 2 * pctStart * totalSteps - 2, totalSteps - 1};
            from = new double[] {initial, maxLr, initial};
            to = new double[] {maxLr, initial, min};
        } else {
            ends = new double[] {pctStart * totalSteps - 1, totalSteps - 1};
            from = new double[] {initial, maxLr};
            to = new double[] {maxLr, min};
        }
        initialStep();
    }

    /** PyTorch's defaults: pctStart 0.3, cosine, divFactor 25, finalDivFactor 1e4, two phases. */
    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps) {
        this(optimizer, maxLr, totalSteps, 0.3, true, 25, 1e4, false);
    }

    @Override
    protected double lrAt(int group, double base, int step) {
        if (step > totalSteps) {
            throw new IllegalStateException("Tried to step " + step + " times. The specified number of total steps is " + totalSteps);
        }
        double start = 0;
        for (int i = 0; i < ends.length; i++) {
            if (step <= ends[i] || i == ends.length - 1) {
                double pct = (step - start) / (ends[i] - start);
                double a = from[i], b = to[i];
                return cosine ? b + (a - b) / 2.0 * (Math.cos(Math.PI * pct) + 1) : (b - a) * pct + a;
            }
            start = ends[i];
        }
        throw new AssertionError();
    }
}
