package dev.machina.metrics;

/**
 * A receiver-operating-characteristic curve: point {@code i} is (fpr[i], tpr[i]) when samples
 * scoring {@code >= thresholds[i]} are called positive. Thresholds are the distinct scores in
 * decreasing order, preceded by {@code +Infinity} for the (0, 0) point; every threshold is kept
 * (scikit-learn's {@code roc_curve(..., drop_intermediate=False)}). Arrays are shared, not copied.
 */
public record RocCurve(double[] fpr, double[] tpr, float[] thresholds) {
    /** Area under the curve by the trapezoidal rule (scikit-learn's {@code roc_auc_score}). */
    public double auc() {
        return Curves.trapezoid(fpr, tpr);
    }
}
