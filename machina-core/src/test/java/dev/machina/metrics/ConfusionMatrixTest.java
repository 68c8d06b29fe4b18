package dev.machina.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {
    private static final double TOL = 1e-12;

    @Test
    void matchesSklearnDocExample() {
        // sklearn confusion_matrix docs: y_true = [2, 0, 2, 2, 0, 1], y_pred = [0, 0, 2, 2, 0, 2]
        ConfusionMatrix m = ConfusionMatrix.of(new int[] {2, 0, 2, 2, 0, 1}, new int[] {0, 0, 2, 2, 0, 2});
        assertThat(m.counts()).isEqualTo(new long[][] {{2, 0, 0}, {0, 0, 1}, {1, 0, 2}});
        assertThat(m.numClasses()).isEqualTo(3);
        assertThat(m.total()).isEqualTo(6);
        assertThat(m.support(2)).isEqualTo(3);
        assertThat(m.predicted(2)).isEqualTo(3);
        assertThat(m.truePositives(2)).isEqualTo(2);
        assertThat(m.falsePositives(2)).isEqualTo(1);
        assertThat(m.falseNegatives(2)).isEqualTo(1);
        assertThat(m.toString()).isEqualTo("[[2, 0, 0], [0, 0, 1], [1, 0, 2]]");
    }

    @Test
    void averagesMatchSklearnDocExample() {
        // sklearn precision_recall_fscore_support / f1_score docs:
        // y_true = [0, 1, 2, 0, 1, 2], y_pred = [0, 2, 1, 0, 0, 1]
        // macro: (0.222, 0.333, 0.267), micro: (0.333, 0.333, 0.333), weighted: (0.222, 0.333, 0.267),
        // per-class f1 [0.8, 0, 0]. Exact: precision class 0 = 2/3, recall class 0 = 1, f1 = 0.8.
        ConfusionMatrix m = ConfusionMatrix.of(new int[] {0, 1, 2, 0, 1, 2}, new int[] {0, 2, 1, 0, 0, 1});
        assertThat(m.precision(Average.MACRO)).isCloseTo(2.0 / 9, within(TOL));
        assertThat(m.recall(Average.MACRO)).isCloseTo(1.0 / 3, within(TOL));
        assertThat(m.f1(Average.MACRO)).isCloseTo(0.8 / 3, within(TOL));
        assertThat(m.precision(Average.MICRO)).isCloseTo(1.0 / 3, within(TOL));
        assertThat(m.recall(Average.MICRO)).isCloseTo(1.0 / 3, within(TOL));
        assertThat(m.f1(Average.MICRO)).isCloseTo(1.0 / 3, within(TOL));
        assertThat(m.precision(Average.WEIGHTED)).isCloseTo(2.0 / 9, within(TOL));
        assertThat(m.recall(Average.WEIGHTED)).isCloseTo(1.0 / 3, within(TOL));
        assertThat(m.f1(Average.WEIGHTED)).isCloseTo(0.8 / 3, within(TOL));
        assertThat(new double[] {m.f1(0), m.f1(1), m.f1(2)}).containsExactly(new double[] {0.8, 0, 0}, within(TOL));
    }

    @Test
    void weightedDiffersFromMacroWhenSupportIsUneven() {
        // hand-computed: class 0 support 3 (tp 3, fp 1), class 1 support 1 (tp 0, fn 1)
        ConfusionMatrix m = ConfusionMatrix.of(new int[] {0, 0, 0, 1}, new int[] {0, 0, 0, 0});
        assertThat(m.precision(0)).isEqualTo(0.75);
        assertThat(m.precision(1)).isEqualTo(0.0); // nothing predicted as 1: zero_division = 0
        assertThat(m.precision(Average.MACRO)).isCloseTo(0.375, within(TOL));
        assertThat(m.precision(Average.WEIGHTED)).isCloseTo(0.75 * 3 / 4, within(TOL));
        assertThat(m.recall(Average.WEIGHTED)).isCloseTo(0.75, within(TOL)); // = accuracy
    }

    @Test
    void emptyAndAbsentClassesAreZeroNotNaN() {
        ConfusionMatrix empty = ConfusionMatrix.of(new int[0], new int[0], 3);
        assertThat(empty.accuracy()).isEqualTo(0.0);
        assertThat(empty.f1(Average.WEIGHTED)).isEqualTo(0.0);
        assertThat(empty.f1(Average.MICRO)).isEqualTo(0.0);
        assertThat(empty.balancedAccuracy()).isEqualTo(0.0);
        assertThat(empty.cohenKappa()).isEqualTo(0.0);
        ConfusionMatrix absent = ConfusionMatrix.of(new int[] {0, 1}, new int[] {0, 1}, 3);
        assertThat(absent.f1(2)).isEqualTo(0.0);
        assertThat(absent.f1(Average.MACRO)).isCloseTo(2.0 / 3, within(TOL)); // class 2 counts as 0
        assertThat(absent.f1(Average.WEIGHTED)).isEqualTo(1.0);
    }

    @Test
    void rejectsOutOfRangeLabelsAndBadCounts() {
        assertThatThrownBy(() -> ConfusionMatrix.of(new int[] {0, 3}, new int[] {0, 0}, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("yTrue[1] = 3").hasMessageContaining("[0, 3)");
        assertThatThrownBy(() -> ConfusionMatrix.of(new int[] {0}, new int[] {-1}, 3)).hasMessageContaining("yPred[0] = -1");
        assertThatThrownBy(() -> ConfusionMatrix.ofCounts(new long[][] {{1, 2}, {3}})).hasMessageContaining("square");
        assertThatThrownBy(() -> ConfusionMatrix.ofCounts(new long[][] {{-1}})).hasMessageContaining("negative");
    }

    @Test
    void ofCountsCopiesAndEquals() {
        long[][] c = {{2, 0}, {1, 3}};
        ConfusionMatrix m = ConfusionMatrix.ofCounts(c);
        c[0][0] = 99;
        assertThat(m.count(0, 0)).isEqualTo(2);
        assertThat(m).isEqualTo(ConfusionMatrix.of(new int[] {0, 0, 1, 1, 1, 1}, new int[] {0, 0, 0, 1, 1, 1}));
        assertThat(m.accuracy()).isCloseTo(5.0 / 6, within(TOL));
    }
}
