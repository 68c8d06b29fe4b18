package dev.machina.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.tensor.Rng;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Kernels#linear}, the fused forward of a linear layer: bit for bit the bias copied into
 * y, {@link Kernels#gemm} adding x·Wᵀ and {@link Kernels#relu} over y, on both providers, 1 and
 * 2 threads, awkward sizes and every GEMM path (a few rows, the transposed store, the packed
 * tiles, products done in halves), with NaN, -0 and a ReLU that zeroes about half of y.
 */
class LinearKernelTest {
    private final int savedThreads = Parallel.threads();
    private final long savedSharedMax = GemmPlan.sharedMax;

    @AfterEach
    void restore() {
        Parallel.setThreads(savedThreads);
        GemmPlan.sharedMax = savedSharedMax;
    }

    static Stream<Kernels> providers() {
        return KernelsTest.providers();
    }

    /** {m, n, k}: batch 1 through the bench MLP's layers, a few rows, the transposed store (m < n), packed tiles, k = 0. */
    private static final int[][] SHAPES = {{1, 1, 1}, {1, 256, 784}, {1, 128, 256}, {1, 10, 128}, {3, 7, 17}, {4, 33, 257}, {5, 17, 3},
        {7, 257, 33}, {17, 13, 8}, {33, 300, 5}, {32, 70, 50}, {64, 1030, 20}, {257, 64, 100}, {1000, 10, 128}, {300, 300, 300}, {6, 9, 0}};

    /** The shared-buffer limit under which the test's products are done in halves. */
    private static final long HALVES_SHARED_MAX = 5_000;

    @Test
    void theShapesTakeEveryPathOfTheVectorGemmAtThisVectorWidth() {
        // which path a shape takes depends on the vector width (MR, NR): check that SHAPES still covers them all
        Parallel.setThreads(2);
        boolean transposed = false, packed = false, multiTask = false, halves = false;
        for (int[] s : SHAPES) {
            int m = s[0], n = s[1], k = s[2];
            if (m <= GemmSmallM.SMALL_M || k == 0) continue; // the few-row path
            boolean t = VectorGemm.storesTransposed(false, true, m, n, k);
            int[] p = GemmPlan.tiling(false, true, m, n, k); // {mc, nc, tile rows, tile columns, A shared, tasks}, of Cᵀ when transposed
            int pm = t ? n : m, pn = t ? m : n; // the rows and columns of the product the plan computes
            transposed |= t;
            packed |= !t;
            multiTask |= p[5] > 1;
            // run() splits a shared A of more than sharedMax floats by rows, a shared B (several tile rows) by columns
            halves |= p[4] == 1 && (long) pm * k > HALVES_SHARED_MAX && pm > VectorGemm.MR
                    || p[2] > 1 && (long) pn * k > HALVES_SHARED_MAX && pn > VectorGemm.NR;
        }
        assertThat(transposed).as("a shape takes the transposed store").isTrue();
        assertThat(packed).as("a shape takes the packed tiles").isTrue();
        assertThat(multiTask).as("a shape is cut into several tasks on 2 threads").isTrue();
        assertThat(halves).as("a shape is done in halves with sharedMax " + HALVES_SHARED_MAX).isTrue();
    }

    @ParameterizedTest
    @MethodSource("providers")
    void linearHasTheBitsOfBiasThenProductThenRelu(Kernels k) {
        Rng rng = new Rng(17);
        for (int[] s : SHAPES) {
            int m = s[0], n = s[1], kk = s[2];
            float[] x = KernelsTest.random(rng, m * kk), w = KernelsTest.random(rng, n * kk), bias = KernelsTest.random(rng, n);
            if (m > 1 && kk > 2) {
                x[(m - 1) * kk + 1] = Float.NaN; // the last row of y is NaN, and stays NaN through the ReLU
                x[2] = -0f;
            }
            bias[0] = -0f;
            for (boolean withBias : new boolean[] {true, false}) {
                for (boolean relu : new boolean[] {true, false}) {
                    for (int threads : new int[] {1, 2}) {
                        for (boolean halves : new boolean[] {false, true}) {
                            Parallel.setThreads(threads);
                            GemmPlan.sharedMax = halves ? HALVES_SHARED_MAX : savedSharedMax; // halves: the packed product split into parts
                            float[] b = withBias ? bias : null;
                            float[] expected = new float[m * n];
                            Arrays.fill(expected, 7f); // without a bias the product must overwrite what is there
                            float[] got = expected.clone();
                            if (b != null) for (int r = 0; r < m; r++) System.arraycopy(b, 0, expected, r * n, n);
                            k.gemm(false, true, m, n, kk, x, 0, kk, w, 0, kk, expected, 0, n, b != null);
                            if (relu) k.relu(expected, 0, expected, 0, m * n);
                            k.linear(m, n, kk, x, 0, w, 0, b, 0, relu, got, 0);
                            String what = k.name() + " " + Arrays.toString(s) + " bias=" + withBias + " relu=" + relu + " threads=" + threads + " halves=" + halves;
                            for (int i = 0; i < expected.length; i++) {
                                if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(got[i])) {
                                    throw new AssertionError(what + ": element " + i + " is " + got[i] + ", expected " + expected[i]);
                                }
                            }
                            if (relu && m * n > 1) {
                                long zeros = 0;
                                for (float v : got) if (v == 0f) zeros++;
                                assertThat(zeros).as(what + ": the ReLU zeroed some").isPositive();
                            }
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void linearWritesOnlyItsRowsAtAnOffset(Kernels k) {
        Rng rng = new Rng(3);
        int m = 9, n = 40, kk = 21, xOff = 5, wOff = 3, bOff = 2, yOff = 11;
        float[] x = KernelsTest.random(rng, xOff + m * kk), w = KernelsTest.random(rng, wOff + n * kk), b = KernelsTest.random(rng, bOff + n);
        float[] y = new float[yOff + m * n + 4];
        Arrays.fill(y, 5f);
        k.linear(m, n, kk, x, xOff, w, wOff, b, bOff, true, y, yOff);
        for (int i = 0; i < yOff; i++) assertThat(y[i]).isEqualTo(5f);
        for (int i = yOff + m * n; i < y.length; i++) assertThat(y[i]).isEqualTo(5f);
        float[] expected = new float[m * n];
        for (int r = 0; r < m; r++) System.arraycopy(b, bOff, expected, r * n, n);
        k.gemm(false, true, m, n, kk, x, xOff, kk, w, wOff, kk, expected, 0, n, true);
        k.relu(expected, 0, expected, 0, m * n);
        assertThat(Arrays.copyOfRange(y, yOff, yOff + m * n)).containsExactly(expected);
    }
}
