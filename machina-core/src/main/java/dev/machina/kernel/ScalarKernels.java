package dev.machina.kernel;

/**
 * Plain-Java kernels: the reference for every kernel, and the provider used when the
 * Vector API is not available or {@code -Dmachina.simd=false}.
 */
public final class ScalarKernels implements Kernels {

    /** Rows of C per parallel task in the scalar GEMM. */
    private static final int GEMM_ROWS_PER_TASK = 16;

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public int vectorBits() {
        return 32;
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float[] c, int cOff, int ldc, boolean accumulate) {
        if (m == 0 || n == 0) return;
        int tasks = (m + GEMM_ROWS_PER_TASK - 1) / GEMM_ROWS_PER_TASK;
        long work = (long) m * n * k;
        int maxThreads = work < 32_768 ? 1 : Integer.MAX_VALUE;
        Parallel.forEach(tasks, maxThreads, t -> {
            int i0 = t * GEMM_ROWS_PER_TASK, i1 = Math.min(m, i0 + GEMM_ROWS_PER_TASK);
            for (int i = i0; i < i1; i++) gemmRow(transA, transB, i, n, k, a, aOff, lda, b, bOff, ldb, c, cOff + i * ldc, accumulate);
        });
    }

    private static void gemmRow(boolean transA, boolean transB, int i, int n, int k,
                                float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                float[] c, int co, boolean accumulate) {
        if (transB) {
            for (int j = 0; j < n; j++) {
                float s = 0f;
                int bo = bOff + j * ldb;
                if (transA) {
                    for (int p = 0; p < k; p++) s += a[aOff + p * lda + i] * b[bo + p];
                } else {
                    int ao = aOff + i * lda;
                    for (int p = 0; p < k; p++) s += a[ao + p] * b[bo + p];
                }
                c[co + j] = accumulate ? c[co + j] + s : s;
            }
            return;
        }
        if (!accumulate) java.util.Arrays.fill(c, co, co + n, 0f);
        for (int p = 0; p < k; p++) {
            float aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
            int bo = bOff + p * ldb;
            for (int j = 0; j < n; j++) c[co + j] += aip * b[bo + j];
        }
    }

    @Override
    public void add(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] + b[bo + i];
    }

    @Override
    public void sub(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] - b[bo + i];
    }

    @Override
    public void mul(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] * b[bo + i];
    }

    @Override
    public void div(float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] / b[bo + i];
    }

    @Override
    public void scaleShift(float[] a, int ao, float s, float t, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] * s + t;
    }

    @Override
    public void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] += alpha * x[xo + i];
    }

    @Override
    public void addProduct(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] += a[ao + i] * b[bo + i];
    }

    @Override
    public void relu(float[] a, int ao, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) {
            float v = a[ao + i];
            out[oo + i] = v <= 0f ? 0f : v; // NaN stays NaN, as in PyTorch (a NaN guard must see it)
        }
    }

    @Override
    public void reluBackward(float[] x, int xo, float[] g, int go, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) if (x[xo + i] > 0f) out[oo + i] += g[go + i];
    }

    @Override
    public void exp(float[] a, int ao, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] = (float) Math.exp(a[ao + i]);
    }

    @Override
    public void log(float[] a, int ao, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] = (float) Math.log(a[ao + i]);
    }

    @Override
    public void tanh(float[] a, int ao, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] = (float) Math.tanh(a[ao + i]);
    }

    @Override
    public void sigmoid(float[] a, int ao, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] = sigmoid(a[ao + i]);
    }

    @Override
    public void sigmoidPoly(float[] a, int ao, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] = FloatMath.sigmoid(a[ao + i]);
    }

    @Override
    public void tanhPoly(float[] a, int ao, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] = FloatMath.tanh(a[ao + i]);
    }

    /** A sigmoid that never overflows: exp is only taken of a non-positive number. */
    static float sigmoid(float x) {
        if (x >= 0f) return (float) (1.0 / (1.0 + Math.exp(-x)));
        double e = Math.exp(x);
        return (float) (e / (1.0 + e));
    }

    @Override
    public float sum(float[] a, int ao, int n) {
        double total = 0;
        for (int b = 0; b < n; b += SUM_BLOCK) {
            int m = Math.min(SUM_BLOCK, n - b);
            float s = 0f;
            for (int i = 0; i < m; i++) s += a[ao + b + i];
            total += s;
        }
        return (float) total;
    }

    /**
     * Elements summed in float before a block's sum joins the running total, which is kept in
     * double: short float sums stay accurate, and the total does not lose precision as n grows.
     */
    static final int SUM_BLOCK = 256;

    @Override
    public float max(float[] a, int ao, int n) {
        float m = a[ao];
        for (int i = 1; i < n; i++) {
            float v = a[ao + i];
            if (v > m || Float.isNaN(v)) m = v;
            if (Float.isNaN(m)) return m;
        }
        return m;
    }

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    @Override
    public void softmaxRows(float[] x, int xo, float[] out, int oo, int rows, int cols, boolean log) {
        for (int r = 0; r < rows; r++) {
            int xi = xo + r * cols, oi = oo + r * cols;
            float m = max(x, xi, cols);
            if (m == Float.NEGATIVE_INFINITY) m = 0f; // a row of -inf: avoid -inf - -inf
            float s = 0f;
            for (int j = 0; j < cols; j++) {
                float e = (float) Math.exp(x[xi + j] - m);
                if (!log) out[oi + j] = e;
                s += e;
            }
            if (log) {
                float ls = m + (float) Math.log(s);
                for (int j = 0; j < cols; j++) out[oi + j] = x[xi + j] - ls;
            } else {
                float inv = 1f / s;
                for (int j = 0; j < cols; j++) out[oi + j] *= inv;
            }
        }
    }

    @Override
    public void sumRows(float[] x, int xo, int rows, int cols, float[] out, int oo, boolean accumulate) {
        if (!accumulate) java.util.Arrays.fill(out, oo, oo + cols, 0f);
        for (int r = 0; r < rows; r++) {
            int xi = xo + r * cols;
            for (int j = 0; j < cols; j++) out[oo + j] += x[xi + j];
        }
    }

    @Override
    public void bytesToFloats(byte[] src, int so, double scale, float[] out, int oo, int n) {
        for (int i = 0; i < n; i++) out[oo + i] = (float) ((src[so + i] & 0xFF) * scale);
    }

    @Override
    public void dropoutMask(long key, int keepFrom, float scale, float[] mask, int mo, int n) {
        for (int i = 0; i < n; i++) mask[mo + i] = Kernels.dropoutBits(key, i) >>> 8 >= keepFrom ? scale : 0f;
    }
}
