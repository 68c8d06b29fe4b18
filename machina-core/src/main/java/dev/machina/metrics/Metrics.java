package dev.machina.metrics;

import dev.machina.tensor.Shape;
import dev.machina.tensor.Tensor;

/**
 * Classification metrics as pure static functions of labels, counts and scores, following
 * scikit-learn's definitions. Every ratio whose denominator is zero is defined as {@code 0.0}
 * (scikit-learn's {@code zero_division=0}); no function returns NaN for empty input.
 *
 * <p>Labels are class indices in {@code [0, numClasses)}. Score and probability matrices are
 * {@code [n, C]} row-major: row {@code i} holds the scores of sample {@code i}.
 */
public final class Metrics {
    private Metrics() {}

    /** Default clipping for {@link #logLoss}: the float32 machine epsilon 2^-23, as scikit-learn's {@code eps="auto"} for float32 input. */
    public static final double LOG_LOSS_EPS = Math.ulp(1f);

    // ------------------------------------------------------------------ ratios of counts

    /** {@code num / den}, or 0.0 when {@code den == 0}. */
    public static double ratio(double num, double den) {
        return den == 0 ? 0.0 : num / den;
    }

    /** tp / (tp + fp); 0.0 when nothing was predicted positive. */
    public static double precision(long tp, long fp) {
        return ratio(tp, tp + fp);
    }

    /** tp / (tp + fn); 0.0 when there are no positives. */
    public static double recall(long tp, long fn) {
        return ratio(tp, tp + fn);
    }

    /** 2tp / (2tp + fp + fn), the harmonic mean of precision and recall; 0.0 when tp + fp + fn = 0. */
    public static double f1(long tp, long fp, long fn) {
        return ratio(2.0 * tp, 2.0 * tp + fp + fn);
    }

    // ------------------------------------------------------------------ label metrics

    /** Fraction of samples with {@code yPred[i] == yTrue[i]}; 0.0 for no samples. */
    public static double accuracy(int[] yTrue, int[] yPred) {
        Checks.sameLength("accuracy", yTrue, yPred);
        long hits = 0;
        for (int i = 0; i < yTrue.length; i++) if (yTrue[i] == yPred[i]) hits++;
        return ratio(hits, yTrue.length);
    }

    /**
     * Mean recall over the classes that occur in {@code yTrue} (scikit-learn's
     * {@code balanced_accuracy_score}: classes without true samples are left out); 0.0 for no samples.
     */
    public static double balancedAccuracy(int[] yTrue, int[] yPred) {
        Checks.sameLength("balancedAccuracy", yTrue, yPred);
        if (yTrue.length == 0) return 0.0;
        return ConfusionMatrix.of(yTrue, yPred).balancedAccuracy();
    }

    /** Cohen's kappa between two labelings (see {@link ConfusionMatrix#cohenKappa()}). */
    public static double cohenKappa(int[] yTrue, int[] yPred) {
        Checks.sameLength("cohenKappa", yTrue, yPred);
        if (yTrue.length == 0) return 0.0;
        return ConfusionMatrix.of(yTrue, yPred).cohenKappa();
    }

    // ------------------------------------------------------------------ score metrics

    /**
     * Fraction of samples whose true class is among the {@code k} highest scores. Ties are broken
     * as scikit-learn's {@code top_k_accuracy_score} does (a stable ascending sort, reversed): among
     * equal scores the higher class index ranks first.
     *
     * @param scores {@code [n * C]} row-major scores (logits or probabilities); C = scores.length / n
     */
    public static double topKAccuracy(float[] scores, int[] yTrue, int k) {
        int n = yTrue.length;
        if (n == 0) return 0.0;
        if (scores.length % n != 0 || scores.length == 0) {
            throw new IllegalArgumentException("topKAccuracy: " + scores.length + " scores is not a whole number of rows for "
                    + n + " labels (expected n * numClasses)");
        }
        return topK(scores, scores.length / n, yTrue, k);
    }

    /** {@link #topKAccuracy(float[], int[], int)} for a {@code [n, C]} tensor of scores. */
    public static double topKAccuracy(Tensor scores, int[] yTrue, int k) {
        int c = matrixColumns("topKAccuracy", scores, yTrue.length);
        if (yTrue.length == 0) return 0.0;
        return topK(scores.data(), c, yTrue, k);
    }

    private static double topK(float[] s, int c, int[] yTrue, int k) {
        if (k < 1) throw new IllegalArgumentException("topKAccuracy: k must be at least 1, got " + k);
        Checks.labels("topKAccuracy", "yTrue", yTrue, c);
        long hits = 0;
        for (int i = 0; i < yTrue.length; i++) {
            int row = i * c;
            int t = yTrue[i];
            float st = s[row + t];
            int ahead = 0; // classes ranked before the true one
            for (int j = 0; j < c; j++) {
                float sj = s[row + j];
                if (sj > st || (sj == st && j > t)) ahead++;
            }
            if (ahead < k) hits++;
        }
        return ratio(hits, yTrue.length);
    }

    /** {@link #logLoss(Tensor, int[], double)} with {@link #LOG_LOSS_EPS}. */
    public static double logLoss(Tensor probabilities, int[] yTrue) {
        return logLoss(probabilities, yTrue, LOG_LOSS_EPS);
    }

    /**
     * Mean negative log-likelihood of the true class, {@code -mean(log p[i, yTrue[i]])}, with each
     * probability clipped to {@code [eps, 1 - eps]} as scikit-learn's {@code log_loss}. Rows are
     * not renormalised (pass probabilities, e.g. a softmax output, not logits). 0.0 for no samples.
     *
     * @param probabilities {@code [n, C]}
     */
    public static double logLoss(Tensor probabilities, int[] yTrue, double eps) {
        int c = matrixColumns("logLoss", probabilities, yTrue.length);
        if (!(eps > 0 && eps < 0.5)) throw new IllegalArgumentException("logLoss: eps must be in (0, 0.5), got " + eps);
        if (yTrue.length == 0) return 0.0;
        Checks.labels("logLoss", "yTrue", yTrue, c);
        float[] p = probabilities.data();
        double sum = 0;
        for (int i = 0; i < yTrue.length; i++) {
            double q = Math.min(Math.max(p[i * c + yTrue[i]], eps), 1 - eps);
            sum -= Math.log(q);
        }
        return sum / yTrue.length;
    }

    /** Number of columns of a {@code [n, C]} matrix, after checking its rank and row count. */
    static int matrixColumns(String fn, Tensor m, int n) {
        if (m.rank() != 2 || m.shape(0) != n) {
            throw new IllegalArgumentException(fn + ": expected scores of shape [" + n + ", numClasses] for " + n
                    + " labels, got " + Shape.str(m.shape()));
        }
        return m.shape(1);
    }
}
