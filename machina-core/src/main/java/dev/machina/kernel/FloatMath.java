package dev.machina.kernel;

/**
 * exp, sigmoid and tanh in plain float arithmetic (no library calls, no fused multiply-add), so
 * that the result is bit-identical on every JVM, JIT tier and kernel provider: the Vector API
 * kernels ({@link Kernels#sigmoidPoly}, {@link Kernels#tanhPoly}) evaluate exactly the same
 * operations in the same order, lane by lane.
 *
 * <p>Why: {@code Math.exp}/{@code Math.tanh} are scalar, and the Vector API's EXP/TANH give
 * results that differ in the last bit between the C2 intrinsic (SVML) and the interpreted
 * fallback (per-lane {@code Math}), so a computation using them can depend on JIT timing.
 *
 * <p>exp is Cephes' expf: x = n·ln2 + r with |r| ≤ ln2/2 (n = x·log2 e rounded to the nearest
 * integer by adding {@link #ROUND}; ln2 split in two parts), a degree-6 polynomial for e^r, and
 * 2^n from the exponent bits; relative error about 2 ulp. Arguments are
 * clamped to [−87, 88] (never 0 or ∞). sigmoid = 1/(1+e^(−x)), absolute error below 1.5e-7;
 * tanh = sign(x)·(1 − 2/(e^(2|x|)+1)), absolute error below 2e-7 (relative error is larger
 * near 0, where tanh x ≈ x).
 */
public final class FloatMath {
    private FloatMath() {}

    static final float LO = -87f, HI = 88f, LOG2E = 1.44269504088896341f, C1 = 0.693359375f, C2 = 2.12194440e-4f;
    static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f, P3 = 4.1665795894e-2f,
            P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;
    /**
     * 1.5·2²³: a float in [2²³, 2²⁴) has no fraction bits, so adding it rounds to an integer
     * (to nearest even), and for |n| &lt; 2²² the low bits of the sum hold n in two's complement:
     * shifted left by 23 they make 2^n's exponent field (ROUND's own bits shift out), with no
     * float-to-int conversion.
     */
    static final float ROUND = 12582912f;

    public static float exp(float x) {
        x = Math.max(LO, Math.min(HI, x));
        float y = x * LOG2E + ROUND; // n = round(x·log2 e), to nearest even: in y's low bits, and y − ROUND
        float n = y - ROUND;
        float r = x - n * C1 + n * C2;
        float z = r * r;
        float p = (((((P0 * r + P1) * r + P2) * r + P3) * r + P4) * r + P5) * z + r + 1f;
        return p * Float.intBitsToFloat((Float.floatToRawIntBits(y) + 127) << 23);
    }

    public static float sigmoid(float x) {
        return 1f / (1f + exp(-x));
    }

    public static float tanh(float x) {
        float t = 1f - 2f / (exp(2f * Math.abs(x)) + 1f);
        return Float.intBitsToFloat(Float.floatToRawIntBits(t) | (Float.floatToRawIntBits(x) & 0x80000000));
    }
}
