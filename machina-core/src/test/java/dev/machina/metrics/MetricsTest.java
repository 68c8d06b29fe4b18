package dev.machina.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.machina.tensor.Tensor;
import org.junit.jupiter.api.Test;

class MetricsTest {
    private static final double TOL = 1e-12;

    @Test
    void regressionMetricsAgainstHandComputedValues() {
        // predictions 1, 2, 4 for targets 1, 3, 5: errors 0, -1, -1; mean of targets 3, SST 8
        RegressionMetrics m = RegressionMetrics.of(new float[] {1, 2, 4}, new float[] {1, 3, 5});
        assertThat(m.mse()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(m.rmse()).isCloseTo(Math.sqrt(2.0 / 3), within(1e-12));
        assertThat(m.mae()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(m.r2()).isCloseTo(1 - 2.0 / 8, within(1e-12));
        assertThat(RegressionMetrics.of(new float[] {2, 2}, new float[] {2, 2}).r2()).isNaN();
    }

    @Test
    void accuracyMatchesSklearnDocExample() {
        // sklearn accuracy_score docs: accuracy_score([0, 2, 1, 3], [0, 1, 2, 3]) == 0.5
        assertThat(Metrics.accuracy(new int[] {0, 2, 1, 3}, new int[] {0, 1, 2, 3})).isEqualTo(0.5);
        assertThat(Metrics.accuracy(new int[0], new int[0])).isEqualTo(0.0);
        assertThatThrownBy(() -> Metrics.accuracy(new int[] {1, 2}, new int[] {1}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 labels").hasMessageContaining("has 1");
    }

    @Test
    void topKMatchesSklearnDocExample() {
        // sklearn top_k_accuracy_score docs: y_true = [0, 1, 2, 2], k=2 -> 0.75
        float[] scores = {
            0.5f, 0.2f, 0.2f,
            0.3f, 0.4f, 0.2f,
            0.2f, 0.4f, 0.3f,
            0.7f, 0.2f, 0.1f};
        int[] y = {0, 1, 2, 2};
        assertThat(Metrics.topKAccuracy(scores, y, 2)).isEqualTo(0.75);
        assertThat(Metrics.topKAccuracy(Tensor.of(scores, 4, 3), y, 2)).isEqualTo(0.75);
        assertThat(Metrics.topKAccuracy(scores, y, 1)).isEqualTo(0.5);
        assertThat(Metrics.topKAccuracy(scores, y, 3)).isEqualTo(1.0);
    }

    @Test
    void topKBreaksTiesLikeSklearn() {
        // argsort(kind="mergesort")[::-1] ranks the higher class index first among equal scores
        float[] tie = {0.5f, 0.5f};
        assertThat(Metrics.topKAccuracy(tie, new int[] {0}, 1)).isEqualTo(0.0);
        assertThat(Metrics.topKAccuracy(tie, new int[] {1}, 1)).isEqualTo(1.0);
        assertThat(Metrics.topKAccuracy(tie, new int[] {0}, 2)).isEqualTo(1.0);
        // scikit-learn 1.2.1: top_k_accuracy_score([0, 2], [[.5, .5, 0], [.2, .4, .4]], k=1, labels=[0, 1, 2]) == 0.5
        assertThat(Metrics.topKAccuracy(new float[] {.5f, .5f, 0f, .2f, .4f, .4f}, new int[] {0, 2}, 1)).isEqualTo(0.5);
    }

    @Test
    void topKRejectsBadShapes() {
        assertThatThrownBy(() -> Metrics.topKAccuracy(new float[5], new int[] {0, 1}, 1)).hasMessageContaining("whole number of rows");
        assertThatThrownBy(() -> Metrics.topKAccuracy(Tensor.zeros(3, 2), new int[] {0, 1}, 1)).hasMessageContaining("[3, 2]");
        assertThatThrownBy(() -> Metrics.topKAccuracy(new float[4], new int[] {0, 2}, 1)).hasMessageContaining("yTrue[1] = 2");
        assertThatThrownBy(() -> Metrics.topKAccuracy(new float[4], new int[] {0, 1}, 0)).hasMessageContaining("k must be");
    }

    @Test
    void balancedAccuracyMatchesSklearnDocExample() {
        // sklearn balanced_accuracy_score docs: y_true=[0,1,0,0,1,0], y_pred=[0,1,0,0,0,1] -> 0.625
        assertThat(Metrics.balancedAccuracy(new int[] {0, 1, 0, 0, 1, 0}, new int[] {0, 1, 0, 0, 0, 1})).isCloseTo(0.625, within(TOL));
        // class 2 is only predicted, never true: left out of the mean (recalls 1 and 0.5)
        assertThat(Metrics.balancedAccuracy(new int[] {0, 1, 1}, new int[] {0, 1, 2})).isCloseTo(0.75, within(TOL));
        assertThat(Metrics.balancedAccuracy(new int[0], new int[0])).isEqualTo(0.0);
    }

    @Test
    void cohenKappaMatchesSklearnDocExample() {
        // sklearn cohen_kappa_score docs: y1 = [neg, pos, neg, neutral, pos], y2 = [neg, pos, neg, neutral, neg]
        // -> 0.6875; labels sorted as sklearn does: negative=0, neutral=1, positive=2.
        // By hand: p_o = 4/5, p_e = (2*3 + 1*1 + 2*1)/25 = 9/25, kappa = (0.8 - 0.36) / 0.64 = 0.6875
        assertThat(Metrics.cohenKappa(new int[] {0, 2, 0, 1, 2}, new int[] {0, 2, 0, 1, 0})).isCloseTo(0.6875, within(TOL));
        assertThat(Metrics.cohenKappa(new int[] {0, 1, 0, 1}, new int[] {1, 0, 1, 0})).isCloseTo(-1.0, within(TOL));
        // expected disagreement 0 (one class everywhere): defined as 0.0
        assertThat(Metrics.cohenKappa(new int[] {1, 1}, new int[] {1, 1})).isEqualTo(0.0);
    }

    @Test
    void logLossMatchesSklearnDocExample() {
        // sklearn log_loss docs: log_loss(["spam","ham","ham","spam"], [[.1,.9],[.9,.1],[.8,.2],[.35,.65]])
        // = 0.21616...; python: -(2*log(.9) + log(.8) + log(.65)) / 4 = 0.21616187468057912 (float32 inputs
        // shift it in the 8th digit: sklearn 1.2.1 on float32 input gives 0.21616189337071118)
        Tensor p = Tensor.of(new float[] {.1f, .9f, .9f, .1f, .8f, .2f, .35f, .65f}, 4, 2);
        assertThat(Metrics.logLoss(p, new int[] {1, 0, 0, 1})).isCloseTo(0.21616189337071118, within(1e-9));
    }

    @Test
    void logLossClipsZeroProbabilities() {
        Tensor p = Tensor.of(new float[] {1f, 0f}, 1, 2);
        assertThat(Metrics.logLoss(p, new int[] {1})).isCloseTo(-Math.log(Math.ulp(1f)), within(1e-9));
        assertThat(Metrics.logLoss(p, new int[] {1}, 1e-15)).isCloseTo(-Math.log(1e-15), within(1e-9));
        assertThat(Metrics.logLoss(p, new int[] {0})).isCloseTo(-Math.log(1 - Math.ulp(1f)), within(1e-12)).isGreaterThan(0);
        assertThat(Metrics.logLoss(Tensor.zeros(0, 3), new int[0])).isEqualTo(0.0);
    }

    @Test
    void countRatiosHaveDefinedZeroDivision() {
        assertThat(Metrics.precision(0, 0)).isEqualTo(0.0);
        assertThat(Metrics.recall(0, 0)).isEqualTo(0.0);
        assertThat(Metrics.f1(0, 0, 0)).isEqualTo(0.0);
        assertThat(Metrics.precision(3, 1)).isEqualTo(0.75);
        assertThat(Metrics.recall(1, 3)).isEqualTo(0.25);
        assertThat(Metrics.f1(3, 1, 3)).isCloseTo(2 * 0.75 * 0.5 / 1.25, within(TOL));
    }
}
