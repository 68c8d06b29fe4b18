package dev.machina.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.machina.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class CurvesTest {
    private static final double TOL = 1e-12;
    private static final float INF = Float.POSITIVE_INFINITY;

    @Test
    void rocMatchesSklearnDocExample() {
        // sklearn roc_curve docs: y = [1, 1, 2, 2], scores = [0.1, 0.4, 0.35, 0.8], pos_label=2 ->
        // fpr [0, 0, 0.5, 0.5, 1], tpr [0, 0.5, 0.5, 1, 1], thresholds [inf, 0.8, 0.4, 0.35, 0.1]
        // (sklearn >= 1.3 puts inf first; 1.2.1, checked here, puts max + 1 = 1.8; the rest is identical)
        RocCurve roc = Curves.roc(new int[] {1, 1, 2, 2}, new float[] {0.1f, 0.4f, 0.35f, 0.8f}, 2);
        assertThat(roc.fpr()).containsExactly(0, 0, 0.5, 0.5, 1);
        assertThat(roc.tpr()).containsExactly(0, 0.5, 0.5, 1, 1);
        assertThat(roc.thresholds()).containsExactly(INF, 0.8f, 0.4f, 0.35f, 0.1f);
        // sklearn roc_auc_score docs (same data with y = [0, 0, 1, 1]): 0.75
        assertThat(roc.auc()).isCloseTo(0.75, within(TOL));
        assertThat(Curves.rocAuc(new int[] {0, 0, 1, 1}, new float[] {0.1f, 0.4f, 0.35f, 0.8f}, 1)).isCloseTo(0.75, within(TOL));
    }

    @Test
    void precisionRecallMatchesSklearnDocExample() {
        // sklearn precision_recall_curve docs: y_true = [0, 0, 1, 1], y_scores = [0.1, 0.4, 0.35, 0.8] ->
        // precision [0.5, 0.667, 0.5, 1, 1], recall [1, 1, 0.5, 0.5, 0], thresholds [0.1, 0.35, 0.4, 0.8];
        // ours is that reversed, the (recall 0, precision 1) sentinel first with threshold +inf
        PrecisionRecallCurve pr = Curves.precisionRecall(new int[] {0, 0, 1, 1}, new float[] {0.1f, 0.4f, 0.35f, 0.8f}, 1);
        assertThat(pr.precision()).containsExactly(new double[] {1, 1, 0.5, 2.0 / 3, 0.5}, within(TOL));
        assertThat(pr.recall()).containsExactly(0, 0.5, 0.5, 1, 1);
        assertThat(pr.thresholds()).containsExactly(INF, 0.8f, 0.4f, 0.35f, 0.1f);
        // sklearn average_precision_score docs: 0.8333... = 0.5 * 1 + 0.5 * 2/3
        assertThat(pr.averagePrecision()).isCloseTo(5.0 / 6, within(TOL));
        assertThat(Curves.averagePrecision(new int[] {0, 0, 1, 1}, new float[] {0.1f, 0.4f, 0.35f, 0.8f}, 1)).isCloseTo(5.0 / 6, within(TOL));
    }

    @Test
    void tiedScoresFormOneThreshold() {
        // hand-computed: scores 0.9 (pos), 0.5 (pos), 0.5 (neg), 0.1 (neg); sklearn 1.2.1 agrees
        // (roc_auc_score 0.875, average_precision_score 0.8333333333333333)
        boolean[] pos = {true, true, false, false};
        float[] s = {0.9f, 0.5f, 0.5f, 0.1f};
        RocCurve roc = Curves.roc(pos, s);
        assertThat(roc.thresholds()).containsExactly(INF, 0.9f, 0.5f, 0.1f);
        assertThat(roc.fpr()).containsExactly(0, 0, 0.5, 1);
        assertThat(roc.tpr()).containsExactly(0, 0.5, 1, 1);
        // a tie between a positive and a negative counts half, as in the Mann-Whitney statistic: (3 + 0.5) / 4
        assertThat(roc.auc()).isCloseTo(0.875, within(TOL));
        PrecisionRecallCurve pr = Curves.precisionRecall(pos, s);
        assertThat(pr.precision()).containsExactly(new double[] {1, 1, 2.0 / 3, 0.5}, within(TOL));
        // AP = 0.5 * 1 + 0.5 * 2/3
        assertThat(pr.averagePrecision()).isCloseTo(5.0 / 6, within(TOL));
    }

    @Test
    void perfectAndReversedScorers() {
        int[] y = {0, 1, 0, 1, 1};
        float[] good = {0.1f, 0.9f, 0.2f, 0.8f, 0.7f};
        assertThat(Curves.rocAuc(y, good, 1)).isEqualTo(1.0);
        assertThat(Curves.averagePrecision(y, good, 1)).isEqualTo(1.0);
        assertThat(Curves.rocAuc(y, good, 0)).isEqualTo(0.0);
        // reversed: the two class-0 samples score 0.2 and 0.1, below three negatives; hand-computed
        // precision at recall 1/2 is 1/4, at recall 1 is 2/5
        assertThat(Curves.averagePrecision(y, good, 0)).isCloseTo(0.5 * (1.0 / 4) + 0.5 * (2.0 / 5), within(TOL));
    }

    @Test
    void degenerateInputsGiveZeroNotNaN() {
        RocCurve noPos = Curves.roc(new boolean[] {false, false}, new float[] {0.2f, 0.7f});
        assertThat(noPos.tpr()).containsOnly(0.0);
        assertThat(noPos.auc()).isEqualTo(0.0);
        assertThat(Curves.precisionRecall(new boolean[] {false, false}, new float[] {0.2f, 0.7f}).averagePrecision()).isEqualTo(0.0);
        RocCurve empty = Curves.roc(new boolean[0], new float[0]);
        assertThat(empty.fpr()).containsExactly(0.0);
        assertThat(empty.thresholds()).containsExactly(INF);
        assertThat(empty.auc()).isEqualTo(0.0);
        assertThatThrownBy(() -> Curves.roc(new boolean[] {true}, new float[] {Float.NaN})).hasMessageContaining("scores[0] is NaN");
        assertThatThrownBy(() -> Curves.roc(new boolean[] {true}, new float[2])).hasMessageContaining("1 labels but 2 scores");
    }

    @Test
    void oneVsRestMatchesIndependentReference() {
        // Reference made two ways on the float32 scores, agreeing to 1e-15: with numpy 2.4, per class c, ROC AUC
        // as the Mann-Whitney mean over (pos, neg) pairs of [s_pos > s_neg] + 0.5 [s_pos == s_neg] and AP as the
        // sum over distinct thresholds t (descending) of (R(t) - R(prev)) * P(t); and with scikit-learn 1.2.1
        // (Debian python3-sklearn) roc_auc_score(y == c, P[:, c]) and average_precision_score(y == c, P[:, c]):
        // AUC = [0.9166666666666666, 0.7666666666666667, 1.0], AP = [0.8333333333333333, 0.6666666666666667, 1.0];
        // sklearn's roc_auc_score(y, P, multi_class="ovr") = 0.8944444444444445 (their mean)
        int[] y = {0, 1, 2, 2, 1, 0, 2, 1};
        Tensor p = ReportFixture.PROBS;
        List<RocCurve> rocs = Curves.rocOneVsRest(y, p);
        List<PrecisionRecallCurve> prs = Curves.precisionRecallOneVsRest(y, p);
        assertThat(rocs).hasSize(3);
        assertThat(rocs.get(0).auc()).isCloseTo(0.9166666666666666, within(TOL));
        assertThat(rocs.get(1).auc()).isCloseTo(0.7666666666666667, within(TOL));
        assertThat(rocs.get(2).auc()).isCloseTo(1.0, within(TOL));
        assertThat(prs.get(0).averagePrecision()).isCloseTo(0.8333333333333333, within(TOL));
        assertThat(prs.get(1).averagePrecision()).isCloseTo(0.6666666666666667, within(TOL));
        assertThat(prs.get(2).averagePrecision()).isCloseTo(1.0, within(TOL));
    }

    @Test
    void trapezoid() {
        assertThat(Curves.trapezoid(new double[] {0, 1, 2}, new double[] {0, 1, 0})).isEqualTo(1.0);
        assertThat(Curves.trapezoid(new double[] {2, 1, 0}, new double[] {0, 2, 2})).isEqualTo(3.0);
    }
}
