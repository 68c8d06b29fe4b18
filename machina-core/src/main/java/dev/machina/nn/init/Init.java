package dev.machina.nn.init;

import dev.machina.tensor.Rng;
import dev.machina.tensor.Shape;
import dev.machina.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;

/**
 * Parameter initializers, as {@code torch.nn.init}: each fills a tensor in place (through its
 * backing array, outside autograd) from the given generator and returns it. Fans follow
 * PyTorch: for a weight [out, in, k…], fan_in = in·k…, fan_out = out·k….
 */
public final class Init {
    private Init() {}

    /** Which fan Kaiming initialisation preserves. */
    public enum Mode { FAN_IN, FAN_OUT }

    /** Fills with U(a, b). */
    public static Tensor uniform(Tensor t, double a, double b, Rng rng) {
        if (!(a <= b)) throw new IllegalArgumentException("uniform: lower bound " + a + " is above upper bound " + b);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) (a + (b - a) * rng.nextDouble());
        return t;
    }

    /** Fills with N(mean, std²). */
    public static Tensor normal(Tensor t, double mean, double std, Rng rng) {
        if (!(std >= 0)) throw new IllegalArgumentException("normal: std must be non-negative, got " + std);
        float[] d = t.data();
        for (int i = 0; i < d.length; i++) d[i] = (float) (mean + std * rng.nextGaussian());
        return t;
    }

    /** Fills with {@code value}. */
    public static Tensor constant(Tensor t, double value) {
        Arrays.fill(t.data(), (float) value);
        return t;
    }

    public static Tensor zeros(Tensor t) {
        return constant(t, 0);
    }

    public static Tensor ones(Tensor t) {
        return constant(t, 1);
    }

    /** {fan_in, fan_out} of a tensor of rank ≥ 2, as torch's _calculate_fan_in_and_fan_out. */
    public static int[] fans(Tensor t) {
        int[] s = t.shape();
        if (s.length < 2) {
            throw new IllegalArgumentException("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions, got shape " + Shape.str(s));
        }
        int receptive = Shape.prod(s, 2, s.length);
        return new int[] {s[1] * receptive, s[0] * receptive};
    }

    /** The gain for a nonlinearity, as {@code torch.nn.init.calculate_gain} (no parameter). */
    public static double calculateGain(String nonlinearity) {
        return calculateGain(nonlinearity, Double.NaN);
    }

    /**
     * The recommended gain: 1 for linear/conv/sigmoid, 5/3 for tanh, √2 for relu,
     * √(2/(1+a²)) for leaky_relu (a = {@code param}, 0.01 when NaN), 3/4 for selu.
     */
    public static double calculateGain(String nonlinearity, double param) {
        String n = nonlinearity.toLowerCase(Locale.ROOT);
        return switch (n) {
            case "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid" -> 1.0;
            case "tanh" -> 5.0 / 3;
            case "relu" -> Math.sqrt(2.0);
            case "leaky_relu" -> {
                double a = Double.isNaN(param) ? 0.01 : param;
                yield Math.sqrt(2.0 / (1 + a * a));
            }
            case "selu" -> 3.0 / 4;
            default -> throw new IllegalArgumentException("Unsupported nonlinearity " + nonlinearity);
        };
    }

    /** Glorot uniform: U(−b, b) with b = gain·√(6/(fan_in+fan_out)). */
    public static Tensor xavierUniform(Tensor t, double gain, Rng rng) {
        int[] f = fans(t);
        double std = gain * Math.sqrt(2.0 / (f[0] + f[1]));
        double bound = Math.sqrt(3.0) * std;
        return uniform(t, -bound, bound, rng);
    }

    /** Glorot normal: N(0, std²) with std = gain·√(2/(fan_in+fan_out)). */
    public static Tensor xavierNormal(Tensor t, double gain, Rng rng) {
        int[] f = fans(t);
        return normal(t, 0, gain * Math.sqrt(2.0 / (f[0] + f[1])), rng);
    }

    private static double kaimingStd(Tensor t, double a, Mode mode, String nonlinearity) {
        int[] f = fans(t);
        int fan = mode == Mode.FAN_IN ? f[0] : f[1];
        return calculateGain(nonlinearity, a) / Math.sqrt(fan);
    }

    /**
     * He uniform: U(−b, b) with b = √3·gain/√fan, gain from {@code nonlinearity} and negative
     * slope {@code a} (used by leaky_relu). PyTorch's defaults are a=0, FAN_IN, "leaky_relu".
     */
    public static Tensor kaimingUniform(Tensor t, double a, Mode mode, String nonlinearity, Rng rng) {
        double bound = Math.sqrt(3.0) * kaimingStd(t, a, mode, nonlinearity);
        return uniform(t, -bound, bound, rng);
    }

    /** He normal: N(0, std²) with std = gain/√fan. */
    public static Tensor kaimingNormal(Tensor t, double a, Mode mode, String nonlinearity, Rng rng) {
        return normal(t, 0, kaimingStd(t, a, mode, nonlinearity), rng);
    }

    /**
     * A (semi-)orthogonal matrix times {@code gain}, as {@code torch.nn.init.orthogonal_}: a
     * [rows, cols] Gaussian matrix (rank &gt; 2 flattened to [shape[0], rest]), transposed when
     * rows &lt; cols, factored Q·R in double precision, Q's columns multiplied by sign(diag R).
     * Modified Gram–Schmidt, applied twice for stability, yields R with a positive diagonal, which
     * is exactly the sign-corrected factor.
     */
    public static Tensor orthogonal(Tensor t, double gain, Rng rng) {
        int[] s = t.shape();
        if (s.length < 2) throw new IllegalArgumentException("Only tensors with 2 or more dimensions are supported, got shape " + Shape.str(s));
        int rows = s[0], cols = t.size() / Math.max(rows, 1);
        double[][] a = new double[rows][cols];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) a[i][j] = rng.nextGaussian();
        boolean transposed = rows < cols;
        int m = transposed ? cols : rows, n = transposed ? rows : cols; // factor an m×n matrix, m ≥ n
        double[][] q = new double[n][m]; // q[j] = column j
        for (int j = 0; j < n; j++) for (int i = 0; i < m; i++) q[j][i] = transposed ? a[j][i] : a[i][j];
        for (int j = 0; j < n; j++) {
            for (int pass = 0; pass < 2; pass++) {
                for (int p = 0; p < j; p++) {
                    double dot = 0;
                    for (int i = 0; i < m; i++) dot += q[p][i] * q[j][i];
                    for (int i = 0; i < m; i++) q[j][i] -= dot * q[p][i];
                }
            }
            double norm = 0;
            for (int i = 0; i < m; i++) norm += q[j][i] * q[j][i];
            norm = Math.sqrt(norm);
            if (norm == 0) throw new IllegalStateException("orthogonal: degenerate random matrix");
            for (int i = 0; i < m; i++) q[j][i] /= norm;
        }
        float[] d = t.data();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double v = transposed ? q[r][c] : q[c][r]; // Q is m×n; result is Q (rows×cols) or Qᵀ
                d[r * cols + c] = (float) (gain * v);
            }
        }
        return t;
    }
}
