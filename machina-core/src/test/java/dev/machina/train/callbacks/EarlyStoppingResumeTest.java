package dev.machina.train.callbacks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.data.DataLoader;
import dev.machina.data.Datasets;
import dev.machina.data.TensorDataset;
import dev.machina.nn.Linear;
import dev.machina.nn.Module;
import dev.machina.nn.ReLU;
import dev.machina.nn.Sequential;
import dev.machina.optim.SGD;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import dev.machina.train.History;
import dev.machina.train.Trainer;
import dev.machina.train.TrainerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Early stopping across a resume: a fit stopped after epoch k and resumed from its checkpoint
 * stops at the epoch an uninterrupted fit stops at, with the same (restored best) weights, and a
 * fit resumed from the checkpoint of the epoch at which early stopping fired trains no more.
 */
class EarlyStoppingResumeTest {
    static final int EPOCHS = 40;

    /** One fit: its final weights, history without timings, status and reason. */
    record Outcome(List<float[]> weights, List<Map<String, Double>> history, Trainer.Status status, String reason) {}

    @Test
    void aFitResumedAtAnyEpochStopsWhereAnUninterruptedOneStopsWithItsWeights(@TempDir Path dir) throws Exception {
        Path straightCkpt = dir.resolve("straight.safetensors");
        Outcome straight = fit(EPOCHS, straightCkpt, null);
        assertThat(straight.status()).isEqualTo(Trainer.Status.STOPPED_EARLY);
        int stoppedAfter = straight.history().size();
        assertThat(stoppedAfter).as("epochs before early stopping fired").isBetween(4, EPOCHS - 1);
        List<Integer> cuts = List.of(1, 2, stoppedAfter - 2, stoppedAfter - 1);
        for (int cut : cuts) {
            Path ckpt = dir.resolve("cut" + cut + ".safetensors");
            Outcome first = fit(cut, ckpt, null); // as if the process was killed after epoch `cut`'s checkpoint
            assertThat(first.history()).hasSize(cut);
            Outcome resumed = fit(EPOCHS, ckpt, ckpt);
            assertSame(resumed, straight, "resumed after epoch " + cut);
        }
        // killed after the checkpoint of the epoch at which early stopping fired, before the fit ended
        Path atStop = dir.resolve("at-stop.safetensors");
        Files.copy(straightCkpt, atStop);
        assertSame(fit(EPOCHS, atStop, atStop), straight, "resumed from the checkpoint of the stopping epoch");
        // a finished fit given more epochs: early stopping has ended it, as it would have ended an uninterrupted longer fit
        assertSame(fit(EPOCHS + 20, atStop, atStop), straight, "resumed from the stopping epoch with more epochs");
        // resumed twice in a row
        Path twice = dir.resolve("twice.safetensors");
        fit(1, twice, null);
        fit(3, twice, twice);
        assertSame(fit(EPOCHS, twice, twice), straight, "resumed after epochs 1 and 3");
    }

    /**
     * A checkpoint written before early stopping kept whether it had stopped (no "stopped" key):
     * one of the stopping epoch ends the resumed fit there, since only a stop leaves more epochs
     * without improvement than the patience; one of an earlier epoch trains on to the same stop.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aCheckpointWithoutTheStoppedKeyIsReadFromItsCount(@TempDir Path dir) throws Exception {
        Path straightCkpt = dir.resolve("straight.safetensors");
        Outcome straight = fit(EPOCHS, straightCkpt, null);
        int stoppedAfter = straight.history().size();
        Path before = dir.resolve("before.safetensors");
        fit(stoppedAfter - 1, before, null);
        for (Path ckpt : List.of(straightCkpt, before)) {
            var cp = dev.machina.io.Checkpoint.load(ckpt);
            var callbacks = (Map<String, Object>) cp.state().get("callbacks");
            var es = (Map<String, Object>) callbacks.get("EarlyStopping.val_loss");
            assertThat(es.remove("stopped")).isNotNull();
            cp.save(ckpt);
            assertThat(dev.machina.io.Checkpoint.callbackStates(ckpt).get("EarlyStopping.val_loss")).doesNotContainKey("stopped").containsKey("wait");
        }
        assertSame(fit(EPOCHS, straightCkpt, straightCkpt), straight, "an old checkpoint of the stopping epoch");
        assertSame(fit(EPOCHS + 20, straightCkpt, straightCkpt), straight, "an old checkpoint of the stopping epoch, more epochs");
        assertSame(fit(EPOCHS, before, before), straight, "an old checkpoint of the epoch before the stop");
    }

    /** The same with a maximized metric (val_accuracy, mode max) and without restoring the best weights. */
    @Test
    void aMaximizedMetricWithoutRestoreBestResumesToTheSameStop(@TempDir Path dir) throws Exception {
        java.util.function.Supplier<EarlyStopping> es = () -> new EarlyStopping(Monitor.of("val_accuracy", "max"), 2, 0.01, false);
        Path straightCkpt = dir.resolve("straight.safetensors");
        Outcome straight = fit(EPOCHS, straightCkpt, null, es.get());
        assertThat(straight.status()).isEqualTo(Trainer.Status.STOPPED_EARLY);
        assertThat(straight.reason()).startsWith("val_accuracy did not improve for 2 epochs (best 0.");
        int stoppedAfter = straight.history().size();
        assertThat(stoppedAfter).isBetween(4, EPOCHS - 1);
        for (int cut : List.of(1, stoppedAfter - 1)) {
            Path ckpt = dir.resolve("cut" + cut + ".safetensors");
            fit(cut, ckpt, null, es.get());
            assertSame(fit(EPOCHS, ckpt, ckpt, es.get()), straight, "resumed after epoch " + cut);
        }
        assertSame(fit(EPOCHS + 20, straightCkpt, straightCkpt, es.get()), straight, "resumed from the stopping epoch with more epochs");
    }

    /** Early stopping that fires on the last configured epoch ends the fit stopped early; given more epochs, its resume trains no more. */
    @Test
    void aStopOnTheLastConfiguredEpochIsFinal(@TempDir Path dir) throws Exception {
        Outcome straight = fit(EPOCHS, null, null);
        int stoppedAfter = straight.history().size();
        Path ckpt = dir.resolve("last.safetensors");
        Outcome exact = fit(stoppedAfter, ckpt, null);
        assertSame(exact, straight, "epochs = the stopping epoch");
        assertSame(fit(EPOCHS, ckpt, ckpt), straight, "resumed with more epochs");
    }

    @Test
    void aFitFromTheStartForgetsAnEarlierFitsState() {
        EarlyStopping es = new EarlyStopping(Monitor.of("val_loss", "auto"), 2, 0.02, true);
        Outcome a = fit(EPOCHS, null, null, es);
        assertThat(es.stopped()).isTrue();
        Outcome b = fit(EPOCHS, null, null, es);
        assertSame(b, a, "the same callback in a second fit");
    }

    private static void assertSame(Outcome got, Outcome want, String what) {
        assertThat(got.status()).as(what + ": status").isEqualTo(want.status());
        assertThat(got.reason()).as(what + ": reason").isEqualTo(want.reason());
        assertThat(got.history()).as(what + ": history").isEqualTo(want.history());
        assertThat(got.weights()).as(what + ": tensors").hasSameSizeAs(want.weights());
        for (int i = 0; i < want.weights().size(); i++) {
            assertThat(bits(got.weights().get(i))).as(what + ": tensor " + i).isEqualTo(bits(want.weights().get(i)));
        }
    }

    private static int[] bits(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) b[i] = Float.floatToRawIntBits(a[i]);
        return b;
    }

    private static Outcome fit(int epochs, Path checkpoint, Path resumeFrom) {
        return fit(epochs, checkpoint, resumeFrom, new EarlyStopping(Monitor.of("val_loss", "auto"), 2, 0.02, true));
    }

    /** A small MLP on 400 digits, validated on 200 others, early stopping on val_loss with restore-best. */
    private static Outcome fit(int epochs, Path checkpoint, Path resumeFrom, EarlyStopping es) {
        TensorDataset all = Datasets.digits();
        TensorDataset train = all.subset(IntStream.range(0, 400).toArray()), val = all.subset(IntStream.range(400, 600).toArray());
        Rng rng = new Rng(11);
        Module model = new Sequential(new Linear(64, 16, true, rng), new ReLU(), new Linear(16, 10, true, rng));
        TrainerConfig cfg = TrainerConfig.builder().epochs(epochs).optimizer(new SGD(model.parameters(), SGD.Config.lr(0.02))).seed(11)
                .logEvery(0).callback(es).checkpointFile(checkpoint).build();
        DataLoader tl = DataLoader.builder(train).batchSize(50).shuffle(11).build(), vl = DataLoader.builder(val).batchSize(100).build();
        Trainer t = new Trainer(cfg);
        History h = resumeFrom == null ? t.fit(model, tl, vl) : t.resume(model, tl, vl, resumeFrom);
        List<Map<String, Double>> epochsSeen = new ArrayList<>();
        for (Map<String, Double> e : h.epochs()) {
            Map<String, Double> m = new LinkedHashMap<>(e);
            m.remove("epoch_time_s");
            m.remove("samples_per_s");
            epochsSeen.add(m);
        }
        return new Outcome(model.stateDict().values().stream().map(Tensor::toArray).toList(), epochsSeen, h.status(), h.reason());
    }
}
