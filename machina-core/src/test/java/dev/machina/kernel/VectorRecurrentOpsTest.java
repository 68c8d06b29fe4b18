package dev.machina.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.tensor.Rng;
import org.junit.jupiter.api.Test;

/**
 * {@link VectorRecurrentOps}' products bit for bit against a plain loop: each element is one
 * chain of fused multiply-adds over K in order (from the bias for {@code rows}, from zero for
 * {@code rowsT}), whatever the K blocks, the row block or the panel it falls in. K crosses the
 * block lengths (512 for {@code rows}, 1024 for {@code rowsT}); rows past the last whole register
 * block, a partial last panel, offsets and padded leading dimensions.
 */
class VectorRecurrentOpsTest {
    /** At the width -Dmachina.simd.bits names, as KernelsTest (machina-core's pom runs this class at 128, 256 and 512 bits too). */
    private final RecurrentOps ops = RecurrentOps.of(KernelsTest.vectorKernels());

    @Test
    void rowsSumOverKInOrderFromTheBias() {
        Rng rng = new Rng(41);
        int nr = ops.nr();
        for (int k : new int[] {5, 512, 513, 1100}) {
            for (int rows : new int[] {1, 13, 19}) {
                int n = 2 * nr + 5, lda = k + 3, ldc = n + 2, ao = 7, co = 4;
                float[] a = KernelsTest.random(rng, ao + rows * lda), b = KernelsTest.random(rng, k * n);
                float[] bias = new float[(n + nr - 1) / nr * nr];
                for (int j = 0; j < n; j++) bias[j] = rng.nextFloat() * 2 - 1;
                float[] bp = new float[ops.packedSize(k, n)];
                ops.pack(false, k, n, b, 0, n, bp);
                float[] c = new float[co + rows * ldc];
                ops.rows(rows, n, k, a, ao, lda, bp, bias, c, co, ldc);
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < n; j++) {
                        float s = bias[j];
                        for (int p = 0; p < k; p++) s = Math.fma(a[ao + r * lda + p], b[p * n + j], s);
                        assertThat(Float.floatToRawIntBits(c[co + r * ldc + j])).as("rows k=%d rows=%d C[%d,%d]", k, rows, r, j)
                                .isEqualTo(Float.floatToRawIntBits(s));
                    }
                }
            }
        }
    }

    @Test
    void rowsTSumOverKInOrderFromZero() {
        Rng rng = new Rng(43);
        int nr = ops.nr();
        for (int k : new int[] {7, 1024, 1025, 2100}) {
            int rows = 16, n = 2 * nr + 5, lda = rows + 5, ldc = n + 3, ao = 2, bo = 9, co = 1;
            float[] a = KernelsTest.random(rng, ao + k * lda), b = KernelsTest.random(rng, k * n);
            float[] bp = new float[bo + ops.packedSize(k, n)], packed = new float[ops.packedSize(k, n)];
            ops.pack(false, k, n, b, 0, n, packed);
            System.arraycopy(packed, 0, bp, bo, packed.length);
            float[] c = new float[co + rows * ldc];
            ops.rowsT(rows, n, k, a, ao, lda, bp, bo, c, co, ldc);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < n; j++) {
                    float s = 0f;
                    for (int p = 0; p < k; p++) s = Math.fma(a[ao + p * lda + i], b[p * n + j], s);
                    assertThat(Float.floatToRawIntBits(c[co + i * ldc + j])).as("rowsT k=%d C[%d,%d]", k, i, j)
                            .isEqualTo(Float.floatToRawIntBits(s));
                }
            }
        }
    }
}
