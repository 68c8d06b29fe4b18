package dev.machina.tune;

import dev.machina.train.callbacks.Pruner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The median stopping rule (Golovin et al. 2017, as Optuna's MedianPruner): after
 * {@code warmupEpochs}, a trial stops when its best value so far is worse than the median of the
 * values other trials reported at the same epoch (and at least {@code minTrials} others have).
 */
public final class MedianPruner implements Pruner {
    private final int warmupEpochs, minTrials;
    private final boolean maximize;
    /** epoch → trial → value */
    private final Map<Integer, Map<Integer, Double>> values = new HashMap<>();
    private final Map<Integer, Double> best = new HashMap<>();

    public MedianPruner(int warmupEpochs, int minTrials, boolean maximize) {
        if (warmupEpochs < 0) throw new IllegalArgumentException("warmup_epochs must be >= 0, got " + warmupEpochs);
        if (minTrials < 1) throw new IllegalArgumentException("min_trials must be >= 1, got " + minTrials);
        this.warmupEpochs = warmupEpochs;
        this.minTrials = minTrials;
        this.maximize = maximize;
    }

    @Override
    public synchronized Decision report(int trial, int epoch, double value) {
        record(trial, epoch, value);
        if (epoch <= warmupEpochs) return Decision.CONTINUE;
        List<Double> others = new ArrayList<>();
        for (var e : values.get(epoch).entrySet()) if (e.getKey() != trial && !Double.isNaN(e.getValue())) others.add(e.getValue());
        if (others.size() < minTrials) return Decision.CONTINUE;
        double median = median(others);
        Double b = best.get(trial);
        boolean worse = b == null || (maximize ? b < median : b > median);
        if (!worse) return Decision.CONTINUE;
        return Decision.prune(String.format(java.util.Locale.ROOT, "median rule at epoch %d: best so far %.4g is worse than the median %.4g of %d other trial(s)",
                epoch, b == null ? Double.NaN : b, median, others.size()));
    }

    @Override
    public synchronized void record(int trial, int epoch, double value) {
        values.computeIfAbsent(epoch, k -> new HashMap<>()).put(trial, value);
        if (!Double.isNaN(value)) best.merge(trial, value, (a, b) -> maximize ? Math.max(a, b) : Math.min(a, b));
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
