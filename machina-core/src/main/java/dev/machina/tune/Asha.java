package dev.machina.tune;

import dev.machina.train.callbacks.Pruner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Asynchronous successive halving (ASHA, Li et al. 2018, "A System for Massively Parallel
 * Hyperparameter Tuning"), in its stopping form: rungs sit at {@code minEpochs · η^k} epochs
 * (below the maximum). When a trial reaches a rung, its value is recorded there and it continues
 * only if it ranks among the best {@code max(1, ⌊n/η⌋)} of the n trials that have reported at that
 * rung so far (itself included; ties favour the newcomer). Decisions never wait for other trials:
 * that is the asynchronous rule, so an early trial is judged against fewer peers and a later,
 * better one is never held back. The first trial at a rung always continues.
 */
public final class Asha implements Pruner {
    private final int minEpochs, eta, maxEpochs;
    private final boolean maximize;
    private final List<Integer> rungs = new ArrayList<>();
    private final Map<Integer, Map<Integer, Double>> recorded = new LinkedHashMap<>();

    /**
     * @param minEpochs the first rung (≥ 1)
     * @param eta       the reduction factor η (≥ 2): one trial in η goes on past each rung
     * @param maxEpochs a trial's full length; no rung at or beyond it
     * @param maximize  true for accuracies, false for losses
     */
    public Asha(int minEpochs, int eta, int maxEpochs, boolean maximize) {
        if (minEpochs < 1) throw new IllegalArgumentException("min_epochs must be >= 1, got " + minEpochs);
        if (eta < 2) throw new IllegalArgumentException("reduction_factor must be >= 2, got " + eta);
        if (maxEpochs < 1) throw new IllegalArgumentException("max epochs must be >= 1, got " + maxEpochs);
        this.minEpochs = minEpochs;
        this.eta = eta;
        this.maxEpochs = maxEpochs;
        this.maximize = maximize;
        for (long r = minEpochs; r < maxEpochs; r *= eta) {
            rungs.add((int) r);
            recorded.put((int) r, new LinkedHashMap<>());
        }
    }

    /** The rungs, in epochs, ascending. */
    public List<Integer> rungs() {
        return Collections.unmodifiableList(rungs);
    }

    public int eta() {
        return eta;
    }

    public int minEpochs() {
        return minEpochs;
    }

    @Override
    public synchronized Decision report(int trial, int epoch, double value) {
        Map<Integer, Double> rung = recorded.get(epoch);
        if (rung == null) return Decision.CONTINUE;
        double v = Double.isNaN(value) ? (maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY) : value;
        rung.put(trial, v);
        int n = rung.size(), keep = Math.max(1, n / eta);
        int better = 0;
        for (var e : rung.entrySet()) {
            if (e.getKey() == trial) continue;
            if (maximize ? e.getValue() > v : e.getValue() < v) better++;
        }
        if (better < keep) return Decision.CONTINUE;
        return Decision.prune(String.format(java.util.Locale.ROOT, "ASHA rung %d epochs: %.4g ranks %d of %d; only the best %d (1/%d) go on",
                epoch, value, better + 1, n, keep, eta));
    }

    @Override
    public synchronized void record(int trial, int epoch, double value) {
        Map<Integer, Double> rung = recorded.get(epoch);
        if (rung != null) rung.put(trial, Double.isNaN(value) ? (maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY) : value);
    }

    /** Values recorded at a rung: trial → value, in arrival order. */
    public synchronized Map<Integer, Double> recorded(int rung) {
        Map<Integer, Double> r = recorded.get(rung);
        return r == null ? Map.of() : Map.copyOf(r);
    }
}
