package dev.machina.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.machina.tensor.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kernel of both providers against plain reference loops, on awkward sizes. */
class KernelsTest {
    static final int[] SIZES = {1, 2, 3, 7, 15, 16, 17, 31, 33, 64, 100, 257, 784};

    static Stream<Kernels> providers() {
        List<Kernels> ks = new ArrayList<>();
        ks.add(KernelProvider.scalar());
        Kernels v = vectorKernels();
        assertThat(v).as("the Vector API provider must load in tests (surefire passes --add-modules jdk.incubator.vector)").isNotNull();
        ks.add(v);
        return ks.stream();
    }

    /**
     * The Vector API kernels these tests check: at the width {@code -Dmachina.simd.bits} names
     * (machina-core's pom runs KernelsTest and VectorGemmTest once more at 128, 256 and 512 bits),
     * else at the CPU's preferred width, as in production.
     */
    static Kernels vectorKernels() {
        String bits = System.getProperty("machina.simd.bits");
        if (bits == null || bits.isBlank()) return KernelProvider.vectorOrNull();
        return VectorWidth.kernelsAt(Integer.parseInt(bits.strip()));
    }

    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    static float[] random(Rng rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = rng.nextFloat() * 2 - 1;
        return x;
    }

    /**
     * GEMM in its three forms (and plain A·Bᵀᵀ too), with and without accumulation, against a
     * double-precision reference. Tolerance: the float error of a K-term dot product is bounded
     * by about K·u·Σ|aᵢbᵢ| (u = 2^-24); we allow 2·K·u·Σ|aᵢbᵢ| plus a tiny absolute term.
     * Combinations whose m·n·k exceeds 20 million are skipped to keep the suite fast.
     */
    @ParameterizedTest
    @MethodSource("providers")
    void gemmMatchesReferenceOnAwkwardSizes(Kernels k) {
        Rng rng = new Rng(7);
        int checked = 0;
        for (int m : SIZES) {
            for (int n : SIZES) {
                for (int kk : SIZES) {
                    if ((long) m * n * kk > 20_000_000L) continue;
                    for (int form = 0; form < 4; form++) {
                        boolean ta = (form & 1) != 0, tb = (form & 2) != 0;
                        // every form also accumulates, on the sizes whose sum is odd (about half of them)
                        checkGemm(k, rng, ta, tb, m, n, kk, ((m + n + kk) & 1) == 1 || (form == 3 && m < 40));
                        checked++;
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(7000);
    }

    @ParameterizedTest
    @MethodSource("providers")
    void reluAndMaxLikeKernelsPropagateNaN(Kernels k) {
        for (int n : new int[] {1, 3, 7, 17, 33, 257}) {
            float[] a = random(new Rng(n), n), out = new float[n];
            int nan = n - 1;
            if (n > 1) a[0] = -0.0f;
            a[nan] = Float.NaN;
            k.relu(a, 0, out, 0, n);
            assertThat(out[nan]).as("relu(NaN), n=" + n).isNaN();
            for (int i = 0; i < nan; i++) assertThat(out[i]).as("n=" + n + " i=" + i).isEqualTo(a[i] > 0 ? a[i] : 0f);
            if (n > 1) assertThat(Float.floatToRawIntBits(out[0])).as("relu(-0) is +0").isZero();
            float[] b = random(new Rng(n + 1), n);
            b[n / 2] = Float.NaN;
            float[] sm = new float[n];
            k.softmaxRows(b, 0, sm, 0, 1, n, false);
            assertThat(sm[0]).as("softmax over a row with NaN, n=" + n).isNaN();
            k.softmaxRows(b, 0, sm, 0, 1, n, true);
            assertThat(sm[0]).as("log-softmax over a row with NaN, n=" + n).isNaN();
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void longSumsStayAccurate(Kernels k) {
        int n = 10_000_000;
        float[] a = new float[n];
        Rng rng = new Rng(5);
        double exact = 0;
        for (int i = 0; i < n; i++) {
            a[i] = rng.nextFloat();
            exact += a[i];
        }
        double rel = Math.abs(k.sum(a, 0, n) - exact) / exact;
        assertThat(rel).as("relative error of a 10M-element sum").isLessThan(1e-7);
        for (int m : new int[] {1, 3, 7, 17, 33, 257, 1031}) {
            double e = 0;
            for (int i = 0; i < m; i++) e += a[i];
            assertThat((double) k.sum(a, 0, m)).as("n=" + m).isCloseTo(e, org.assertj.core.api.Assertions.within(1e-5 * m));
        }
    }

    static void checkGemm(Kernels k, Rng rng, boolean ta, boolean tb, int m, int n, int kk, boolean accumulate) {
        float[] a = random(rng, m * kk), b = random(rng, kk * n);
        int lda = ta ? m : kk, ldb = tb ? kk : n;
        float[] c = accumulate ? random(rng, m * n) : new float[m * n];
        float[] c0 = c.clone();
        k.gemm(ta, tb, m, n, kk, a, 0, lda, b, 0, ldb, c, 0, n, accumulate);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = accumulate ? c0[i * n + j] : 0, abs = accumulate ? Math.abs(c0[i * n + j]) : 0;
                for (int p = 0; p < kk; p++) {
                    double x = ta ? a[p * lda + i] : a[i * lda + p];
                    double y = tb ? b[j * ldb + p] : b[p * ldb + j];
                    s += x * y;
                    abs += Math.abs(x * y);
                }
                double tol = 2.0 * (kk + 1) * 0x1p-24 * abs + 1e-6;
                double got = c[i * n + j];
                if (!(Math.abs(got - s) <= tol)) {
                    throw new AssertionError(k.name() + " gemm transA=" + ta + " transB=" + tb + " m=" + m + " n=" + n + " k=" + kk
                            + " accumulate=" + accumulate + ": C[" + i + "," + j + "] = " + got + ", expected " + s + " ± " + tol);
                }
            }
        }
    }

    /**
     * Every form, on shapes that take the packed paths (permuted steps, transposing packs, the
     * transposed store, several K blocks), with offsets and padded leading dimensions, in arrays
     * no larger than they need: the result is right and nothing outside C is written.
     */
    @ParameterizedTest
    @MethodSource("providers")
    void gemmRespectsOffsetsAndLeadingDimensionsInEveryForm(Kernels k) {
        Rng rng = new Rng(31);
        for (int[] s : new int[][] {{37, 100, 67}, {100, 37, 67}, {33, 300, 1100}, {130, 70, 300}}) {
            int m = s[0], n = s[1], kk = s[2];
            for (int form = 0; form < 4; form++) {
                boolean ta = (form & 1) != 0, tb = (form & 2) != 0;
                for (boolean acc : new boolean[] {false, true}) {
                    // op(A) is m×kk: stored kk×m when transposed; op(B) is kk×n: stored n×kk when transposed
                    int aRows = ta ? kk : m, aCols = ta ? m : kk, bRows = tb ? n : kk, bCols = tb ? kk : n;
                    int lda = aCols + 3, ldb = bCols + 5, ldc = n + 2, ao = 3, bo = 5, co = 7;
                    float[] a = random(rng, ao + (aRows - 1) * lda + aCols), b = random(rng, bo + (bRows - 1) * ldb + bCols);
                    float[] c = random(rng, co + (m - 1) * ldc + n);
                    float[] before = c.clone();
                    k.gemm(ta, tb, m, n, kk, a, ao, lda, b, bo, ldb, c, co, ldc, acc);
                    String what = k.name() + " " + java.util.Arrays.toString(s) + " transA=" + ta + " transB=" + tb + " accumulate=" + acc;
                    for (int idx = 0; idx < c.length; idx++) {
                        int r = (idx - co) / ldc, j = (idx - co) % ldc;
                        if (idx < co || j >= n) {
                            assertEquals(before[idx], c[idx], what + ": element " + idx + " outside C must be untouched");
                            continue;
                        }
                        double sum = acc ? before[idx] : 0, abs = acc ? Math.abs(before[idx]) : 0;
                        for (int p = 0; p < kk; p++) {
                            double x = ta ? a[ao + p * lda + r] : a[ao + r * lda + p];
                            double y = tb ? b[bo + j * ldb + p] : b[bo + p * ldb + j];
                            sum += x * y;
                            abs += Math.abs(x * y);
                        }
                        assertEquals(sum, c[idx], 2.0 * (kk + 1) * 0x1p-24 * abs + 1e-6, what + ": C[" + r + "," + j + "]");
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void gemmRespectsOffsetsAndLeadingDimensions(Kernels k) {
        Rng rng = new Rng(3);
        int m = 5, n = 37, kk = 19, lda = 23, ldb = 41, ldc = 40, ao = 3, bo = 5, co = 7;
        float[] a = random(rng, ao + m * lda), b = random(rng, bo + kk * ldb), c = random(rng, co + m * ldc);
        float[] before = c.clone();
        k.gemm(false, false, m, n, kk, a, ao, lda, b, bo, ldb, c, co, ldc, false);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < ldc; j++) {
                int idx = co + i * ldc + j;
                if (j >= n) {
                    assertEquals(before[idx], c[idx], "padding column " + j + " of row " + i + " must be untouched");
                    continue;
                }
                double s = 0;
                for (int p = 0; p < kk; p++) s += (double) a[ao + i * lda + p] * b[bo + p * ldb + j];
                assertEquals(s, c[idx], 1e-4);
            }
        }
        for (int i = 0; i < co; i++) assertEquals(before[i], c[i]);
    }

    @ParameterizedTest
    @MethodSource("providers")
    void gemmIsBitIdenticalForOneAndTwoThreads(Kernels k) {
        Rng rng = new Rng(11);
        // the last three take the few-rows path (batch-1 layers; 3 × 100 × 130: split in two chunks, K not a multiple of the lanes)
        int[][] shapes = {{64, 256, 784}, {256, 784, 64}, {64, 784, 256}, {300, 300, 300}, {1000, 33, 17}, {7, 1000, 513},
                {1, 256, 784}, {1, 128, 256}, {3, 100, 130}};
        for (int[] s : shapes) {
            for (int form = 0; form < 3; form++) {
                boolean ta = form == 1, tb = form == 2;
                float[] a = random(rng, s[0] * s[2]), b = random(rng, s[2] * s[1]);
                float[] c1 = new float[s[0] * s[1]], c2 = new float[s[0] * s[1]];
                Parallel.setThreads(1);
                k.gemm(ta, tb, s[0], s[1], s[2], a, 0, ta ? s[0] : s[2], b, 0, tb ? s[2] : s[1], c1, 0, s[1], false);
                Parallel.setThreads(2);
                k.gemm(ta, tb, s[0], s[1], s[2], a, 0, ta ? s[0] : s[2], b, 0, tb ? s[2] : s[1], c2, 0, s[1], false);
                for (int i = 0; i < c1.length; i++) {
                    if (Float.floatToRawIntBits(c1[i]) != Float.floatToRawIntBits(c2[i])) {
                        throw new AssertionError(k.name() + " shape " + java.util.Arrays.toString(s) + " form " + form
                                + ": element " + i + " differs between 1 and 2 threads: " + c1[i] + " vs " + c2[i]);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void elementwiseKernelsMatchReference(Kernels k) {
        Rng rng = new Rng(5);
        for (int n : SIZES) {
            float[] a = random(rng, n + 3), b = random(rng, n + 3);
            for (int i = 0; i < b.length; i++) if (Math.abs(b[i]) < 0.05f) b[i] = 0.5f;
            float[] out = new float[n + 5];
            k.add(a, 1, b, 2, out, 3, n);
            for (int i = 0; i < n; i++) assertEquals(a[1 + i] + b[2 + i], out[3 + i], 0f, "add n=" + n);
            k.sub(a, 1, b, 2, out, 3, n);
            for (int i = 0; i < n; i++) assertEquals(a[1 + i] - b[2 + i], out[3 + i], 0f, "sub n=" + n);
            k.mul(a, 1, b, 2, out, 3, n);
            for (int i = 0; i < n; i++) assertEquals(a[1 + i] * b[2 + i], out[3 + i], 0f, "mul n=" + n);
            k.div(a, 1, b, 2, out, 3, n);
            for (int i = 0; i < n; i++) assertEquals(a[1 + i] / b[2 + i], out[3 + i], 0f, "div n=" + n);
            k.scaleShift(a, 0, 2.5f, -1f, out, 0, n);
            for (int i = 0; i < n; i++) assertEquals(a[i] * 2.5f - 1f, out[i], 1e-6f, "scaleShift n=" + n);
            float[] y = b.clone();
            k.axpy(0.5f, a, 0, y, 0, n);
            for (int i = 0; i < n; i++) assertEquals(b[i] + 0.5f * a[i], y[i], 1e-6f, "axpy n=" + n);
            y = b.clone();
            k.addProduct(a, 0, a, 1, y, 0, n);
            for (int i = 0; i < n; i++) assertEquals(b[i] + a[i] * a[i + 1], y[i], 1e-6f, "addProduct n=" + n);
            k.relu(a, 0, out, 0, n);
            for (int i = 0; i < n; i++) assertEquals(Math.max(a[i], 0f), out[i], 0f, "relu n=" + n);
            y = b.clone();
            k.reluBackward(a, 0, b, 1, y, 0, n);
            for (int i = 0; i < n; i++) assertEquals(b[i] + (a[i] > 0 ? b[i + 1] : 0f), y[i], 0f, "reluBackward n=" + n);
            k.exp(a, 0, out, 0, n);
            for (int i = 0; i < n; i++) assertEquals(Math.exp(a[i]), out[i], 1e-6 * Math.exp(a[i]), "exp n=" + n);
            k.tanh(a, 0, out, 0, n);
            for (int i = 0; i < n; i++) assertEquals(Math.tanh(a[i]), out[i], 1e-6, "tanh n=" + n);
            k.sigmoid(a, 0, out, 0, n);
            for (int i = 0; i < n; i++) assertEquals(1 / (1 + Math.exp(-a[i])), out[i], 1e-6, "sigmoid n=" + n);
            float[] pos = a.clone();
            for (int i = 0; i < pos.length; i++) pos[i] = Math.abs(pos[i]) + 0.1f;
            k.log(pos, 0, out, 0, n);
            for (int i = 0; i < n; i++) assertEquals(Math.log(pos[i]), out[i], 1e-6, "log n=" + n);
            double s = 0, sa = 0, d = 0;
            float mx = a[0];
            for (int i = 0; i < n; i++) {
                s += a[i];
                sa += Math.abs(a[i]);
                d += (double) a[i] * b[i];
                mx = Math.max(mx, a[i]);
            }
            assertEquals(s, k.sum(a, 0, n), 2 * n * 0x1p-24 * sa + 1e-7, "sum n=" + n);
            assertEquals(d, k.dot(a, 0, b, 0, n), 2 * n * 0x1p-24 * sa + 1e-6, "dot n=" + n);
            assertEquals(mx, k.max(a, 0, n), 0f, "max n=" + n);
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void maxPropagatesNaN(Kernels k) {
        float[] a = new float[40];
        a[33] = Float.NaN;
        assertThat(k.max(a, 0, 40)).isNaN();
    }

    @ParameterizedTest
    @MethodSource("providers")
    void softmaxRowsMatchReferenceAndStayFinite(Kernels k) {
        Rng rng = new Rng(9);
        for (int cols : SIZES) {
            int rows = 3;
            float[] x = random(rng, rows * cols);
            for (int i = 0; i < x.length; i++) x[i] *= (i % 2 == 0 ? 1e4f : 5f);
            float[] sm = new float[x.length], lsm = new float[x.length];
            k.softmaxRows(x, 0, sm, 0, rows, cols, false);
            k.softmaxRows(x, 0, lsm, 0, rows, cols, true);
            for (int r = 0; r < rows; r++) {
                double m = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < cols; j++) m = Math.max(m, x[r * cols + j]);
                double z = 0;
                for (int j = 0; j < cols; j++) z += Math.exp(x[r * cols + j] - m);
                double total = 0;
                for (int j = 0; j < cols; j++) {
                    double ref = Math.exp(x[r * cols + j] - m) / z;
                    double lref = x[r * cols + j] - m - Math.log(z);
                    assertThat(sm[r * cols + j]).isFinite();
                    assertThat(lsm[r * cols + j]).isFinite();
                    assertEquals(ref, sm[r * cols + j], 1e-6, "softmax cols=" + cols);
                    assertEquals(lref, lsm[r * cols + j], 1e-5 * Math.max(1, Math.abs(lref)), "log-softmax cols=" + cols);
                    total += sm[r * cols + j];
                }
                assertEquals(1.0, total, 1e-5);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void sumRowsMatchesReference(Kernels k) {
        Rng rng = new Rng(2);
        for (int cols : SIZES) {
            int rows = 5;
            float[] x = random(rng, rows * cols), out = random(rng, cols), before = out.clone();
            k.sumRows(x, 0, rows, cols, out, 0, true);
            for (int j = 0; j < cols; j++) {
                double s = before[j];
                for (int r = 0; r < rows; r++) s += x[r * cols + j];
                assertEquals(s, out[j], 1e-5);
            }
        }
    }

    /** Unsigned bytes to floats: every byte value, at offsets, on awkward sizes, bit for bit the scaled value of the byte held as a float. */
    @ParameterizedTest
    @MethodSource("providers")
    void bytesToFloatsIsTheScaledValueOfEachByte(Kernels k) {
        byte[] src = new byte[1000];
        for (int i = 0; i < src.length; i++) src[i] = (byte) (i * 37 + (i >> 8));
        for (double scale : new double[] {1.0, 1 / 255.0, 1 / 16.0, 0.1, -3.25e-3}) {
            for (int n : SIZES) {
                float[] out = new float[n + 5];
                java.util.Arrays.fill(out, Float.NaN);
                k.bytesToFloats(src, 3, scale, out, 2, n);
                for (int i = 0; i < n; i++) {
                    float want = (float) ((float) (src[3 + i] & 0xFF) * scale);
                    if (Float.floatToRawIntBits(out[2 + i]) != Float.floatToRawIntBits(want)) {
                        throw new AssertionError(k.name() + " n=" + n + " scale=" + scale + " element " + i + ": " + out[2 + i] + ", expected " + want);
                    }
                }
                assertThat(out[0]).isNaN();
                assertThat(out[1]).isNaN();
                assertThat(out[n + 2]).as("nothing written past n").isNaN();
            }
        }
        byte[] all = new byte[256];
        for (int v = 0; v < 256; v++) all[v] = (byte) v;
        float[] out = new float[256];
        k.bytesToFloats(all, 0, 1.0, out, 0, 256);
        for (int v = 0; v < 256; v++) assertEquals(v, out[v]);
    }

    /**
     * Dropout masks: element i is {@link Kernels#dropoutBits}'s draw for (key, i) against the
     * threshold, bit for bit on every provider, at offsets and awkward sizes (a longer mask starts
     * as a shorter one); the kept share matches 1 − p; another key gives another mask; a
     * threshold of 0 keeps everything and the largest one keeps only draws at the top.
     */
    @ParameterizedTest
    @MethodSource("providers")
    void dropoutMaskIsTheKeyedDrawOfEachElement(Kernels k) {
        long key = 0x9E3779B97F4A7C15L;
        for (float p : new float[] {0.1f, 0.25f, 0.5f, 0.9f}) {
            int keepFrom = (int) Math.ceil(p * 0x1p24);
            float scale = 1f / (1f - p);
            float[] shorter = null;
            for (int n : SIZES) {
                float[] mask = new float[n + 5];
                java.util.Arrays.fill(mask, Float.NaN);
                k.dropoutMask(key, keepFrom, scale, mask, 3, n);
                for (int i = 0; i < n; i++) {
                    int bits = Kernels.dropoutBits(key, i) >>> 8;
                    float want = bits * 0x1p-24f >= p ? scale : 0f;
                    if (Float.floatToRawIntBits(mask[3 + i]) != Float.floatToRawIntBits(want)) {
                        throw new AssertionError(k.name() + " p=" + p + " n=" + n + " element " + i + ": " + mask[3 + i] + ", expected " + want);
                    }
                }
                assertThat(mask[2]).isNaN();
                assertThat(mask[n + 3]).as("nothing written past n").isNaN();
                if (shorter != null) {
                    int m = shorter.length - 5;
                    assertThat(java.util.Arrays.copyOfRange(mask, 3, 3 + m)).isEqualTo(java.util.Arrays.copyOfRange(shorter, 3, 3 + m));
                }
                shorter = mask;
            }
            int n = 100_000, kept = 0;
            float[] mask = new float[n];
            k.dropoutMask(key, keepFrom, scale, mask, 0, n);
            for (float v : mask) if (v != 0f) kept++;
            // binomial(100000, 1 - p): sd at most 158; ±1000 is over 6 sd
            assertThat(kept).as("kept at p=" + p).isBetween((int) (n * (1 - p)) - 1000, (int) (n * (1 - p)) + 1000);
            for (long otherKey : new long[] {key ^ 1, key ^ (1L << 40)}) { // one bit of the low half, of the high half
                float[] other = new float[n];
                k.dropoutMask(otherKey, keepFrom, scale, other, 0, n);
                int same = 0;
                for (int i = 0; i < n; i++) if ((mask[i] != 0f) == (other[i] != 0f)) same++;
                // independent masks agree at p² + (1-p)² of the elements (sd at most 158)
                double agree = p * p + (1 - p) * (1 - p);
                assertThat(same).as("masks of keys differing in one bit").isBetween((int) (n * agree) - 1000, (int) (n * agree) + 1000);
            }
        }
        float[] all = new float[SIZES[SIZES.length - 1]];
        k.dropoutMask(key, 0, 2f, all, 0, all.length);
        for (float v : all) assertEquals(2f, v);
        k.dropoutMask(key, (1 << 24) - 1, 2f, all, 0, all.length);
        for (int i = 0; i < all.length; i++) assertEquals(Kernels.dropoutBits(key, i) >>> 8 == (1 << 24) - 1 ? 2f : 0f, all[i]);
    }

    /**
     * The LSTM time loops ({@link Recurrence}) on the vector kernels against the scalar ones, at
     * sizes that leave edges everywhere: 150 sequences (nine chunks of 16 and one of 6), 4H = 524 (a
     * partial panel; two K blocks of the backward product), 1050 rows of steps (two K blocks of
     * the weight-gradient product), variable lengths, reverse. Run at every vector width.
     */
    @Test
    void lstmTimeLoopsAgreeWithScalar() {
        lstmAgrees(150, 7, 11, 131);
    }

    /**
     * More inputs and hidden units than 1024 rows of the weight-gradient product, with 4H = 20 a
     * partial panel at every vector width: the edge blocks of one call are more than the first 1024 rows' worth.
     */
    @Test
    void lstmTimeLoopsTakeWideInputs() {
        lstmAgrees(3, 2, 1030, 5);
    }

    /**
     * The bias gradients come from the packed gate gradients inside the weight-gradient tasks when
     * the weights want gradients too, else from {@link Kernels#sumRows}: the same bits either way,
     * on both providers; and leaving out dh0 (its product skipped) changes no other gradient.
     */
    @Test
    void lstmGradientsDoNotDependOnWhichOthersAreWanted() {
        int bsz = 37, tLen = 3, in = 11, hid = 37, g = 4 * hid, bh = bsz * hid, outN = bsz * tLen * hid + 2 * bh;
        Rng rng = new Rng(9);
        float[] x = random(rng, bsz * tLen * in), h0 = random(rng, bh), c0 = random(rng, bh);
        float[] wih = random(rng, g * in), whh = random(rng, g * hid), bsum = random(rng, g), gOut = random(rng, outN);
        float[] gO = java.util.Arrays.copyOfRange(gOut, 0, bsz * tLen * hid), gH = java.util.Arrays.copyOfRange(gOut, bsz * tLen * hid, bsz * tLen * hid + bh);
        float[] gC = java.util.Arrays.copyOfRange(gOut, bsz * tLen * hid + bh, outN);
        int[] len = new int[bsz];
        for (int b = 0; b < bsz; b++) len[b] = 1 + rng.nextInt(tLen);
        for (Kernels k : new Kernels[] {KernelProvider.scalar(), vectorKernels()}) {
            float[][] all = null;
            for (int variant = 0; variant < 3; variant++) {
                boolean weights = variant != 1, wantDh0 = variant != 2;
                float[] out = new float[bsz * tLen * hid], hn = new float[bh], cn = new float[bh], dx = new float[x.length], dh0 = wantDh0 ? new float[bh] : null, dc0 = new float[bh];
                float[] dWih = weights ? new float[wih.length] : null, dWhh = weights ? new float[whh.length] : null, db = new float[g];
                Recurrence.Workspace w = new Recurrence.Workspace();
                Recurrence.lstmForward(k, w, bsz, tLen, in, hid, len, tLen, false, x, h0, c0, wih, whh, bsum, out, hn, cn);
                Recurrence.lstmBackward(k, w, bsz, tLen, in, hid, len, tLen, false, gO, gH, gC, wih, whh, dx, dh0, dc0, dWih, dWhh, db, null);
                if (all == null) {
                    all = new float[][] {dx, dh0, dc0, dWih, dWhh, db};
                    continue;
                }
                assertThat(db).as("%s bias gradients, variant %d", k.name(), variant).containsExactly(all[5]);
                assertThat(dx).containsExactly(all[0]);
                assertThat(dc0).containsExactly(all[2]);
                if (wantDh0) assertThat(dh0).containsExactly(all[1]);
                if (weights) {
                    assertThat(dWih).containsExactly(all[3]);
                    assertThat(dWhh).containsExactly(all[4]);
                }
            }
        }
    }

    /**
     * The weight-gradient tasks on two threads (work above {@link Recurrence#PARALLEL_MIN}, several
     * tasks of panels, a partial panel): the bias gradients are, bit for bit, the plain sums of the
     * gate gradients over the rows of steps in order, and every gradient is the same on 1 and 2 threads.
     */
    @Test
    void lstmWeightGradientTasksInParallelSumBiasesInRowOrder() {
        int bsz = 64, tLen = 3, in = 11, hid = 37, g = 4 * hid, bh = bsz * hid, outN = bsz * tLen * hid + 2 * bh;
        assertThat((long) Recurrence.zStride(in, hid) * g * bsz * tLen).isGreaterThanOrEqualTo(Recurrence.PARALLEL_MIN);
        Rng rng = new Rng(12);
        float[] x = random(rng, bsz * tLen * in), h0 = random(rng, bh), c0 = random(rng, bh);
        float[] wih = random(rng, g * in), whh = random(rng, g * hid), bsum = random(rng, g), gOut = random(rng, outN);
        float[] gO = java.util.Arrays.copyOfRange(gOut, 0, bsz * tLen * hid), gH = java.util.Arrays.copyOfRange(gOut, bsz * tLen * hid, bsz * tLen * hid + bh);
        float[] gC = java.util.Arrays.copyOfRange(gOut, bsz * tLen * hid + bh, outN);
        int[] len = new int[bsz];
        java.util.Arrays.fill(len, tLen);
        for (Kernels k : new Kernels[] {KernelProvider.scalar(), vectorKernels()}) {
            float[][] first = null;
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                float[] out = new float[bsz * tLen * hid], hn = new float[bh], cn = new float[bh], dx = new float[x.length], dh0 = new float[bh], dc0 = new float[bh];
                float[] dWih = new float[wih.length], dWhh = new float[whh.length], db = new float[g];
                Recurrence.Workspace w = new Recurrence.Workspace();
                Recurrence.lstmForward(k, w, bsz, tLen, in, hid, len, tLen, false, x, h0, c0, wih, whh, bsum, out, hn, cn);
                Recurrence.lstmBackward(k, w, bsz, tLen, in, hid, len, tLen, false, gO, gH, gC, wih, whh, dx, dh0, dc0, dWih, dWhh, db, null);
                for (int j = 0; j < g; j++) { // the gate gradients are left in w.acts, row (step s, sequence b) at (s·B + b)·4H
                    float sum = 0f;
                    for (int r = 0; r < tLen * bsz; r++) sum += w.acts[r * g + j];
                    assertThat(Float.floatToRawIntBits(db[j])).as("%s on %d threads: bias gradient %d", k.name(), threads, j)
                            .isEqualTo(Float.floatToRawIntBits(0f + sum));
                }
                float[][] all = {out, hn, cn, dx, dh0, dc0, dWih, dWhh, db};
                if (first == null) first = all;
                else for (int i = 0; i < all.length; i++) assertThat(all[i]).as("%s array %d on 2 threads", k.name(), i).containsExactly(first[i]);
            }
        }
    }

    /** Panels packed in runs (as the forward's parallel tasks pack them) are what one pack of all of them writes. */
    @Test
    void packingPanelsInRunsWritesWhatOnePackWrites() {
        Rng rng = new Rng(21);
        for (Kernels k : new Kernels[] {KernelProvider.scalar(), vectorKernels()}) {
            RecurrentOps rg = RecurrentOps.of(k);
            for (int n : new int[] {1, rg.nr(), 3 * rg.nr() + 5, 148}) {
                int in = 11, hid = 37, kk = in + hid, panels = (n + rg.nr() - 1) / rg.nr();
                float[] wih = random(rng, n * in), whh = random(rng, n * hid);
                float[] whole = new float[rg.packedSize(kk, n)], runs = new float[whole.length];
                java.util.Arrays.fill(runs, Float.NaN); // every float must be written
                rg.packSteps(true, kk, 0, in, n, wih, 0, in, whole);
                rg.packSteps(true, kk, in, hid, n, whh, 0, hid, whole);
                for (int t = 0; t < 3; t++) {
                    int q0 = t * panels / 3, q1 = (t + 1) * panels / 3;
                    rg.packPanels(true, kk, 0, in, n, wih, 0, in, runs, q0, q1);
                    rg.packPanels(true, kk, in, hid, n, whh, 0, hid, runs, q0, q1);
                }
                assertThat(runs).as("%s, n = %d", k.name(), n).containsExactly(whole);
            }
        }
    }

    private void lstmAgrees(int bsz, int tLen, int in, int hid) {
        int g = 4 * hid, bh = bsz * hid, outN = bsz * tLen * hid + 2 * bh;
        Rng rng = new Rng(8);
        float[] x = random(rng, bsz * tLen * in), h0 = random(rng, bh), c0 = random(rng, bh);
        float[] wih = random(rng, g * in), whh = random(rng, g * hid), bsum = random(rng, g), gOut = random(rng, outN);
        float[] gO = java.util.Arrays.copyOfRange(gOut, 0, bsz * tLen * hid), gH = java.util.Arrays.copyOfRange(gOut, bsz * tLen * hid, bsz * tLen * hid + bh);
        float[] gC = java.util.Arrays.copyOfRange(gOut, bsz * tLen * hid + bh, outN);
        int[] len = new int[bsz];
        for (int b = 0; b < bsz; b++) len[b] = 1 + rng.nextInt(tLen);
        len[bsz / 2] = tLen; // every step runs: tLen·bsz rows of steps
        Kernels[] ks = {KernelProvider.scalar(), vectorKernels()};
        for (boolean reverse : new boolean[] {false, true}) {
            float[][][] res = new float[2][][];
            for (int v = 0; v < 2; v++) {
                float[] out = new float[bsz * tLen * hid], hn = new float[bh], cn = new float[bh], dx = new float[x.length], dh0 = new float[bh], dc0 = new float[bh];
                float[] dWih = new float[wih.length], dWhh = new float[whh.length], db = new float[g], db2 = new float[g];
                Recurrence.Workspace w = new Recurrence.Workspace();
                Recurrence.lstmForward(ks[v], w, bsz, tLen, in, hid, len, tLen, reverse, x, h0, c0, wih, whh, bsum, out, hn, cn);
                Recurrence.lstmBackward(ks[v], w, bsz, tLen, in, hid, len, tLen, reverse, gO, gH, gC, wih, whh, dx, dh0, dc0, dWih, dWhh, db, db2);
                assertThat(db2).containsExactly(db);
                res[v] = new float[][] {out, hn, cn, dx, dh0, dc0, dWih, dWhh, db};
            }
            for (int a = 0; a < res[0].length; a++) {
                float[] e = res[0][a], got = res[1][a];
                for (int i = 0; i < e.length; i++) {
                    assertThat(got[i]).as("reverse=%s array %d [%d]", reverse, a, i).isCloseTo(e[i], within(2e-4f * Math.max(1f, Math.abs(e[i]))));
                }
            }
        }
    }
}
