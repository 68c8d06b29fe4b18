package dev.machina.train.callbacks;

import dev.machina.optim.lr.LRScheduler;
import dev.machina.optim.lr.ReduceLROnPlateau;
import dev.machina.train.Callback;
import dev.machina.train.TrainContext;
import java.util.Map;

/** Steps a learning-rate schedule per batch or per epoch, or feeds reduce-on-plateau a monitored metric. */
public final class LrScheduleCallback implements Callback {
    /** When to step. */
    public enum Every { BATCH, EPOCH }

    private final LRScheduler schedule;
    private final ReduceLROnPlateau plateau;
    private final Every every;
    private final String monitor;

    public LrScheduleCallback(LRScheduler schedule, Every every) {
        this.schedule = schedule;
        this.plateau = null;
        this.every = every;
        this.monitor = null;
    }

    public LrScheduleCallback(ReduceLROnPlateau plateau, String monitor) {
        this.schedule = null;
        this.plateau = plateau;
        this.every = Every.EPOCH;
        this.monitor = monitor;
    }

    @Override
    public void onBatchEnd(TrainContext ctx, long step, Map<String, Double> logs) {
        if (schedule != null && every == Every.BATCH) schedule.step();
    }

    @Override
    public void onEpochEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {
        if (schedule != null && every == Every.EPOCH) schedule.step();
        if (plateau != null) {
            Double v = logs.get(monitor);
            if (v == null) throw new IllegalArgumentException("reduce-on-plateau monitors '" + monitor + "', which is not logged; logged: " + logs.keySet());
            plateau.step(v);
        }
    }

    @Override
    public String stateKey() {
        return "LrSchedule";
    }

    @Override
    public Map<String, Object> state() {
        return schedule != null ? schedule.stateDict() : plateau.stateDict();
    }

    @Override
    public void loadState(Map<String, Object> s) {
        if (schedule != null) schedule.loadStateDict(s);
        else plateau.loadStateDict(s);
    }
}
