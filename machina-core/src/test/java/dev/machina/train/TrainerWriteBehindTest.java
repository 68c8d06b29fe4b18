package dev.machina.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.machina.data.DataLoader;
import dev.machina.data.Datasets;
import dev.machina.data.TensorDataset;
import dev.machina.io.Checkpoint;
import dev.machina.nn.Linear;
import dev.machina.nn.ReLU;
import dev.machina.nn.Sequential;
import dev.machina.optim.SGD;
import dev.machina.tensor.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer's end-of-epoch checkpoint with {@link TrainerConfig#writeBehind()}. */
class TrainerWriteBehindTest {
    @Test
    void aCheckpointUnderTheLimitIsWrittenBehindTheNextEpoch(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("last.safetensors");
        CountDownLatch nextEpochBegan = new CountDownLatch(1);
        AtomicInteger seen = new AtomicInteger(-2);
        fit(file, new Callback() {
            @Override
            public void onEpochEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {
                if (epoch == 0) write(ctx, () -> await(nextEpochBegan)); // holds the writer until epoch 1 begins
            }

            @Override
            public void onEpochBegin(TrainContext ctx, int epoch) {
                if (epoch != 1) return;
                seen.set(nextEpoch(file));
                nextEpochBegan.countDown();
            }
        });
        assertThat(seen.get()).as("epoch 1 began before epoch 0's checkpoint was written").isEqualTo(-1);
        assertThat(nextEpoch(file)).isEqualTo(2);
    }

    @Test
    void aCheckpointOverTheLimitIsStreamedToItsFileBeforeTheNextEpoch(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("last.safetensors");
        AtomicInteger seen = new AtomicInteger(-2);
        long limit = Trainer.writeBehindLimit;
        Trainer.writeBehindLimit = 100; // bytes: less than this model's checkpoint
        try {
            fit(file, new Callback() {
                @Override
                public void onEpochEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {
                    if (epoch == 0) write(ctx, () -> sleep(300)); // a slow write queued before the checkpoint
                }

                @Override
                public void onEpochBegin(TrainContext ctx, int epoch) {
                    if (epoch == 1) seen.set(nextEpoch(file));
                }
            });
        } finally {
            Trainer.writeBehindLimit = limit;
        }
        assertThat(seen.get()).as("epoch 0's checkpoint is on disk when epoch 1 begins").isEqualTo(1);
        assertThat(nextEpoch(file)).isEqualTo(2);
    }

    @Test
    void anErrorThrownByOnTrainEndStillEndsTheWriterThread(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> fit(dir.resolve("last.safetensors"), new Callback() {
            @Override
            public void onTrainEnd(TrainContext ctx, Map<String, Double> logs, Throwable error) {
                throw new StackOverflowError("onTrainEnd");
            }
        })).isInstanceOf(StackOverflowError.class);
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("machina-writer")) t.join(10_000);
            assertThat(t.getName().equals("machina-writer") && t.isAlive()).as("a machina-writer thread is still alive").isFalse();
        }
    }

    /**
     * A write behind that fails during the next epoch ends the fit at the next step, with the
     * epochs a synchronous write would have left: those whose writes all succeeded (neither the
     * failed write's epoch nor the next one counts).
     */
    @Test
    void aFailedWriteEndsTheFitAtTheNextStep(@TempDir Path dir) throws Exception {
        CountDownLatch failed = new CountDownLatch(1);
        AtomicInteger epochs = new AtomicInteger(-1), steps = new AtomicInteger(-1);
        java.util.concurrent.atomic.AtomicBoolean weights = new java.util.concurrent.atomic.AtomicBoolean(true);
        assertThatThrownBy(() -> fit(null, 3, new Callback() {
            @Override
            public void onEpochEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {
                if (epoch == 0) write(ctx, () -> {
                    failed.countDown();
                    throw new java.io.IOException("No space left on device");
                });
            }

            @Override
            public void onEpochBegin(TrainContext ctx, int epoch) {
                if (epoch != 1) return;
                await(failed);
                sleep(50); // the writer records the failure just after the latch
            }

            @Override
            public void onTrainEnd(TrainContext ctx, Map<String, Double> logs, Throwable error) {
                epochs.set(ctx.history().size());
                steps.set((int) ctx.globalStep());
                weights.set(ctx.weightsMatchHistory());
            }
        })).hasMessage("No space left on device");
        assertThat(epochs.get()).as("epochs completed").isEqualTo(0);
        assertThat(steps.get()).as("steps: those of the epochs that count, none").isEqualTo(0);
        assertThat(weights.get()).as("trained weights, with no checkpoint to take the start's from").isFalse();
    }

    /** Two epochs of a small MLP on 200 digits, written behind, with a checkpoint at {@code file}. */
    private static void fit(Path file, Callback callback) {
        fit(file, 2, callback);
    }

    private static void fit(Path file, int epochs, Callback callback) {
        TensorDataset digits = Datasets.digits().subset(IntStream.range(0, 200).toArray());
        Rng rng = new Rng(3);
        var model = new Sequential(new Linear(64, 8, true, rng), new ReLU(), new Linear(8, 10, true, rng));
        var cfg = TrainerConfig.builder().epochs(epochs).optimizer(new SGD(model.parameters(), SGD.Config.lr(0.05))).seed(3).logEvery(0)
                .callback(callback).checkpointFile(file).writeBehind(true).build();
        new Trainer(cfg).fit(model, DataLoader.builder(digits).batchSize(50).build(), null);
    }

    /** The checkpoint's next_epoch, or -1 when there is no file. */
    private static int nextEpoch(Path file) {
        if (!Files.exists(file)) return -1;
        try {
            return (Integer) Checkpoint.load(file).state().get("next_epoch");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void write(TrainContext ctx, dev.machina.io.WriteBehind.Write w) {
        try {
            ctx.write(w);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
