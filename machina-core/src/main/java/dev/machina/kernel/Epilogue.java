package dev.machina.kernel;

/**
 * What a linear layer's product does around each region of C that one parallel task computes:
 * before, the region is filled with the bias (the product then adds to it); after, ReLU is
 * applied to it. The region is still in that core's cache, so the bias and the activation cost
 * no pass of their own over C. The values are those of filling all of C with the bias, the
 * product, then ReLU over all of C: the same operations on each element.
 */
final class Epilogue {
    private final Kernels kernels;
    private final float[] bias;
    private final int biasOff, cBase, ldc;
    private final boolean relu;

    /** For C starting at {@code cBase} with rows {@code ldc} apart; bias (or null) for C's columns. */
    Epilogue(Kernels kernels, float[] bias, int biasOff, boolean relu, int cBase, int ldc) {
        this.kernels = kernels;
        this.bias = bias;
        this.biasOff = biasOff;
        this.relu = relu;
        this.cBase = cBase;
        this.ldc = ldc;
    }

    /** Whether the product adds to C (a bias was put there). */
    boolean accumulate() {
        return bias != null;
    }

    /** Fills rows×cols of C from c[start] (rows ldc apart) with the bias, if any. */
    void before(float[] c, int start, int rows, int cols) {
        if (bias == null) return;
        int col = (start - cBase) % ldc;
        for (int r = 0; r < rows; r++) System.arraycopy(bias, biasOff + col, c, start + r * ldc, cols);
    }

    /** Applies ReLU to rows×cols of C from c[start], if asked. */
    void after(float[] c, int start, int rows, int cols) {
        if (!relu) return;
        for (int r = 0; r < rows; r++) kernels.relu(c, start + r * ldc, c, start + r * ldc, cols);
    }
}
