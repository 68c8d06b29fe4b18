package dev.machina.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The float exp/sigmoid/tanh of the fused gate loop against Math in double. */
class FusedRecurrenceMathTest {

    @Test
    void expSigmoidAndTanhAreAccurate() {
        double maxRelExp = 0, maxAbsSig = 0, maxAbsTanh = 0;
        for (int i = -200_000; i <= 200_000; i++) {
            float x = i * 1e-4f * 4.3f; // [−86, 86]
            maxRelExp = Math.max(maxRelExp, Math.abs(FusedRecurrence.exp(x) - Math.exp(x)) / Math.exp(x));
            maxAbsSig = Math.max(maxAbsSig, Math.abs(FusedRecurrence.sigmoid(x) - 1 / (1 + Math.exp(-x))));
            maxAbsTanh = Math.max(maxAbsTanh, Math.abs(FusedRecurrence.tanh(x) - Math.tanh(x)));
        }
        assertThat(maxRelExp).isLessThan(3e-7);
        assertThat(maxAbsSig).isLessThan(1.5e-7);
        assertThat(maxAbsTanh).isLessThan(2e-7);
        // Saturation: finite, no NaN, exact limits.
        assertThat(FusedRecurrence.sigmoid(-1e30f)).isBetween(0f, 1e-37f);
        assertThat(FusedRecurrence.sigmoid(1e30f)).isEqualTo(1f);
        assertThat(FusedRecurrence.tanh(1e30f)).isEqualTo(1f);
        assertThat(FusedRecurrence.tanh(-1e30f)).isEqualTo(-1f);
        assertThat(FusedRecurrence.tanh(0f)).isZero();
    }
}
