package dev.machina.metrics;

import dev.machina.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Threshold curves of a binary scorer (ROC, precision-recall) and their areas, following
 * scikit-learn; multiclass curves one-vs-rest on the columns of a {@code [n, C]} probability
 * matrix. Rates with a zero denominator are 0.0, so with no positives (or no negatives) the curve
 * lies on an axis and its area is 0.0 (scikit-learn warns and returns NaN or raises instead).
 * Scores must not be NaN.
 */
public final class Curves {
    private Curves() {}

    /** Cumulative counts at each distinct threshold, scikit-learn's {@code _binary_clf_curve}. */
    private record Counts(long[] tps, long[] fps, float[] thresholds) {}

    private static Counts binaryCounts(String fn, boolean[] positive, float[] scores) {
        if (positive.length != scores.length) {
            throw new IllegalArgumentException(fn + ": " + positive.length + " labels but " + scores.length + " scores");
        }
        int n = scores.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(scores[i])) throw new IllegalArgumentException(fn + ": scores[" + i + "] is NaN");
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
        long[] tps = new long[n];
        long[] fps = new long[n];
        float[] th = new float[n];
        int m = 0;
        long tp = 0, fp = 0;
        for (int k = 0; k < n; k++) {
            int i = order[k];
            if (positive[i]) tp++; else fp++;
            boolean lastOfGroup = k == n - 1 || scores[order[k + 1]] != scores[i];
            if (lastOfGroup) {
                tps[m] = tp;
                fps[m] = fp;
                th[m] = scores[i];
                m++;
            }
        }
        return new Counts(Arrays.copyOf(tps, m), Arrays.copyOf(fps, m), Arrays.copyOf(th, m));
    }

    private static boolean[] isPositive(int[] yTrue, int positiveLabel) {
        boolean[] b = new boolean[yTrue.length];
        for (int i = 0; i < b.length; i++) b[i] = yTrue[i] == positiveLabel;
        return b;
    }

    /** ROC curve with samples labelled {@code positiveLabel} as positives and all others as negatives. */
    public static RocCurve roc(int[] yTrue, float[] scores, int positiveLabel) {
        return roc(isPositive(yTrue, positiveLabel), scores);
    }

    /** ROC curve of a binary scorer: higher score = more likely positive. */
    public static RocCurve roc(boolean[] positive, float[] scores) {
        Counts c = binaryCounts("roc", positive, scores);
        int m = c.tps.length;
        long p = m == 0 ? 0 : c.tps[m - 1];
        long q = m == 0 ? 0 : c.fps[m - 1];
        double[] fpr = new double[m + 1];
        double[] tpr = new double[m + 1];
        float[] th = new float[m + 1];
        th[0] = Float.POSITIVE_INFINITY;
        for (int i = 0; i < m; i++) {
            fpr[i + 1] = Metrics.ratio(c.fps[i], q);
            tpr[i + 1] = Metrics.ratio(c.tps[i], p);
            th[i + 1] = c.thresholds[i];
        }
        return new RocCurve(fpr, tpr, th);
    }

    /** Precision-recall curve with samples labelled {@code positiveLabel} as positives. */
    public static PrecisionRecallCurve precisionRecall(int[] yTrue, float[] scores, int positiveLabel) {
        return precisionRecall(isPositive(yTrue, positiveLabel), scores);
    }

    /** Precision-recall curve of a binary scorer: higher score = more likely positive. */
    public static PrecisionRecallCurve precisionRecall(boolean[] positive, float[] scores) {
        Counts c = binaryCounts("precisionRecall", positive, scores);
        int m = c.tps.length;
        long p = m == 0 ? 0 : c.tps[m - 1];
        double[] precision = new double[m + 1];
        double[] recall = new double[m + 1];
        float[] th = new float[m + 1];
        precision[0] = 1.0;
        th[0] = Float.POSITIVE_INFINITY;
        for (int i = 0; i < m; i++) {
            precision[i + 1] = Metrics.precision(c.tps[i], c.fps[i]);
            recall[i + 1] = Metrics.ratio(c.tps[i], p);
            th[i + 1] = c.thresholds[i];
        }
        return new PrecisionRecallCurve(precision, recall, th);
    }

    /** Area under the ROC curve (scikit-learn's {@code roc_auc_score} for binary input). */
    public static double rocAuc(int[] yTrue, float[] scores, int positiveLabel) {
        return roc(yTrue, scores, positiveLabel).auc();
    }

    /** Average precision (scikit-learn's {@code average_precision_score} for binary input). */
    public static double averagePrecision(int[] yTrue, float[] scores, int positiveLabel) {
        return precisionRecall(yTrue, scores, positiveLabel).averagePrecision();
    }

    /** One ROC curve per class {@code c}: positives are {@code yTrue == c}, scores are column {@code c}. */
    public static List<RocCurve> rocOneVsRest(int[] yTrue, Tensor probabilities) {
        int numClasses = Metrics.matrixColumns("rocOneVsRest", probabilities, yTrue.length);
        List<RocCurve> out = new ArrayList<>(numClasses);
        for (int c = 0; c < numClasses; c++) out.add(roc(yTrue, column(probabilities, c), c));
        return out;
    }

    /** One precision-recall curve per class {@code c}: positives are {@code yTrue == c}, scores are column {@code c}. */
    public static List<PrecisionRecallCurve> precisionRecallOneVsRest(int[] yTrue, Tensor probabilities) {
        int numClasses = Metrics.matrixColumns("precisionRecallOneVsRest", probabilities, yTrue.length);
        List<PrecisionRecallCurve> out = new ArrayList<>(numClasses);
        for (int c = 0; c < numClasses; c++) out.add(precisionRecall(yTrue, column(probabilities, c), c));
        return out;
    }

    /** Column {@code c} of a {@code [n, C]} matrix. */
    static float[] column(Tensor m, int c) {
        int n = m.shape(0), cols = m.shape(1);
        float[] d = m.data();
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = d[i * cols + c];
        return out;
    }

    /** Area under y(x) by the trapezoidal rule, for x monotone (either direction). */
    public static double trapezoid(double[] x, double[] y) {
        if (x.length != y.length) throw new IllegalArgumentException("trapezoid: " + x.length + " x values but " + y.length + " y values");
        double area = 0;
        for (int i = 1; i < x.length; i++) area += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
        return Math.abs(area);
    }
}
