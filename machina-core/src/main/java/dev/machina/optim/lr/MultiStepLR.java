package dev.machina.optim.lr;

import dev.machina.optim.Optimizer;
import java.util.Arrays;

/** lr = base·γ^(number of milestones ≤ epoch), as {@code torch.optim.lr_scheduler.MultiStepLR}. */
public final class MultiStepLR extends LRScheduler {
    private final int[] milestones;
    private final double gamma;

    public MultiStepLR(Optimizer optimizer, int[] milestones, double gamma) {
        super(optimizer);
        this.milestones = milestones.clone();
        Arrays.sort(this.milestones);
        this.gamma = gamma;
        initialStep();
    }

    @Override
    protected double lrAt(int group, double base, int epoch) {
        int passed = 0;
        for (int m : milestones) if (m <= epoch) passed++;
        return base * Math.pow(gamma, passed);
    }
}
