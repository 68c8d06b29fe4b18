package dev.machina.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.machina.tensor.Rng;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Per-thread budgets: scoped, nested, thread-confined, and invisible in the results. */
class ParallelBudgetTest {
    private int saved;

    @BeforeEach
    void save() {
        saved = Parallel.threads();
        Parallel.setThreads(4);
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(saved);
    }

    @Test
    void budgetAppliesInsideTheScopeOnlyAndNests() {
        assertThat(Parallel.threads()).isEqualTo(4);
        Parallel.withThreads(2, () -> {
            assertThat(Parallel.threads()).isEqualTo(2);
            Parallel.withThreads(1, () -> assertThat(Parallel.threads()).isEqualTo(1));
            assertThat(Parallel.threads()).isEqualTo(2);
            // a budget above the global count does not raise it
            assertThat(Parallel.withThreads(16, Parallel::threads)).isEqualTo(4);
        });
        assertThat(Parallel.threads()).isEqualTo(4);
    }

    @Test
    void budgetIsRestoredWhenTheBodyThrows() {
        assertThatThrownBy(() -> Parallel.withThreads(1, () -> {
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(Parallel.threads()).isEqualTo(4);
        assertThatThrownBy(() -> Parallel.withThreads(0, () -> { })).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void budgetOfOneRunsEveryTaskOnTheCallerAndOtherThreadsAreUnaffected() throws Exception {
        Set<String> names = ConcurrentHashMap.newKeySet();
        Parallel.withThreads(1, () -> Parallel.forEach(64, t -> names.add(Thread.currentThread().getName())));
        assertThat(names).containsExactly(Thread.currentThread().getName());
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            int[] seen = new int[2];
            Parallel.withThreads(1, () -> {
                seen[0] = Parallel.threads();
                try {
                    seen[1] = other.submit(Parallel::threads).get();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertThat(seen).containsExactly(1, 4);
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void gemmIsBitIdenticalWhateverTheBudgetAndWithConcurrentTrials() throws Exception {
        Kernels k = KernelProvider.get();
        Rng rng = new Rng(5);
        int m = 128, n = 256, kk = 300;
        float[] a = new float[m * kk], b = new float[kk * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) rng.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) rng.nextGaussian();
        float[] ref = new float[m * n];
        k.gemm(false, false, m, n, kk, a, 0, kk, b, 0, n, ref, 0, n, false);
        for (int budget : new int[] {1, 2, 3}) {
            float[] c = Parallel.withThreads(budget, () -> {
                float[] out = new float[m * n];
                k.gemm(false, false, m, n, kk, a, 0, kk, b, 0, n, out, 0, n, false);
                return out;
            });
            assertThat(bits(c)).as("budget " + budget).isEqualTo(bits(ref));
        }
        // two "trials" side by side, each with a budget of 2
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            Future<float[]> f1 = two.submit(() -> Parallel.withThreads(2, () -> {
                float[] out = new float[m * n];
                for (int r = 0; r < 5; r++) k.gemm(false, false, m, n, kk, a, 0, kk, b, 0, n, out, 0, n, false);
                return out;
            }));
            Future<float[]> f2 = two.submit(() -> Parallel.withThreads(2, () -> {
                float[] out = new float[m * n];
                for (int r = 0; r < 5; r++) k.gemm(false, false, m, n, kk, a, 0, kk, b, 0, n, out, 0, n, false);
                return out;
            }));
            assertThat(bits(f1.get())).isEqualTo(bits(ref));
            assertThat(bits(f2.get())).isEqualTo(bits(ref));
        } finally {
            two.shutdownNow();
        }
    }

    private static int[] bits(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) out[i] = Float.floatToRawIntBits(v[i]);
        return out;
    }
}
