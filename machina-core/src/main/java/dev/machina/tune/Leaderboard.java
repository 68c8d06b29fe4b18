package dev.machina.tune;

import dev.machina.train.callbacks.Monitor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Trials ranked by the objective: best first (max or min as the objective says), trials without
 * a value (failed before an epoch ended) last; ties keep trial order. Pruned trials are ranked
 * by what they reached, so a pruned trial can be above a finished one only if its value was better.
 */
public record Leaderboard(Monitor objective, List<TrialResult> ranked) {
    public Leaderboard {
        ranked = List.copyOf(ranked);
    }

    public static Leaderboard of(Monitor objective, List<TrialResult> trials) {
        Comparator<TrialResult> byValue = Comparator.comparingDouble(TrialResult::objective);
        if (objective.maximize()) byValue = byValue.reversed();
        Comparator<TrialResult> c = Comparator.<TrialResult, Boolean>comparing(t -> Double.isNaN(t.objective()))
                .thenComparing(byValue)
                .thenComparingInt(TrialResult::trial);
        List<TrialResult> sorted = new ArrayList<>(trials);
        sorted.sort(c);
        return new Leaderboard(objective, sorted);
    }

    /** The winner: the best trial that has a value, or null. */
    public TrialResult best() {
        return ranked.isEmpty() || Double.isNaN(ranked.get(0).objective()) ? null : ranked.get(0);
    }

    /** The parameter keys over all trials, in first-seen order. */
    public List<String> paramKeys() {
        Set<String> keys = new LinkedHashSet<>();
        for (TrialResult t : ranked) keys.addAll(t.params().keySet());
        return new ArrayList<>(keys);
    }

    /** Total epochs run by all trials. */
    public long totalEpochs() {
        long n = 0;
        for (TrialResult t : ranked) n += t.epochs();
        return n;
    }

    /**
     * leaderboard.csv: rank, trial, status, objective, epochs, seconds, the parameters, then why a
     * trial stopped (pruned, stopped early: {@code reason}) apart from why it failed ({@code error}).
     */
    public String csv() {
        List<String> keys = paramKeys();
        StringBuilder sb = new StringBuilder("rank,trial,status," + csvCell(objective.metric()) + ",best_epoch,epochs,seconds");
        for (String k : keys) sb.append(',').append(csvCell(k));
        sb.append(",reason,error,run_dir\n");
        int rank = 1;
        for (TrialResult t : ranked) {
            sb.append(rank++).append(',').append(t.trial()).append(',').append(t.status()).append(',')
                    .append(Double.isNaN(t.objective()) ? "" : Double.toString(t.objective())).append(',')
                    .append(t.objectiveEpoch()).append(',').append(t.epochs()).append(',')
                    .append(String.format(java.util.Locale.ROOT, "%.3f", t.seconds()));
            for (String k : keys) {
                Object v = t.params().get(k);
                sb.append(',').append(v == null ? "" : csvCell(String.valueOf(v)));
            }
            boolean failed = t.status().equals(TrialResult.FAILED);
            sb.append(',').append(failed ? "" : csvCell(t.error())).append(',').append(failed ? csvCell(t.error()) : "")
                    .append(',').append(csvCell(t.runDir())).append('\n');
        }
        return sb.toString();
    }

    /** The leaderboard as plain values (for leaderboard.json). */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("objective", objective.metric());
        m.put("mode", objective.mode());
        m.put("total_epochs", totalEpochs());
        List<Map<String, Object>> rows = new ArrayList<>();
        int rank = 1;
        for (TrialResult t : ranked) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("rank", rank++);
            r.put("trial", t.trial());
            r.put("status", t.status());
            r.put("objective", Double.isFinite(t.objective()) ? t.objective() : null);
            r.put("best_epoch", t.objectiveEpoch());
            r.put("epochs", t.epochs());
            r.put("seconds", t.seconds());
            r.put("params", t.params());
            if (!t.error().isEmpty()) r.put(t.status().equals(TrialResult.FAILED) ? "error" : "reason", t.error());
            r.put("run_dir", t.runDir());
            rows.add(r);
        }
        m.put("trials", rows);
        return m;
    }

    static String csvCell(String s) {
        if (s == null) return "";
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) return "\"" + s.replace("\"", "\"\"").replace("\n", " ") + "\"";
        return s;
    }
}
