package dev.machina.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.tensor.Rng;
import org.junit.jupiter.api.Test;

/**
 * {@link FloatMath} against Math in double, and the polynomial kernels of both providers
 * bit-identical to it (awkward sizes, offsets, saturating and signed-zero inputs).
 */
class FloatMathTest {

    @Test
    void accurateAgainstMath() {
        double maxRelExp = 0, maxAbsSig = 0, maxAbsTanh = 0;
        for (int i = -200_000; i <= 200_000; i++) {
            float x = i * 4.3e-4f; // [−86, 86]
            maxRelExp = Math.max(maxRelExp, Math.abs(FloatMath.exp(x) - Math.exp(x)) / Math.exp(x));
            maxAbsSig = Math.max(maxAbsSig, Math.abs(FloatMath.sigmoid(x) - 1 / (1 + Math.exp(-x))));
            maxAbsTanh = Math.max(maxAbsTanh, Math.abs(FloatMath.tanh(x) - Math.tanh(x)));
        }
        assertThat(maxRelExp).isLessThan(3e-7);
        assertThat(maxAbsSig).isLessThan(1.5e-7);
        assertThat(maxAbsTanh).isLessThan(2e-7);
        assertThat(FloatMath.sigmoid(-1e30f)).isBetween(0f, 1e-37f);
        assertThat(FloatMath.sigmoid(1e30f)).isEqualTo(1f);
        assertThat(FloatMath.tanh(1e30f)).isEqualTo(1f);
        assertThat(FloatMath.tanh(-1e30f)).isEqualTo(-1f);
        assertThat(Float.floatToRawIntBits(FloatMath.tanh(-0f))).isEqualTo(Float.floatToRawIntBits(-0f));
        assertThat(FloatMath.exp(0f)).isEqualTo(1f);
    }

    @Test
    void bothProvidersBitIdenticalToFloatMath() {
        Kernels v = KernelProvider.vectorOrNull();
        assertThat(v).isNotNull();
        Kernels[] ks = {KernelProvider.scalar(), v};
        Rng rng = new Rng(3);
        for (int n : KernelsTest.SIZES) {
            float[] a = new float[n + 3];
            for (int i = 0; i < a.length; i++) a[i] = (float) (rng.nextGaussian() * (i % 5 == 0 ? 60 : 4));
            a[0] = -0f;
            if (n > 2) a[2] = 1e30f;
            for (Kernels k : ks) {
                // Repeated so that the JIT compiles the loops partway: results must not change.
                for (int rep = 0; rep < 200; rep++) {
                    float[] s = new float[n + 1], t = new float[n + 1];
                    k.sigmoidPoly(a, 2, s, 1, n);
                    k.tanhPoly(a, 2, t, 1, n);
                    for (int i = 0; i < n; i++) {
                        assertThat(Float.floatToRawIntBits(s[1 + i])).as("%s sigmoid n=%d i=%d", k.name(), n, i)
                                .isEqualTo(Float.floatToRawIntBits(FloatMath.sigmoid(a[2 + i])));
                        assertThat(Float.floatToRawIntBits(t[1 + i])).as("%s tanh n=%d i=%d", k.name(), n, i)
                                .isEqualTo(Float.floatToRawIntBits(FloatMath.tanh(a[2 + i])));
                    }
                }
            }
        }
    }

    /**
     * NaN, ±∞, ±0, the clamp bounds of exp (−87, 88) and their float neighbours, and the inputs
     * that reach them through sigmoid (−x) and tanh (2|x|): both providers' sigmoid and tanh, and
     * the vector provider's exp, bit for bit as {@link FloatMath} (every value in vector lanes and in the scalar tail).
     */
    @Test
    void edgeInputsBitIdenticalToFloatMath() {
        java.util.List<Float> vals = new java.util.ArrayList<>(java.util.List.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                0f, -0f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -Float.MIN_VALUE));
        for (float bound : new float[] {FloatMath.HI, FloatMath.LO, FloatMath.HI / 2, FloatMath.LO / 2}) {
            for (float x : new float[] {bound, Math.nextUp(bound), Math.nextDown(bound)}) {
                vals.add(x);
                vals.add(-x);
            }
        }
        int m = vals.size(), n = 3 * m + 5;
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = vals.get(i % m);
        Kernels v = KernelProvider.vectorOrNull();
        for (Kernels k : new Kernels[] {KernelProvider.scalar(), v}) {
            for (int rep = 0; rep < 200; rep++) {
                float[] e = new float[n], s = new float[n], t = new float[n];
                v.exp(a, 0, e, 0, n);
                k.sigmoidPoly(a, 0, s, 0, n);
                k.tanhPoly(a, 0, t, 0, n);
                for (int i = 0; i < n; i++) {
                    assertThat(Float.floatToRawIntBits(e[i])).as("vector exp(%s)", a[i]).isEqualTo(Float.floatToRawIntBits(FloatMath.exp(a[i])));
                    assertThat(Float.floatToRawIntBits(s[i])).as("%s sigmoid(%s)", k.name(), a[i]).isEqualTo(Float.floatToRawIntBits(FloatMath.sigmoid(a[i])));
                    assertThat(Float.floatToRawIntBits(t[i])).as("%s tanh(%s)", k.name(), a[i]).isEqualTo(Float.floatToRawIntBits(FloatMath.tanh(a[i])));
                }
            }
        }
        assertThat(FloatMath.exp(Float.NaN)).isNaN();
        assertThat(FloatMath.exp(Float.POSITIVE_INFINITY)).isEqualTo(FloatMath.exp(FloatMath.HI)).isFinite();
        assertThat(FloatMath.exp(Float.NEGATIVE_INFINITY)).isEqualTo(FloatMath.exp(FloatMath.LO)).isPositive();
    }

    /**
     * The Vector API provider's general exp, sigmoid and tanh (used by the tensor ops and the
     * softmax) are the polynomial ones too, not the Vector API's EXP/TANH, whose compiled (SVML)
     * and interpreted results differ in the last bit: a run must not depend on JIT timing.
     */
    @Test
    void vectorProviderGeneralKernelsAreThePolynomials() {
        Kernels v = KernelProvider.vectorOrNull();
        Rng rng = new Rng(5);
        for (int n : KernelsTest.SIZES) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) a[i] = (float) (rng.nextGaussian() * 6);
            for (int rep = 0; rep < 100; rep++) {
                float[] e = new float[n], s = new float[n], t = new float[n];
                v.exp(a, 0, e, 0, n);
                v.sigmoid(a, 0, s, 0, n);
                v.tanh(a, 0, t, 0, n);
                for (int i = 0; i < n; i++) {
                    assertThat(Float.floatToRawIntBits(e[i])).as("exp n=%d i=%d", n, i).isEqualTo(Float.floatToRawIntBits(FloatMath.exp(a[i])));
                    assertThat(Float.floatToRawIntBits(s[i])).as("sigmoid n=%d i=%d", n, i).isEqualTo(Float.floatToRawIntBits(FloatMath.sigmoid(a[i])));
                    assertThat(Float.floatToRawIntBits(t[i])).as("tanh n=%d i=%d", n, i).isEqualTo(Float.floatToRawIntBits(FloatMath.tanh(a[i])));
                }
            }
        }
    }
}
