package dev.machina.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.data.DataLoader;
import dev.machina.data.TensorDataset;
import dev.machina.nn.Module;
import dev.machina.optim.Adam;
import dev.machina.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Synchronous data-parallel training through {@link GradientSync}, with the workers as threads. */
class DataParallelTest {
    /** An in-memory group: every worker sums all workers' arrays in rank order. */
    static final class Group {
        final int size;
        final float[][] slots;
        final CyclicBarrier barrier;

        Group(int size) {
            this.size = size;
            this.slots = new float[size][];
            this.barrier = new CyclicBarrier(size);
        }

        GradientSync member(int rank) {
            return new GradientSync() {
                @Override public int rank() { return rank; }
                @Override public int size() { return size; }

                @Override
                public void allReduce(float[] values) {
                    try {
                        slots[rank] = values.clone();
                        barrier.await();
                        Arrays.fill(values, 0);
                        for (float[] s : slots) for (int i = 0; i < values.length; i++) values[i] += s[i];
                        barrier.await();
                    } catch (InterruptedException | BrokenBarrierException e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
        }
    }

    private static Module train(TensorDataset data, int batch, int epochs, GradientSync sync, float dropout, List<History> histories) {
        Module model = TrainerTest.mlp(7, dropout);
        DataLoader.Builder b = DataLoader.builder(data).batchSize(batch).shuffle(11);
        if (sync != null) b.shard(sync.rank(), sync.size());
        TrainerConfig.Builder cb = TrainerConfig.builder().epochs(epochs).optimizer(new Adam(model.parameters(), Adam.Config.defaults().withLr(3e-3))).seed(5);
        if (sync != null) cb.gradientSync(sync);
        History h = new Trainer(cb.build()).fit(model, b.build(), null);
        synchronized (histories) {
            histories.add(h);
        }
        return model;
    }

    private static List<Module> trainGroup(TensorDataset data, int batch, int epochs, int workers, float dropout, List<History> histories)
            throws Exception {
        Group g = new Group(workers);
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<Module>> fs = new ArrayList<>();
            for (int r = 0; r < workers; r++) {
                int rank = r;
                fs.add(pool.submit(() -> train(data, batch, epochs, g.member(rank), dropout, histories)));
            }
            List<Module> out = new ArrayList<>();
            for (Future<Module> f : fs) out.add(f.get());
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static float maxAbsDiff(Module a, Module b) {
        float m = 0;
        List<Tensor> pa = a.parameters(), pb = b.parameters();
        for (int i = 0; i < pa.size(); i++) {
            float[] x = pa.get(i).data(), y = pb.get(i).data();
            for (int j = 0; j < x.length; j++) m = Math.max(m, Math.abs(x[j] - y[j]));
        }
        return m;
    }

    @Test
    void shardsSplitEveryGlobalBatchWithoutOverlap() {
        TensorDataset data = TrainerTest.digits().train();
        DataLoader whole = DataLoader.builder(data).batchSize(100).shuffle(3).build();
        List<int[]> expected = new ArrayList<>();
        whole.epoch(2).forEach(bt -> expected.add(bt.indices()));
        List<List<int[]>> parts = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            List<int[]> p = new ArrayList<>();
            DataLoader.builder(data).batchSize(100).shuffle(3).shard(r, 3).build().epoch(2).forEach(bt -> p.add(bt.indices()));
            parts.add(p);
        }
        for (int b = 0; b < expected.size(); b++) {
            int[] joined = new int[0];
            for (List<int[]> p : parts) {
                int[] x = p.get(b);
                int[] j = Arrays.copyOf(joined, joined.length + x.length);
                System.arraycopy(x, 0, j, joined.length, x.length);
                joined = j;
            }
            assertThat(joined).as("batch %d", b).isEqualTo(expected.get(b));
        }
    }

    @Test
    void twoWorkersMatchOneProcessToFloatTolerance() throws Exception {
        TensorDataset data = TrainerTest.digits().train();
        List<History> hs = new ArrayList<>();
        Module single = train(data, 64, 3, null, 0f, hs);
        List<Module> workers = trainGroup(data, 64, 3, 2, 0f, hs);
        // every worker holds the same weights, bit for bit
        assertThat(maxAbsDiff(workers.get(0), workers.get(1))).isZero();
        // and those of one process given the same global batches, up to float rounding (3 epochs, 69 Adam steps)
        assertThat(maxAbsDiff(single, workers.get(0))).isLessThan(2e-4f).isGreaterThanOrEqualTo(0f);
        // the logged loss is the global batch's
        assertThat(hs.get(1).last().get("train_loss")).isCloseTo(hs.get(0).last().get("train_loss"), org.assertj.core.data.Offset.offset(1e-4));
        assertThat(hs.get(1).last()).containsKey("sync_ms_per_step");
    }

    @Test
    void sameWorkersSameBitsWithDropoutAndARaggedLastBatch() throws Exception {
        TensorDataset data = TrainerTest.digits().train(); // 1437 examples: the last batch of 64 holds 29
        List<Module> a = trainGroup(data, 64, 2, 3, 0.3f, new ArrayList<>());
        List<Module> b = trainGroup(data, 64, 2, 3, 0.3f, new ArrayList<>());
        assertThat(maxAbsDiff(a.get(0), b.get(0))).isZero();
        assertThat(maxAbsDiff(a.get(0), a.get(2))).isZero();
    }

    @Test
    void aWorkerWithAnEmptyPartStillSteps() throws Exception {
        // 10 examples in batches of 4: the last batch (2 examples) leaves worker 0 of 3 nothing
        TensorDataset data = TrainerTest.digits().train();
        TensorDataset small = data.subset(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
        List<History> hs = new ArrayList<>();
        Module single = train(small, 4, 2, null, 0f, hs);
        List<Module> workers = trainGroup(small, 4, 2, 3, 0f, hs);
        assertThat(maxAbsDiff(single, workers.get(1))).isLessThan(1e-5f);
        assertThat(maxAbsDiff(workers.get(0), workers.get(2))).isZero();
    }

    @Test
    void oneWorkerOverItsTimeBudgetStopsEveryWorkerAtTheSameStep() throws Exception {
        TensorDataset data = TrainerTest.digits().train();
        Group g = new Group(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<History>> fs = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int rank = r;
                fs.add(pool.submit(() -> {
                    Module model = TrainerTest.mlp(7, 0f);
                    DataLoader loader = DataLoader.builder(data).batchSize(64).shuffle(11).shard(rank, 2).build();
                    // worker 0's budget is spent at once, worker 1's never: without one shared decision worker 1 would wait forever
                    TrainerConfig c = TrainerConfig.builder().epochs(50).optimizer(new Adam(model.parameters(), Adam.Config.defaults()))
                            .seed(5).gradientSync(g.member(rank)).timeBudget(rank == 0 ? java.time.Duration.ofNanos(1) : java.time.Duration.ofHours(1))
                            .build();
                    return new Trainer(c).fit(model, loader, null);
                }));
            }
            for (Future<History> f : fs) {
                History h = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(h.status()).isEqualTo(Trainer.Status.STOPPED_EARLY);
                assertThat(h.size()).isZero(); // stopped inside epoch 1, on both
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
