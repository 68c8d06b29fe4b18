package dev.machina.train.callbacks;

import dev.machina.tensor.Tensor;
import dev.machina.train.Callback;
import dev.machina.train.TrainContext;
import dev.machina.train.Trainer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stops training when a monitored metric has not improved by more than {@code minDelta} for
 * {@code patience} epochs; optionally restores the weights of the best epoch at the end. The
 * direction is right for accuracies (max) and losses (min) by default.
 *
 * <p>Its state (best value and epoch, epochs without improvement, the best weights, whether it
 * has stopped the fit) is kept in checkpoints, so a fit resumed at any epoch stops at the epoch
 * an uninterrupted one stops at, with the same weights. A fit it has stopped is finished: resumed
 * from the checkpoint of the epoch it stopped at (even with more epochs), it trains no further
 * epoch and ends stopped early, with the best weights restored. A fit from the start begins
 * with a fresh state, as Keras's does.
 */
public final class EarlyStopping implements Callback {
    private final Monitor monitor;
    private final int patience;
    private final double minDelta;
    private final boolean restoreBest;
    private double best = Double.NaN;
    private int bestEpoch = -1;
    private int wait;
    private Map<String, Tensor> bestWeights;
    private boolean stopped;

    public EarlyStopping(Monitor monitor, int patience, double minDelta, boolean restoreBest) {
        if (patience < 0) throw new IllegalArgumentException("patience must be >= 0, got " + patience);
        if (!(minDelta >= 0)) throw new IllegalArgumentException("min_delta must be >= 0, got " + minDelta);
        this.monitor = monitor;
        this.patience = patience;
        this.minDelta = minDelta;
        this.restoreBest = restoreBest;
    }

    public EarlyStopping(String metric, int patience) {
        this(Monitor.of(metric, "auto"), patience, 0, true);
    }

    /** A fit from the start forgets an earlier fit's state; a resumed fit that this callback had stopped ends at once, for the same reason. */
    @Override
    public void onTrainBegin(TrainContext ctx) {
        if (ctx.history().size() == 0) {
            best = Double.NaN;
            bestEpoch = -1;
            wait = 0;
            bestWeights = null;
            stopped = false;
        } else if (stopped) {
            ctx.requestStop(Trainer.Status.STOPPED_EARLY, reason());
        }
    }

    @Override
    public void onEpochEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {
        Double v = logs.get(monitor.metric());
        if (v == null) {
            throw new IllegalArgumentException("early stopping monitors '" + monitor.metric() + "', which is not logged; logged: " + logs.keySet());
        }
        if (monitor.improves(v, best, minDelta)) {
            best = v;
            bestEpoch = epoch;
            wait = 0;
            if (restoreBest) bestWeights = ctx.model().stateDict();
        } else if (++wait > patience) {
            stopped = true;
            ctx.requestStop(Trainer.Status.STOPPED_EARLY, reason());
        }
    }

    private String reason() {
        return monitor.metric() + " did not improve for " + patience + " epochs (best " + String.format(java.util.Locale.ROOT, "%.6g", best) + " at epoch " + (bestEpoch + 1) + ")";
    }

    @Override
    public void onTrainEnd(TrainContext ctx, Map<String, Double> logs, Throwable error) {
        // a failed fit keeps the weights its rollback chose (those of its last written epoch, or none saved)
        if (error == null && ctx.history().status() != Trainer.Status.FAILED && restoreBest && bestWeights != null
                && bestEpoch != ctx.history().size() - 1) {
            ctx.model().loadStateDict(bestWeights);
        }
    }

    /** Best value seen, NaN before the first epoch. */
    public double best() {
        return best;
    }

    /** 0-based epoch of the best value, -1 before the first epoch. */
    public int bestEpoch() {
        return bestEpoch;
    }

    public boolean stopped() {
        return stopped;
    }

    /**
     * Whether a saved {@link #state()} is that of an early stopping that stopped its fit. A state
     * saved before that was kept tells it by its count: only a stop leaves more epochs without
     * improvement than the patience (which a resume cannot change).
     */
    public static boolean stopped(Map<String, Object> state, int patience) {
        if (state.containsKey("stopped")) return Boolean.TRUE.equals(state.get("stopped"));
        return state.get("wait") instanceof Integer w && w > patience;
    }

    @Override
    public String stateKey() {
        return "EarlyStopping." + monitor.metric();
    }

    @Override
    public Map<String, Object> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("best", best);
        m.put("best_epoch", bestEpoch);
        m.put("wait", wait);
        m.put("stopped", stopped);
        if (bestWeights != null) {
            Map<String, Object> w = new LinkedHashMap<>();
            for (var e : bestWeights.entrySet()) {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("shape", e.getValue().shape());
                t.put("data", e.getValue().toArray());
                w.put(e.getKey(), t);
            }
            m.put("best_weights", w);
        }
        return m;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void loadState(Map<String, Object> s) {
        best = (Double) s.get("best");
        bestEpoch = (Integer) s.get("best_epoch");
        wait = (Integer) s.get("wait");
        stopped = stopped(s, patience);
        Map<String, Object> w = (Map<String, Object>) s.get("best_weights");
        bestWeights = null; // an earlier fit's best weights are not this state's
        if (w != null) {
            bestWeights = new LinkedHashMap<>();
            for (var e : w.entrySet()) {
                Map<String, Object> t = (Map<String, Object>) e.getValue();
                bestWeights.put(e.getKey(), Tensor.of((float[]) t.get("data"), (int[]) t.get("shape")));
            }
        }
    }
}
