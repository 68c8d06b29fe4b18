package dev.machina.train.callbacks;

/**
 * A monitored metric and its direction. "auto" picks max for accuracies, F1, AUC, precision
 * and recall, and min for everything else (losses), as Keras does.
 */
public record Monitor(String metric, boolean maximize) {
    public static Monitor of(String metric, String mode) {
        if (metric == null || metric.isBlank()) throw new IllegalArgumentException("a monitored metric name is required");
        return switch (mode == null ? "auto" : mode) {
            case "max" -> new Monitor(metric, true);
            case "min" -> new Monitor(metric, false);
            case "auto" -> new Monitor(metric, autoMax(metric));
            default -> throw new IllegalArgumentException("mode must be min, max or auto, got '" + mode + "'");
        };
    }

    static boolean autoMax(String m) {
        String s = m.toLowerCase();
        return s.contains("acc") || s.contains("f1") || s.contains("auc") || s.contains("precision") || s.contains("recall");
    }

    /** True if {@code v} beats {@code best} by more than {@code minDelta}. */
    public boolean improves(double v, double best, double minDelta) {
        if (Double.isNaN(v)) return false;
        if (Double.isNaN(best)) return true;
        return maximize ? v > best + minDelta : v < best - minDelta;
    }

    public String mode() {
        return maximize ? "max" : "min";
    }
}
