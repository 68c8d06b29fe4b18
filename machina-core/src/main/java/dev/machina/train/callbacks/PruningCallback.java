package dev.machina.train.callbacks;

import dev.machina.train.Callback;
import dev.machina.train.TrainContext;
import dev.machina.train.Trainer;
import java.util.Map;

/**
 * Reports a monitored metric to a {@link Pruner} after every epoch and stops the fit (status
 * {@link Trainer.Status#PRUNED}) when the pruner says so. The epoch that was reported counts.
 * The last epoch is reported too (pruners learn from it) but never pruned: the trial is done.
 */
public final class PruningCallback implements Callback {
    private final Pruner pruner;
    private final int trial;
    private final String metric;
    private boolean pruned;

    public PruningCallback(Pruner pruner, int trial, String metric) {
        if (pruner == null) throw new IllegalArgumentException("a pruner is required");
        if (metric == null || metric.isBlank()) throw new IllegalArgumentException("a metric to report is required");
        this.pruner = pruner;
        this.trial = trial;
        this.metric = metric;
    }

    @Override
    public void onEpochEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {
        Double v = logs.get(metric);
        if (v == null) {
            throw new IllegalArgumentException("the sweep's objective '" + metric + "' is not logged; logged: " + logs.keySet());
        }
        Pruner.Decision d = pruner.report(trial, epoch + 1, v);
        if (d.prune() && epoch + 1 < ctx.config().epochs()) {
            pruned = true;
            ctx.requestStop(Trainer.Status.PRUNED, d.reason());
        }
    }

    /** True once the pruner stopped this fit. */
    public boolean pruned() {
        return pruned;
    }

    @Override
    public String stateKey() {
        return "PruningCallback";
    }
}
