package dev.machina.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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

    /**
     * The GRU cell and its backward in vector lanes give the scalar cell's bits (the same float
     * operations, lane by lane), over sizes with and without a scalar tail and at offsets; the
     * scalar cell is PyTorch's GRU step (checked in double with Math.exp and Math.tanh).
     */
    @Test
    void gruCellIsTheScalarCellBitForBit() {
        Rng rng = new Rng(47);
        RecurrentOps scalar = RecurrentOps.Scalar.INSTANCE;
        for (int hid : new int[] {1, 5, 16, ops.nr() + 3, 37, 128}) {
            int g = 3 * hid, xo = 3, ho = 5, a = 2, hn = 1, prev = 4, next = prev + hid + 2, o = 6, go = 7, dh = 2, dn = 3;
            float[] xg = scaled(KernelsTest.random(rng, xo + g), 3f), hg = scaled(KernelsTest.random(rng, ho + g), 3f);
            float[] hs0 = KernelsTest.random(rng, next + hid), gOut = KernelsTest.random(rng, go + hid), dhs0 = KernelsTest.random(rng, dh + hid);
            float[][][] fw = new float[2][][], bw = new float[2][][];
            RecurrentOps[] both = {scalar, ops};
            for (int v = 0; v < 2; v++) {
                float[] acts = new float[a + g], hns = new float[hn + hid], hs = hs0.clone(), out = new float[o + hid];
                both[v].gruCell(hid, xg, xo, hg, ho, acts, a, hns, hn, hs, prev, next, out, o);
                float[] dhs = dhs0.clone(), dNext = new float[dn + hid], dxg = new float[xo + g], dhg = new float[ho + g];
                both[v].gruCellBackward(hid, acts, a, hns, hn, hs, prev, dhs, dh, gOut, go, dNext, dn, dxg, xo, dhg, ho);
                fw[v] = new float[][] {acts, hns, hs, out};
                bw[v] = new float[][] {dhs, dNext, dxg, dhg};
                if (v == 0) { // the definition, in double
                    for (int j = 0; j < hid; j++) {
                        double r = 1 / (1 + Math.exp(-(xg[xo + j] + hg[ho + j]))), z = 1 / (1 + Math.exp(-(xg[xo + hid + j] + hg[ho + hid + j])));
                        double n = Math.tanh(xg[xo + 2 * hid + j] + r * hg[ho + 2 * hid + j]);
                        double h = (1 - z) * n + z * hs0[prev + j];
                        assertThat((double) out[o + j]).as("h' hid=%d j=%d", hid, j).isCloseTo(h, within(1e-6));
                        double d = dhs0[dh + j] + gOut[go + j], dnp = d * (1 - z) * (1 - n * n);
                        assertThat((double) dxg[xo + 2 * hid + j]).isCloseTo(dnp, within(1e-5));
                        assertThat((double) dhg[ho + j]).isCloseTo(dnp * hg[ho + 2 * hid + j] * r * (1 - r), within(1e-5));
                        assertThat((double) dhg[ho + hid + j]).isCloseTo(d * (hs0[prev + j] - n) * z * (1 - z), within(1e-5));
                        assertThat((double) dNext[dn + j]).isCloseTo(d * z, within(1e-6));
                    }
                }
            }
            for (int x = 0; x < 4; x++) {
                for (int i = 0; i < fw[0][x].length; i++)
                    assertThat(Float.floatToRawIntBits(fw[1][x][i])).as("forward hid=%d array %d [%d]", hid, x, i).isEqualTo(Float.floatToRawIntBits(fw[0][x][i]));
                for (int i = 0; i < bw[0][x].length; i++)
                    assertThat(Float.floatToRawIntBits(bw[1][x][i])).as("backward hid=%d array %d [%d]", hid, x, i).isEqualTo(Float.floatToRawIntBits(bw[0][x][i]));
            }
        }
    }

    private static float[] scaled(float[] a, float f) {
        for (int i = 0; i < a.length; i++) a[i] *= f;
        return a;
    }
}
