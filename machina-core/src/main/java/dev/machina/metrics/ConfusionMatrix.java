package dev.machina.metrics;

import java.util.Arrays;

/**
 * Counts of (true class, predicted class) pairs: row = true class, column = predicted class, as
 * scikit-learn's {@code confusion_matrix}. Per-class and averaged precision, recall and F1 are
 * read off the counts with {@link Metrics#precision}, {@link Metrics#recall} and {@link Metrics#f1}
 * (0.0 on a zero denominator). Immutable.
 */
public final class ConfusionMatrix {
    private final long[][] counts;
    private final int numClasses;

    private ConfusionMatrix(long[][] counts) {
        this.counts = counts;
        this.numClasses = counts.length;
    }

    /** The matrix of {@code numClasses x numClasses} counts; every label must be in {@code [0, numClasses)}. */
    public static ConfusionMatrix of(int[] yTrue, int[] yPred, int numClasses) {
        Checks.sameLength("ConfusionMatrix", yTrue, yPred);
        Checks.numClasses("ConfusionMatrix", numClasses);
        Checks.labels("ConfusionMatrix", "yTrue", yTrue, numClasses);
        Checks.labels("ConfusionMatrix", "yPred", yPred, numClasses);
        long[][] m = new long[numClasses][numClasses];
        for (int i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]]++;
        return new ConfusionMatrix(m);
    }

    /** The matrix with {@code numClasses} = largest label + 1. */
    public static ConfusionMatrix of(int[] yTrue, int[] yPred) {
        Checks.sameLength("ConfusionMatrix", yTrue, yPred);
        return of(yTrue, yPred, Checks.inferNumClasses(yTrue, yPred));
    }

    /** A matrix from existing counts ({@code counts[true][pred]}, square, non-negative); copied. */
    public static ConfusionMatrix ofCounts(long[][] counts) {
        int c = counts.length;
        Checks.numClasses("ConfusionMatrix.ofCounts", c);
        long[][] m = new long[c][];
        for (int i = 0; i < c; i++) {
            if (counts[i].length != c) throw new IllegalArgumentException("ConfusionMatrix.ofCounts: row " + i + " has "
                    + counts[i].length + " columns, expected " + c + " (the matrix must be square)");
            for (long v : counts[i]) if (v < 0) throw new IllegalArgumentException("ConfusionMatrix.ofCounts: negative count " + v + " in row " + i);
            m[i] = counts[i].clone();
        }
        return new ConfusionMatrix(m);
    }

    public int numClasses() {
        return numClasses;
    }

    /** Samples of true class {@code t} predicted as {@code p}. */
    public long count(int t, int p) {
        return counts[t][p];
    }

    /** A copy of the counts, {@code [true][pred]}. */
    public long[][] counts() {
        long[][] m = new long[numClasses][];
        for (int i = 0; i < numClasses; i++) m[i] = counts[i].clone();
        return m;
    }

    /** Number of samples. */
    public long total() {
        long s = 0;
        for (long[] row : counts) for (long v : row) s += v;
        return s;
    }

    /** Number of samples whose true class is {@code c} (row sum). */
    public long support(int c) {
        long s = 0;
        for (long v : counts[c]) s += v;
        return s;
    }

    /** Number of samples predicted as {@code c} (column sum). */
    public long predicted(int c) {
        long s = 0;
        for (long[] row : counts) s += row[c];
        return s;
    }

    public long truePositives(int c) {
        return counts[c][c];
    }

    public long falsePositives(int c) {
        return predicted(c) - counts[c][c];
    }

    public long falseNegatives(int c) {
        return support(c) - counts[c][c];
    }

    /** Diagonal / total; 0.0 when empty. */
    public double accuracy() {
        long hits = 0;
        for (int c = 0; c < numClasses; c++) hits += counts[c][c];
        return Metrics.ratio(hits, total());
    }

    public double precision(int c) {
        return Metrics.precision(truePositives(c), falsePositives(c));
    }

    public double recall(int c) {
        return Metrics.recall(truePositives(c), falseNegatives(c));
    }

    public double f1(int c) {
        return Metrics.f1(truePositives(c), falsePositives(c), falseNegatives(c));
    }

    public double precision(Average average) {
        return average(average, Metric.PRECISION);
    }

    public double recall(Average average) {
        return average(average, Metric.RECALL);
    }

    public double f1(Average average) {
        return average(average, Metric.F1);
    }

    private enum Metric { PRECISION, RECALL, F1 }

    private double perClass(Metric m, int c) {
        return switch (m) {
            case PRECISION -> precision(c);
            case RECALL -> recall(c);
            case F1 -> f1(c);
        };
    }

    private double average(Average average, Metric m) {
        switch (average) {
            case MICRO -> {
                long tp = 0, fp = 0, fn = 0;
                for (int c = 0; c < numClasses; c++) {
                    tp += truePositives(c);
                    fp += falsePositives(c);
                    fn += falseNegatives(c);
                }
                return switch (m) {
                    case PRECISION -> Metrics.precision(tp, fp);
                    case RECALL -> Metrics.recall(tp, fn);
                    case F1 -> Metrics.f1(tp, fp, fn);
                };
            }
            case MACRO -> {
                double s = 0;
                for (int c = 0; c < numClasses; c++) s += perClass(m, c);
                return s / numClasses;
            }
            case WEIGHTED -> {
                double s = 0;
                for (int c = 0; c < numClasses; c++) s += perClass(m, c) * support(c);
                return Metrics.ratio(s, total());
            }
        }
        throw new AssertionError(average);
    }

    /** Mean recall over classes with at least one true sample (scikit-learn's {@code balanced_accuracy_score}); 0.0 if none. */
    public double balancedAccuracy() {
        double s = 0;
        int present = 0;
        for (int c = 0; c < numClasses; c++) {
            if (support(c) > 0) {
                s += recall(c);
                present++;
            }
        }
        return Metrics.ratio(s, present);
    }

    /**
     * Cohen's kappa, {@code (p_o - p_e) / (1 - p_e)}, computed as scikit-learn's unweighted
     * {@code cohen_kappa_score}: one minus observed over chance-expected disagreement. 0.0 when the
     * expected disagreement is zero (both labelings use one and the same class; scikit-learn returns NaN).
     */
    public double cohenKappa() {
        double n = total();
        if (n == 0) return 0.0;
        long[] colSums = new long[numClasses];
        for (int p = 0; p < numClasses; p++) colSums[p] = predicted(p);
        double observed = 0, expected = 0;
        for (int t = 0; t < numClasses; t++) {
            double rowT = support(t);
            for (int p = 0; p < numClasses; p++) {
                if (t == p) continue;
                observed += counts[t][p];
                expected += rowT * colSums[p] / n;
            }
        }
        return expected == 0 ? 0.0 : 1.0 - observed / expected;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfusionMatrix m && Arrays.deepEquals(counts, m.counts);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(counts);
    }

    /** The rows, e.g. {@code [[2, 0], [1, 3]]}. */
    @Override
    public String toString() {
        return Arrays.deepToString(counts);
    }
}
