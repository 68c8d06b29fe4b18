package dev.machina.optim.lr;

import dev.machina.optim.Optimizer;
import dev.machina.optim.ParamGroup;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base of the epoch/step-indexed learning-rate schedules, as {@code torch.optim.lr_scheduler}.
 * The schedule is a closed-form function of the step count: constructing a schedule sets each
 * group's learning rate for step 0 (the group's current lr is the base lr), and every
 * {@link #step()} advances one step and sets the next rate.
 */
public abstract class LRScheduler {
    protected final Optimizer optimizer;
    protected final double[] baseLrs;
    protected int lastEpoch = -1;

    protected LRScheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
        List<ParamGroup> gs = optimizer.paramGroups();
        baseLrs = new double[gs.size()];
        for (int i = 0; i < baseLrs.length; i++) baseLrs[i] = gs.get(i).lr();
    }

    /** The learning rate of group {@code group} (base rate {@code base}) at step {@code epoch}. */
    protected abstract double lrAt(int group, double base, int epoch);

    /** Called at the end of each subclass constructor: sets the rates for step 0. */
    protected final void initialStep() {
        step();
    }

    /** Advances one step and sets every group's learning rate. */
    public void step() {
        lastEpoch++;
        apply();
    }

    protected final void apply() {
        List<ParamGroup> gs = optimizer.paramGroups();
        for (int i = 0; i < gs.size(); i++) gs.get(i).lr(lrAt(i, baseLrs[i], lastEpoch));
    }

    /** The current learning rate of each group. */
    public final double[] lastLr() {
        List<ParamGroup> gs = optimizer.paramGroups();
        double[] out = new double[gs.size()];
        for (int i = 0; i < out.length; i++) out[i] = gs.get(i).lr();
        return out;
    }

    public final int lastEpoch() {
        return lastEpoch;
    }

    /** The schedule's position and settings as plain values ({@code last_epoch}, {@code base_lrs}, …). */
    public Map<String, Object> stateDict() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("last_epoch", lastEpoch);
        m.put("base_lrs", baseLrs.clone());
        return m;
    }

    /** Restores a state taken with {@link #stateDict()} and re-applies the learning rates. */
    public void loadStateDict(Map<String, Object> state) {
        double[] b = (double[]) state.get("base_lrs");
        if (b.length != baseLrs.length) throw new IllegalArgumentException("state has " + b.length + " base lrs for " + baseLrs.length + " groups");
        System.arraycopy(b, 0, baseLrs, 0, b.length);
        lastEpoch = (Integer) state.get("last_epoch");
        apply();
    }
}
