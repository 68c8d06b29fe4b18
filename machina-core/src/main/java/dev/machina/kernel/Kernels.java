package dev.machina.kernel;

/**
 * The hot loops. Two providers implement this: {@link ScalarKernels} (plain Java, always
 * there) and a Vector API one chosen at start-up when {@code jdk.incubator.vector} is
 * readable. Arrays are addressed by (array, offset); matrices are row-major with a leading
 * dimension (the distance between rows).
 *
 * <p>Every kernel computes each output element on one thread in a fixed order, so its
 * result is bit-identical whatever {@link Parallel#threads()} is.
 */
public interface Kernels {

    /** "vector" or "scalar". */
    String name();

    /** SIMD register width in bits (32 for the scalar provider). */
    int vectorBits();

    /**
     * C = op(A)·op(B), or C += op(A)·op(B) when {@code accumulate}; op(X) is X or Xᵀ.
     * op(A) is m×k, op(B) is k×n, C is m×n. With transA, A is stored k×m; with transB, B is
     * stored n×k.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
              float[] c, int cOff, int ldc, boolean accumulate);

    /**
     * A fully connected layer's forward: y = x·Wᵀ + bias, then max(y, 0) when {@code relu}; x is
     * m×k, W n×k (PyTorch's [out, in]), y m×n, all rows dense; bias (n floats) may be null. The
     * values are exactly those of filling y's rows with the bias, {@link #gemm} adding x·Wᵀ to
     * them (without a bias: writing it) and {@link #relu} over y.
     */
    default void linear(int m, int n, int k, float[] x, int xOff, float[] w, int wOff, float[] bias, int bOff, boolean relu,
                        float[] y, int yOff) {
        if (bias != null) for (int r = 0; r < m; r++) System.arraycopy(bias, bOff, y, yOff + r * n, n);
        gemm(false, true, m, n, k, x, xOff, k, w, wOff, k, y, yOff, n, bias != null);
        if (relu) relu(y, yOff, y, yOff, m * n);
    }

    /** out[i] = a[i] + b[i]. */
    void add(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n);

    /** out[i] = a[i] - b[i]. */
    void sub(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n);

    /** out[i] = a[i] * b[i]. */
    void mul(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n);

    /** out[i] = a[i] / b[i]. */
    void div(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n);

    /** out[i] = a[i] * s + t. */
    void scaleShift(float[] a, int ao, float s, float t, float[] out, int oo, int n);

    /** y[i] += alpha * x[i]. */
    void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n);

    /** y[i] += a[i] * b[i]. */
    void addProduct(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n);

    /** out[i] = max(a[i], 0). */
    void relu(float[] a, int ao, float[] out, int oo, int n);

    /** out[i] += x[i] > 0 ? g[i] : 0 (the gradient of relu, accumulated). */
    void reluBackward(float[] x, int xo, float[] g, int go, float[] out, int oo, int n);

    /** out[i] = exp(a[i]). */
    void exp(float[] a, int ao, float[] out, int oo, int n);

    /** out[i] = log(a[i]). */
    void log(float[] a, int ao, float[] out, int oo, int n);

    /** out[i] = tanh(a[i]). */
    void tanh(float[] a, int ao, float[] out, int oo, int n);

    /** out[i] = 1 / (1 + exp(-a[i])). */
    void sigmoid(float[] a, int ao, float[] out, int oo, int n);

    /**
     * out[i] = sigmoid(a[i]) by {@link FloatMath#sigmoid}: bit-identical on every provider and
     * JIT tier (unlike {@link #sigmoid}, whose vector form uses the Vector API's EXP).
     */
    void sigmoidPoly(float[] a, int ao, float[] out, int oo, int n);

    /** out[i] = tanh(a[i]) by {@link FloatMath#tanh}: bit-identical on every provider and JIT tier. */
    void tanhPoly(float[] a, int ao, float[] out, int oo, int n);

    /** Sum of a[ao .. ao+n), accumulated in a fixed order. */
    float sum(float[] a, int ao, int n);

    /** Largest of a[ao .. ao+n) (NaN if any is NaN); n must be at least 1. */
    float max(float[] a, int ao, int n);

    /** Sum of a[i]*b[i]. */
    float dot(float[] a, int ao, float[] b, int bo, int n);

    /**
     * Row-wise softmax (or log-softmax when {@code log}) of a rows×cols matrix, stable for
     * large inputs: the row maximum is subtracted first.
     */
    void softmaxRows(float[] x, int xo, float[] out, int oo, int rows, int cols, boolean log);

    /** colSums[j] (+)= sum over rows of x[r, j] for a rows×cols matrix, in row order. */
    void sumRows(float[] x, int xo, int rows, int cols, float[] out, int oo, boolean accumulate);

    /**
     * {@code out[i] = (float) ((src[i] & 0xFF) * scale)}: unsigned bytes (8-bit pixels) to float32,
     * each product taken in double, so the result is that of scaling the byte's value held as a float.
     */
    void bytesToFloats(byte[] src, int so, double scale, float[] out, int oo, int n);

    /**
     * An inverted-dropout mask: {@code mask[mo + i] = scale} where element i is kept, else 0, for i
     * in [0, n). Element i is kept when the top 24 bits of {@link #dropoutBits}(key, i) are at
     * least {@code keepFrom} (for a drop probability p: ⌈p·2²⁴⌉, so that a kept element is one
     * whose 24-bit uniform draw is ≥ p). Counter-based: element i depends on the key and i alone,
     * never on n, the provider, the vector width or the thread count.
     */
    void dropoutMask(long key, int keepFrom, float scale, float[] mask, int mo, int n);

    /**
     * The 32 random bits of element i under {@code key}: the low half of the key plus i, then the
     * lowbias32 integer hash (C. Wellons' hash-prospector), the key's high half mixed in, and the
     * hash again. Integer arithmetic only, so every provider computes the same bits.
     */
    static int dropoutBits(long key, int i) {
        return lowbias32(lowbias32((int) key + i) ^ (int) (key >>> 32));
    }

    /** x ^= x>>>16; x *= 0x7feb352d; x ^= x>>>15; x *= 0x846ca68b; x ^= x>>>16: a bijection of the ints with low bias. */
    static int lowbias32(int x) {
        x ^= x >>> 16;
        x *= 0x7feb352d;
        x ^= x >>> 15;
        x *= 0x846ca68b;
        x ^= x >>> 16;
        return x;
    }
}
