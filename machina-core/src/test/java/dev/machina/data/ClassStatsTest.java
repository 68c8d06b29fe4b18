package dev.machina.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ClassStatsTest {
    @Test
    void countsAndBalancedWeightsAsSklearn() {
        int[] y = {0, 0, 0, 0, 1, 1, 2, 0};   // counts 5, 2, 1
        assertThat(ClassStats.counts(y, 3)).containsExactly(5, 2, 1);
        // sklearn compute_class_weight("balanced"): 8 / (3 * [5, 2, 1])
        assertThat(ClassStats.balancedWeights(y, 3)).containsExactly(8f / 15, 8f / 6, 8f / 3);
        assertThat(ClassStats.balancedWeights(y, 4)[3]).isZero();
        assertThatThrownBy(() -> ClassStats.counts(new int[] {0, 3}, 3)).hasMessage("label 3 at position 1 is outside [0, 3)");
    }
}
