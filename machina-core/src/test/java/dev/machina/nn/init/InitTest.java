package dev.machina.nn.init;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

class InitTest {

    private static double variance(Tensor t) {
        double s = 0, s2 = 0;
        for (float v : t.data()) {
            s += v;
            s2 += v * v;
        }
        int n = t.size();
        return s2 / n - (s / n) * (s / n);
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (float v : t.data()) m = Math.max(m, Math.abs(v));
        return m;
    }

    @Test
    void gainsMatchPyTorch() {
        // torch.nn.init.calculate_gain in PyTorch 1.13 (see src/test/resources/ref/refs.txt).
        assertThat(Init.calculateGain("linear")).isEqualTo(1.0);
        assertThat(Init.calculateGain("sigmoid")).isEqualTo(1.0);
        assertThat(Init.calculateGain("tanh")).isEqualTo(1.6666666666666667);
        assertThat(Init.calculateGain("relu")).isEqualTo(Math.sqrt(2));
        assertThat(Init.calculateGain("leaky_relu", 0.2)).isCloseTo(1.3867504905630728, within(1e-15));
        assertThat(Init.calculateGain("leaky_relu")).isCloseTo(Math.sqrt(2 / (1 + 1e-4)), within(1e-15));
        assertThat(Init.calculateGain("selu")).isEqualTo(0.75);
        assertThatThrownBy(() -> Init.calculateGain("swish")).hasMessage("Unsupported nonlinearity swish");
    }

    @Test
    void fansFollowPyTorch() {
        assertThat(Init.fans(Tensor.zeros(30, 20))).containsExactly(20, 30);
        assertThat(Init.fans(Tensor.zeros(8, 4, 3, 3))).containsExactly(36, 72);
        assertThatThrownBy(() -> Init.fans(Tensor.zeros(5))).hasMessageContaining("fewer than 2 dimensions");
    }

    // The variances below come from 200·300 = 60000 samples: the relative standard error of a
    // variance estimate is about √(2/n) ≈ 0.6% (normal) or less (uniform), so 5% is ~8 sd.
    @Test
    void xavierAndKaimingHaveTheDocumentedSpread() {
        Rng r = new Rng(5);
        Tensor t = Tensor.zeros(200, 300); // fan_out 200, fan_in 300
        double xb = Math.sqrt(6.0 / 500);
        Init.xavierUniform(t, 1.0, r);
        assertThat(maxAbs(t)).isLessThanOrEqualTo(xb).isGreaterThan(0.99 * xb);
        assertThat(variance(t)).isCloseTo(xb * xb / 3, Percentage.withPercentage(5));
        Init.xavierNormal(t, 2.0, r);
        assertThat(variance(t)).isCloseTo(4 * 2.0 / 500, Percentage.withPercentage(5));
        Init.kaimingUniform(t, 0, Init.Mode.FAN_IN, "relu", r);
        double kb = Math.sqrt(3) * Math.sqrt(2) / Math.sqrt(300);
        assertThat(maxAbs(t)).isLessThanOrEqualTo(kb).isGreaterThan(0.99 * kb);
        Init.kaimingNormal(t, 0, Init.Mode.FAN_OUT, "relu", r);
        assertThat(variance(t)).isCloseTo(2.0 / 200, Percentage.withPercentage(5));
        Init.normal(t, 3, 0.5, r);
        assertThat(t.mean().item()).isCloseTo(3f, within(0.01f));
        Init.uniform(t, -2, 4, r);
        assertThat(t.max().item()).isLessThan(4f);
        assertThat(t.neg().max().item()).isLessThanOrEqualTo(2f);
        Init.constant(t, 0.25);
        assertThat(t.sum().item()).isEqualTo(0.25f * 60000);
        assertThat(Init.ones(Tensor.zeros(3)).toArray()).containsExactly(1f, 1f, 1f);
        assertThat(Init.zeros(Tensor.ones(2)).toArray()).containsExactly(0f, 0f);
    }

    @Test
    void orthogonalIsOrthogonalBothWaysAndScaled() {
        for (int[] shape : new int[][] {{6, 4}, {4, 6}, {5, 5}, {3, 2, 2}}) {
            Tensor t = Tensor.zeros(shape);
            Init.orthogonal(t, 2.0, new Rng(9));
            int rows = shape[0], cols = t.size() / rows;
            float[] d = t.data();
            boolean tall = rows >= cols;
            int k = tall ? cols : rows;
            // Gram matrix of the columns (tall) or rows (wide) must be gain²·I.
            for (int a = 0; a < k; a++) {
                for (int b = 0; b < k; b++) {
                    double dot = 0;
                    for (int i = 0; i < (tall ? rows : cols); i++) {
                        dot += tall ? d[i * cols + a] * d[i * cols + b] : d[a * cols + i] * d[b * cols + i];
                    }
                    assertThat(dot).as("shape %s gram[%d][%d]", java.util.Arrays.toString(shape), a, b).isCloseTo(a == b ? 4.0 : 0.0, within(1e-5));
                }
            }
        }
    }

    @Test
    void orthogonalSignCorrectionMakesRsDiagonalPositive() {
        // Q·diag(sign(diag R)) has a positive-diagonal R: the Q-columns correlate positively with A's.
        Rng r = new Rng(21);
        Tensor t = Tensor.zeros(5, 3);
        Init.orthogonal(t, 1.0, r.copy());
        double[][] a = new double[5][3];
        for (int i = 0; i < 5; i++) for (int j = 0; j < 3; j++) a[i][j] = r.nextGaussian();
        for (int j = 0; j < 3; j++) {
            double rjj = 0; // R[j][j] = q_jᵀ a_j
            for (int i = 0; i < 5; i++) rjj += t.data()[i * 3 + j] * a[i][j];
            assertThat(rjj).isPositive();
        }
    }
}
