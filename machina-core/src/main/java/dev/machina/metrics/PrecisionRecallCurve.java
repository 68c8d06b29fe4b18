package dev.machina.metrics;

/**
 * A precision-recall curve: point {@code i} is (recall[i], precision[i]) when samples scoring
 * {@code >= thresholds[i]} are called positive. Thresholds are the distinct scores in decreasing
 * order (recall non-decreasing), preceded by the point (recall 0, precision 1) with threshold
 * {@code +Infinity}. This is scikit-learn's {@code precision_recall_curve} output reversed, with
 * its final (1, 0) sentinel moved to the front and given a threshold so all three arrays have
 * the same length. Arrays are shared, not copied.
 */
public record PrecisionRecallCurve(double[] precision, double[] recall, float[] thresholds) {
    /**
     * Average precision, {@code AP = sum_n (R_n - R_{n-1}) P_n} over the points in decreasing
     * threshold order (scikit-learn's {@code average_precision_score}; no interpolation).
     */
    public double averagePrecision() {
        double ap = 0;
        for (int i = 1; i < recall.length; i++) ap += (recall[i] - recall[i - 1]) * precision[i];
        return ap;
    }
}
