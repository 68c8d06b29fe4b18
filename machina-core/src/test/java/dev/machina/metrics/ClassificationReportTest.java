package dev.machina.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.machina.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassificationReportTest {
    private static final int[] DOC_TRUE = {0, 1, 2, 2, 2};
    private static final int[] DOC_PRED = {0, 0, 2, 2, 1};
    private static final List<String> DOC_NAMES = List.of("class 0", "class 1", "class 2");

    @Test
    void printsSklearnDocExampleExactly() {
        // Text of sklearn's classification_report docs example, identical to what scikit-learn 1.2.1 prints
        // (checked with python3-sklearn) including spacing.
        String expected = "              precision    recall  f1-score   support\n\n"
                + "     class 0       0.50      1.00      0.67         1\n"
                + "     class 1       0.00      0.00      0.00         1\n"
                + "     class 2       1.00      0.67      0.80         3\n\n"
                + "    accuracy                           0.60         5\n"
                + "   macro avg       0.50      0.56      0.49         5\n"
                + "weighted avg       0.70      0.60      0.61         5\n";
        assertThat(ClassificationReport.of(DOC_TRUE, DOC_PRED, DOC_NAMES).toString()).isEqualTo(expected);
    }

    @Test
    void digitsAreConfigurable() {
        // scikit-learn 1.2.1 with digits=3
        String expected = "              precision    recall  f1-score   support\n\n"
                + "     class 0      0.500     1.000     0.667         1\n"
                + "     class 1      0.000     0.000     0.000         1\n"
                + "     class 2      1.000     0.667     0.800         3\n\n"
                + "    accuracy                          0.600         5\n"
                + "   macro avg      0.500     0.556     0.489         5\n"
                + "weighted avg      0.700     0.600     0.613         5\n";
        assertThat(ClassificationReport.of(DOC_TRUE, DOC_PRED, DOC_NAMES).withDigits(3).toString()).isEqualTo(expected);
    }

    @Test
    void roundsLikePythonAndWidensForLongNames() {
        // precision of class 0 is exactly 1/8 = 0.125: python's '%.2f' % 0.125 == '0.12' (half-even on the
        // exact binary value), where Java's String.format would print 0.13
        int[] yTrue = {0, 1, 1, 1, 1, 1, 1, 1};
        int[] yPred = {0, 0, 0, 0, 0, 0, 0, 0};
        // expected text printed by scikit-learn 1.2.1: classification_report(y_true, y_pred, target_names=[...])
        String expected = "                    precision    recall  f1-score   support\n\n"
                + "a-rather-long-name       0.12      1.00      0.22         1\n"
                + "                 b       0.00      0.00      0.00         7\n\n"
                + "          accuracy                           0.12         8\n"
                + "         macro avg       0.06      0.50      0.11         8\n"
                + "      weighted avg       0.02      0.12      0.03         8\n";
        assertThat(ClassificationReport.of(yTrue, yPred, List.of("a-rather-long-name", "b")).toString()).isEqualTo(expected);
    }

    @Test
    void jsonHasSklearnKeysAndConfusionMatrix() throws Exception {
        ClassificationReport r = ClassificationReport.of(DOC_TRUE, DOC_PRED, DOC_NAMES);
        JsonNode j = new ObjectMapper().readTree(r.toJson());
        assertThat(j.get("accuracy").asDouble()).isEqualTo(0.6);
        assertThat(j.get("class 0").get("precision").asDouble()).isEqualTo(0.5);
        assertThat(j.get("class 2").get("recall").asDouble()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(j.get("class 2").get("support").asLong()).isEqualTo(3);
        assertThat(j.get("macro avg").get("f1-score").asDouble()).isCloseTo((2.0 / 3 + 0.8) / 3, within(1e-12));
        assertThat(j.get("weighted avg").get("precision").asDouble()).isCloseTo(0.7, within(1e-12));
        assertThat(j.get("confusion_matrix").toString()).isEqualTo("[[1,0,0],[1,0,0],[0,1,2]]");
        assertThat(j.has("roc_auc")).isFalse();
        assertThat(r.logLoss()).isNaN();
        assertThat(r.rocCurves()).isEmpty();
    }

    @Test
    void withProbabilitiesAddsLogLossAucApAndCurves() throws Exception {
        // reference values from numpy and scikit-learn 1.2.1 (see CurvesTest.oneVsRestMatchesIndependentReference);
        // log-loss: sklearn log_loss(y, P) on the float32 probabilities = 0.7170795221849595
        Tensor p = ReportFixture.PROBS;
        int[] yPred = {0, 1, 2, 1, 1, 0, 2, 0}; // argmax
        ClassificationReport r = ClassificationReport.of(ReportFixture.Y_TRUE, yPred, null, p);
        assertThat(r.classNames()).containsExactly("0", "1", "2");
        assertThat(r.logLoss()).isCloseTo(0.7170795221849595, within(1e-12));
        JsonNode j = new ObjectMapper().readTree(r.toJson());
        assertThat(j.get("log_loss").asDouble()).isCloseTo(0.7170795221849595, within(1e-12));
        assertThat(j.get("roc_auc").get("0").asDouble()).isCloseTo(0.9166666666666666, within(1e-12));
        assertThat(j.get("roc_auc").get("macro avg").asDouble()).isCloseTo((0.9166666666666666 + 0.7666666666666667 + 1) / 3, within(1e-12));
        assertThat(j.get("average_precision").get("1").asDouble()).isCloseTo(0.6666666666666667, within(1e-12));
        JsonNode roc2 = j.get("curves").get("2").get("roc");
        assertThat(roc2.get("thresholds").get(0).isNull()).isTrue(); // +inf
        assertThat(roc2.get("thresholds").get(1).asDouble()).isCloseTo(0.8, within(1e-6));
        assertThat(roc2.get("fpr").size()).isEqualTo(roc2.get("tpr").size()).isEqualTo(roc2.get("thresholds").size());
        assertThat(j.get("curves").get("0").get("pr").get("recall").get(0).asDouble()).isEqualTo(0.0);
        // scikit-learn 1.2.1 classification_report(y, y_pred, output_dict=True)["weighted avg"]:
        // precision 0.7916666666666666, recall 0.75, f1-score 0.75, support 8
        assertThat(j.get("weighted avg").get("precision").asDouble()).isCloseTo(0.7916666666666666, within(1e-12));
        assertThat(j.get("weighted avg").get("recall").asDouble()).isCloseTo(0.75, within(1e-12));
        assertThat(j.get("weighted avg").get("f1-score").asDouble()).isCloseTo(0.75, within(1e-12));
    }

    @Test
    void rejectsInconsistentInput() {
        assertThatThrownBy(() -> ClassificationReport.of(DOC_TRUE, DOC_PRED, List.of("a", "b")))
                .hasMessageContaining("yTrue[2] = 2");
        assertThatThrownBy(() -> ClassificationReport.of(DOC_TRUE, DOC_PRED, List.of("a", "a", "b")))
                .hasMessageContaining("distinct");
        assertThatThrownBy(() -> ClassificationReport.of(DOC_TRUE, DOC_PRED, DOC_NAMES, Tensor.zeros(5, 2)))
                .hasMessageContaining("3 class names but probabilities have 2 columns");
        assertThatThrownBy(() -> ClassificationReport.of(DOC_TRUE, DOC_PRED).withDigits(-1)).hasMessageContaining("digits");
    }
}
