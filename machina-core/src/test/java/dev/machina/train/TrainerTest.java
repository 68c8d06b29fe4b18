package dev.machina.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.machina.data.DataLoader;
import dev.machina.data.Datasets;
import dev.machina.data.Splits;
import dev.machina.data.Standardizer;
import dev.machina.data.TensorDataset;
import dev.machina.io.Checkpoint;
import dev.machina.io.SafeTensors;
import dev.machina.metrics.ClassificationReport;
import dev.machina.nn.Dropout;
import dev.machina.nn.Linear;
import dev.machina.nn.Module;
import dev.machina.nn.ReLU;
import dev.machina.nn.Sequential;
import dev.machina.optim.Adam;
import dev.machina.optim.SGD;
import dev.machina.optim.lr.CosineAnnealingLR;
import dev.machina.optim.lr.StepLR;
import dev.machina.run.RunDirectory;
import dev.machina.run.RunInfo;
import dev.machina.run.RunRecorder;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import dev.machina.train.callbacks.EarlyStopping;
import dev.machina.train.callbacks.LrScheduleCallback;
import dev.machina.train.callbacks.ModelCheckpoint;
import dev.machina.train.callbacks.Monitor;
import dev.machina.train.callbacks.NanGuard;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class TrainerTest {
    /** Digits split 80/20 (stratified, seed 42) into train and held-out test, standardized with train statistics. */
    public record Data(TensorDataset train, TensorDataset test) {}

    public static Data digits() {
        TensorDataset all = Datasets.digits();
        Splits.Split s = Splits.stratified(all.labels(), 0.2, 42);
        TensorDataset train = s.trainOf(all);
        Standardizer st = Standardizer.fit(train.features());
        return new Data(st.apply(train), st.apply(s.validationOf(all)));
    }

    public static Module mlp(long seed, float dropout) {
        Rng rng = new Rng(seed);
        return new Sequential(new Linear(64, 128, true, rng), new ReLU(), new Dropout(dropout), new Linear(128, 10, true, rng));
    }

    public static DataLoader loader(TensorDataset ds, int batch, boolean shuffle) {
        DataLoader.Builder b = DataLoader.builder(ds).batchSize(batch);
        if (shuffle) b.shuffle(11);
        return b.build();
    }

    @Test
    void digitsMlpReaches97PercentAndWritesACompleteRunDirectory(@TempDir Path tmp) throws Exception {
        Data d = digits();
        Rng rng = new Rng(1);
        Module model = new Sequential(new Linear(64, 256, true, rng), new ReLU(), new Dropout(0.2f),
                new Linear(256, 128, true, rng), new ReLU(), new Dropout(0.2f), new Linear(128, 10, true, rng));
        Adam adam = new Adam(model.parameters(), Adam.Config.defaults().withLr(1e-3));
        RunDirectory run = RunDirectory.create(tmp.resolve("runs"), "digits-mlp");
        RunRecorder rec = new RunRecorder(run, Map.of("model", "64-128-10", "optimizer", Map.of("name", "adam", "lr", 1e-3)),
                Map.of("name", "digits", "train", d.train().size(), "test", d.test().size()), Map.of("class_names", "[\"0\"]"));
        TrainerConfig cfg = TrainerConfig.builder().epochs(30).optimizer(adam).seed(5).logEvery(20)
                .callback(new LrScheduleCallback(new CosineAnnealingLR(adam, 30, 0), LrScheduleCallback.Every.EPOCH))
                .callback(new NanGuard()).callback(rec)
                .checkpointFile(run.checkpoints().resolve("last.safetensors")).build();
        History h = new Trainer(cfg).fit(model, loader(d.train(), 16, true), loader(d.test(), 256, false));
        assertThat(h.status()).isEqualTo(Trainer.Status.COMPLETED);
        assertThat(h.size()).isEqualTo(30);
        ClassificationReport report = Evaluator.report(model, loader(d.test(), 256, false), Datasets.DIGIT_CLASSES);
        run.writeTestResults(report.toJson());
        rec.putFinalMetric("test_accuracy", report.accuracy());
        assertThat(report.accuracy()).as("test accuracy on the held-out split").isGreaterThanOrEqualTo(0.97);
        // the losses fell
        double[] tl = h.get("train_loss");
        assertThat(tl[tl.length - 1]).isLessThan(tl[0] / 5);

        for (String f : List.of("run.json", "metrics.jsonl", "history.csv", "model.safetensors", "test-results.json", "log.txt",
                "checkpoints/last.safetensors")) {
            assertThat(run.file(f)).as(f).exists();
        }
        JsonNode rj = new ObjectMapper().readTree(run.file("run.json").toFile());
        for (String k : List.of("name", "run_id", "config", "dataset", "provenance", "model", "training", "start_time", "end_time",
                "status", "final_metrics", "duration_s")) {
            assertThat(rj.has(k)).as("run.json has " + k).isTrue();
        }
        assertThat(rj.get("status").asText()).isEqualTo("completed");
        assertThat(rj.at("/final_metrics/test_accuracy").asDouble()).isEqualTo(report.accuracy());
        for (String k : List.of("machina_version", "java_version", "java_vendor", "os", "cpu", "cores", "kernel_provider", "threads")) {
            assertThat(rj.get("provenance").has(k)).as("provenance has " + k).isTrue();
        }
        List<String> lines = Files.readAllLines(run.file("metrics.jsonl"));
        long epochLines = lines.stream().filter(l -> l.contains("\"type\":\"epoch\"")).count();
        assertEquals(30, epochLines);
        JsonNode e1 = new ObjectMapper().readTree(lines.stream().filter(l -> l.contains("\"type\":\"epoch\"")).findFirst().orElseThrow());
        for (String k : List.of("epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "epoch_time_s", "samples_per_s")) {
            assertThat(e1.has(k)).as("epoch record has " + k).isTrue();
        }
        assertThat(lines.stream().anyMatch(l -> l.contains("\"type\":\"step\""))).isTrue();
        assertThat(Files.readAllLines(run.file("history.csv"))).hasSize(31);
        JsonNode tr = new ObjectMapper().readTree(run.file("test-results.json").toFile());
        assertThat(tr.get("accuracy").asDouble()).isEqualTo(report.accuracy());
        var saved = SafeTensors.read(run.file("model.safetensors"));
        assertThat(saved.tensors().keySet()).containsExactly("0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias");
        assertThat(saved.metadata()).containsKeys("architecture", "class_names");
        RunInfo info = RunInfo.load(run.dir());
        assertThat(info.problems()).isEmpty();
        assertThat(info.status()).isEqualTo("completed");
        assertThat(info.epochs()).hasSize(30);
        assertThat(info.testAccuracy()).isEqualTo(report.accuracy());
    }

    /** Trains with dropout, Adam, a step schedule and early stopping (state in checkpoints). */
    private static float[][] train(Path ckpt, int epochs, Path resumeFrom) {
        Data d = digits();
        Module model = mlp(3, 0.2f);
        Adam opt = new Adam(model.parameters(), Adam.Config.defaults().withLr(2e-3));
        StepLR sched = new StepLR(opt, 2, 0.5);
        EarlyStopping es = new EarlyStopping(Monitor.of("val_loss", "auto"), 100, 0, false);
        TrainerConfig cfg = TrainerConfig.builder().epochs(epochs).optimizer(opt).seed(9)
                .callback(new LrScheduleCallback(sched, LrScheduleCallback.Every.EPOCH)).callback(es)
                .checkpointFile(ckpt).build();
        Trainer t = new Trainer(cfg);
        DataLoader tr = loader(d.train(), 64, true), va = loader(d.test(), 500, false);
        History h = resumeFrom == null ? t.fit(model, tr, va) : t.resume(model, tr, va, resumeFrom);
        assertThat(h.status()).isEqualTo(Trainer.Status.COMPLETED);
        return model.stateDict().values().stream().map(Tensor::toArray).toArray(float[][]::new);
    }

    @Test
    void resumingFromACheckpointGivesBitIdenticalWeights(@TempDir Path tmp) {
        float[][] straight = train(tmp.resolve("a.safetensors"), 4, null);
        train(tmp.resolve("b.safetensors"), 2, null); // "crash" after 2 epochs
        float[][] resumed = train(tmp.resolve("b.safetensors"), 4, tmp.resolve("b.safetensors"));
        assertEquals(straight.length, resumed.length);
        for (int i = 0; i < straight.length; i++) {
            for (int j = 0; j < straight[i].length; j++) {
                assertEquals(Float.floatToRawIntBits(straight[i][j]), Float.floatToRawIntBits(resumed[i][j]),
                        "tensor " + i + " element " + j + " differs after resume");
            }
        }
    }

    @Test
    void sameSeedSameWeights(@TempDir Path tmp) {
        float[][] a = train(tmp.resolve("a.safetensors"), 2, null), b = train(tmp.resolve("b.safetensors"), 2, null);
        for (int i = 0; i < a.length; i++) assertThat(a[i]).isEqualTo(b[i]);
    }

    @Test
    void earlyStoppingOnAccuracyStopsAndRestoresTheBestWeights() {
        Data d = digits();
        Module model = mlp(4, 0f);
        // a learning rate schedule that ruins training after epoch 3 makes val_accuracy fall
        SGD opt = new SGD(model.parameters(), SGD.Config.lr(0.5));
        EarlyStopping es = new EarlyStopping(Monitor.of("val_accuracy", "auto"), 2, 0, true);
        Callback sabotage = new Callback() {
            @Override
            public void onEpochEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {
                if (epoch == 2) {
                    for (Tensor p : ctx.model().parameters()) {
                        float[] x = p.data();
                        for (int i = 0; i < x.length; i++) x[i] = (i % 3 == 0) ? 0.3f : -0.2f;
                    }
                    ctx.optimizer().lr(0.0);
                }
            }
        };
        TrainerConfig cfg = TrainerConfig.builder().epochs(20).optimizer(opt).seed(1).callback(es).callback(sabotage).build();
        History h = new Trainer(cfg).fit(model, loader(d.train(), 32, true), loader(d.test(), 500, false));
        assertThat(h.status()).isEqualTo(Trainer.Status.STOPPED_EARLY);
        assertThat(h.reason()).contains("val_accuracy did not improve for 2 epochs");
        assertThat(es.bestEpoch()).isLessThanOrEqualTo(2);
        assertThat(h.size()).isEqualTo(es.bestEpoch() + 4); // best, then patience+1 epochs without improvement
        double bestAcc = h.get("val_accuracy")[es.bestEpoch()];
        double now = Evaluator.evaluate(model, loader(d.test(), 500, false), LossFunction.crossEntropy()).accuracy();
        assertThat(now).as("restored weights give the best epoch's accuracy").isEqualTo(bestAcc);
        assertThat(bestAcc).isGreaterThan(0.8);
    }

    @Test
    void monitorDirectionIsRightForAccuracyAndLoss() {
        assertThat(Monitor.of("val_accuracy", "auto").maximize()).isTrue();
        assertThat(Monitor.of("val_loss", "auto").maximize()).isFalse();
        assertThat(Monitor.of("val_accuracy", "auto").improves(0.9, 0.8, 0)).isTrue();
        assertThat(Monitor.of("val_loss", "auto").improves(0.9, 0.8, 0)).isFalse();
        assertThat(Monitor.of("val_loss", "min").improves(0.7, 0.8, 0.05)).isTrue();
        assertThat(Monitor.of("val_loss", "min").improves(0.78, 0.8, 0.05)).isFalse();
    }

    @Test
    void nanGuardStopsOnAHugeLearningRateAndLeavesALoadableCheckpoint(@TempDir Path tmp) throws Exception {
        Data d = digits();
        Module model = mlp(2, 0f);
        Path ckpt = tmp.resolve("last.safetensors");
        NanGuard guard = new NanGuard();
        Callback explode = new Callback() {
            @Override
            public void onEpochEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {
                if (epoch == 1) ctx.optimizer().lr(1e30);
            }
        };
        TrainerConfig cfg = TrainerConfig.builder().epochs(10).optimizer(new SGD(model.parameters(), SGD.Config.lr(0.05)))
                .seed(1).callback(explode).callback(guard).checkpointFile(ckpt).build();
        History h = new Trainer(cfg).fit(model, loader(d.train(), 32, true), null);
        assertThat(h.status()).isEqualTo(Trainer.Status.FAILED);
        assertThat(guard.message()).contains("at step").contains("epoch 3");
        assertThat(h.size()).isEqualTo(2);
        Checkpoint c = Checkpoint.load(ckpt);
        assertThat(c.state().get("next_epoch")).isEqualTo(2);
        for (Tensor t : c.model().values()) for (float v : t.data()) assertThat(v).isFinite();
        Module fresh = mlp(2, 0f);
        fresh.loadStateDict(c.model());
    }

    @Test
    void timeBudgetStopsEarly() {
        Data d = digits();
        Module model = mlp(2, 0f);
        TrainerConfig cfg = TrainerConfig.builder().epochs(1000).optimizer(new SGD(model.parameters(), SGD.Config.lr(0.05)))
                .timeBudget(java.time.Duration.ofMillis(300)).build();
        History h = new Trainer(cfg).fit(model, loader(d.train(), 32, true), null);
        assertThat(h.status()).isEqualTo(Trainer.Status.STOPPED_EARLY);
        assertThat(h.reason()).contains("time budget");
        assertThat(h.size()).isLessThan(1000);
    }

    /** A stop asked for before a fit ends it before its first epoch; once that fit has ended, the next fit of the same trainer runs whole. */
    @Test
    void aStopEndsOneFitOnly() {
        Data d = digits();
        Module model = mlp(2, 0f);
        Trainer t = new Trainer(TrainerConfig.builder().epochs(2).optimizer(new SGD(model.parameters(), SGD.Config.lr(0.05))).build());
        t.requestStop(Trainer.Status.INTERRUPTED, "stop before the start");
        History first = t.fit(model, loader(d.train(), 64, true), null);
        assertThat(first.status()).isEqualTo(Trainer.Status.INTERRUPTED);
        assertThat(first.size()).isZero();
        History second = t.fit(model, loader(d.train(), 64, true), null);
        assertThat(second.status()).isEqualTo(Trainer.Status.COMPLETED);
        assertThat(second.reason()).isEmpty();
        assertThat(second.size()).isEqualTo(2);
    }

    @Test
    void configValidation() {
        Module model = mlp(1, 0f);
        var opt = new SGD(model.parameters(), SGD.Config.lr(0.1));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TrainerConfig.builder().epochs(0).optimizer(opt).build())
                .hasMessageContaining("epochs must be at least 1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TrainerConfig.builder().optimizer(opt).clipNorm(-1).build())
                .hasMessageContaining("clipNorm");
    }

    @Test
    void modelCheckpointKeepsTheBestAndTheLastEpochAndTheyResume(@TempDir Path tmp) throws Exception {
        Data d = digits();
        Module model = mlp(6, 0f);
        ModelCheckpoint mc = new ModelCheckpoint(tmp, Monitor.of("val_accuracy", "auto"), true);
        TrainerConfig cfg = TrainerConfig.builder().epochs(3).optimizer(new SGD(model.parameters(), SGD.Config.lr(0.05)))
                .seed(1).callback(mc).build();
        History h = new Trainer(cfg).fit(model, loader(d.train(), 32, true), loader(d.test(), 500, false));
        assertThat(mc.lastFile()).exists();
        assertThat(mc.bestFile()).exists();
        Checkpoint last = Checkpoint.load(mc.lastFile()), best = Checkpoint.load(mc.bestFile());
        assertThat(last.state().get("next_epoch")).isEqualTo(3);
        int bestEpoch = 0;
        double[] acc = h.get("val_accuracy");
        for (int i = 1; i < acc.length; i++) if (acc[i] > acc[bestEpoch]) bestEpoch = i;
        assertThat(best.state().get("next_epoch")).isEqualTo(bestEpoch + 1);
        Module fresh = mlp(6, 0f);
        fresh.loadStateDict(best.model());
        double reloaded = Evaluator.evaluate(fresh, loader(d.test(), 500, false), LossFunction.crossEntropy()).accuracy();
        assertThat(reloaded).isEqualTo(acc[bestEpoch]);
        assertThat(((Map<?, ?>) best.state().get("callbacks")).containsKey("ModelCheckpoint")).isTrue();
    }
}
