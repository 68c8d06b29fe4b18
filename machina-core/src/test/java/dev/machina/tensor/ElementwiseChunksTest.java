package dev.machina.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.kernel.Kernels;
import dev.machina.kernel.Parallel;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * ReLU and dropout over tensors of several {@link Elementwise#CHUNK}s, which run in chunks on the
 * kernel threads: the same bits as the element-by-element definition, on 1 and 2 threads.
 */
class ElementwiseChunksTest {
    /** Three whole chunks and a partial one, as [3, N/3]. */
    private static final int N = 3 * Elementwise.CHUNK + 777;

    private static <T> T onThreads(int threads, Supplier<T> body) {
        int saved = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            return body.get();
        } finally {
            Parallel.setThreads(saved);
        }
    }

    /** {output, input gradient} of op on x, with upstream gradient g. */
    private static float[][] forwardBackward(float[] x, float[] g, java.util.function.Function<Tensor, Tensor> op) {
        Tensor in = Tensor.of(x.clone(), 3, x.length / 3).requiresGrad(true);
        Tensor out = op.apply(in);
        out.mul(Tensor.of(g, 3, g.length / 3)).sum().backward();
        return new float[][] {out.data().clone(), in.grad().data().clone()};
    }

    private static float[] uniform(long seed, int n) {
        return Tensor.uniform(new Rng(seed), -1f, 1f, n).data();
    }

    @Test
    void reluInChunksIsMaxWithZeroAndPassesTheGradientWherePositive() {
        float[] x = uniform(1, N), g = uniform(2, N);
        x[5] = 0f;
        x[Elementwise.CHUNK] = -0f;
        for (int threads : new int[] {1, 2}) {
            float[][] r = onThreads(threads, () -> forwardBackward(x, g, Tensor::relu));
            for (int i = 0; i < N; i++) {
                assertThat(r[0][i]).as("relu(x[%d]) on %d threads", i, threads).isEqualTo(Math.max(x[i], 0f));
                assertThat(r[1][i]).as("gradient at %d on %d threads", i, threads).isEqualTo(x[i] > 0f ? g[i] : 0f);
            }
        }
    }

    @Test
    void dropoutInChunksKeepsElementIByTheKeyedDrawOfI() {
        float[] x = uniform(3, N), g = uniform(4, N);
        float p = 0.3f, scale = 1f / (1f - p);
        int keepFrom = (int) Math.ceil(p * 0x1p24);
        for (long seed : new long[] {7, 11}) {
            long key = new Rng(seed).nextLong();
            float[][] one = onThreads(1, () -> forwardBackward(x, g, t -> t.dropout(p, new Rng(seed))));
            float[][] two = onThreads(2, () -> forwardBackward(x, g, t -> t.dropout(p, new Rng(seed))));
            int kept = 0;
            for (int i = 0; i < N; i++) {
                boolean keep = Kernels.dropoutBits(key, i) >>> 8 >= keepFrom;
                if (keep) kept++;
                assertThat(one[0][i]).as("dropout output at %d", i).isEqualTo(keep ? x[i] * scale : 0f);
                assertThat(one[1][i]).as("dropout gradient at %d", i).isEqualTo(keep ? g[i] * scale : 0f);
                assertThat(Float.floatToRawIntBits(two[0][i])).as("2 threads, output at %d", i).isEqualTo(Float.floatToRawIntBits(one[0][i]));
                assertThat(Float.floatToRawIntBits(two[1][i])).as("2 threads, gradient at %d", i).isEqualTo(Float.floatToRawIntBits(one[1][i]));
            }
            assertThat((double) kept / N).isBetween(0.68, 0.72);
        }
    }

    @Test
    void aChunksKeyGivesTheDrawsOfTheWholeMaskFromItsStart() {
        // the low half of the key wraps around past 2³²: the high half must not change
        for (long key : new long[] {0x1234_5678_9ABC_DEF0L, 0x7FFF_FFFF_FFFF_FFF0L, -1L, 0x0000_0001_FFFF_C000L}) {
            for (int from : new int[] {0, 1, Elementwise.CHUNK, 5 * Elementwise.CHUNK}) {
                long k = Elementwise.keyFrom(key, from);
                for (int j = 0; j < 20_000; j += 97) {
                    assertThat(Kernels.dropoutBits(k, j)).as("key %x from %d, element %d", key, from, j).isEqualTo(Kernels.dropoutBits(key, from + j));
                }
            }
        }
    }
}
