package dev.machina.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.machina.data.DataLoader;
import dev.machina.data.Datasets;
import dev.machina.data.TensorDataset;
import dev.machina.io.FullDisk;
import dev.machina.io.SafeTensors;
import dev.machina.nn.Linear;
import dev.machina.nn.ReLU;
import dev.machina.nn.Sequential;
import dev.machina.optim.SGD;
import dev.machina.tensor.Rng;
import dev.machina.train.Callback;
import dev.machina.train.Trainer;
import dev.machina.train.TrainerConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run recorded from a plain Trainer carries the settings and metadata that listing, eval and predict read. */
class RunRecorderTest {
    @Test
    void aPlainTrainerRunRecordsItsOptimizerBatchSizeAndExampleShape(@TempDir Path dir) throws Exception {
        TensorDataset digits = Datasets.digits().subset(java.util.stream.IntStream.range(0, 300).toArray());
        Rng rng = new Rng(3);
        var model = new Sequential(new Linear(64, 16, true, rng), new ReLU(), new Linear(16, 10, true, rng));
        SGD opt = new SGD(model.parameters(), SGD.Config.lr(0.05));
        RunDirectory run = RunDirectory.create(dir, "plain");
        RunRecorder rec = new RunRecorder(run, Map.of("note", "given by the caller", "training", "kept as given"), Map.of("name", "digits"), Map.of());
        new Trainer(TrainerConfig.builder().epochs(2).optimizer(opt).seed(3).callback(rec).build())
                .fit(model, DataLoader.builder(digits).batchSize(32).shuffle(3).build(), null);
        JsonNode cfg = new ObjectMapper().readTree(run.file(RunDirectory.RUN_JSON).toFile()).get("config");
        assertThat(cfg.get("note").asText()).isEqualTo("given by the caller");
        assertThat(cfg.get("optimizer").get("name").asText()).isEqualTo("sgd");
        assertThat(cfg.get("optimizer").get("lr").asDouble()).isEqualTo(0.05);
        assertThat(cfg.get("training").asText()).as("a key the caller gave is kept").isEqualTo("kept as given");
        assertThat(cfg.get("seed").asLong()).isEqualTo(3);
        JsonNode record = new ObjectMapper().readTree(run.file(RunDirectory.RUN_JSON).toFile());
        assertThat(record.get("model").has("summary")).isTrue();
        assertThat(record.get("model").has("layers")).as("no describer on the core's class path").isFalse();
        Map<String, String> meta = SafeTensors.read(run.file(RunDirectory.MODEL)).metadata();
        assertThat(meta).containsEntry("feature_shape", "[64]").containsEntry("task", "classification");
        assertThat(meta.get("class_names")).startsWith("[\"0\",\"1\"");
    }

    /**
     * The weights are saved before run.json says how the run ended: when model.safetensors cannot be
     * written, run.json says failed (naming the file), never completed.
     */
    @Test
    void whenTheModelCannotBeSavedRunJsonSaysFailedNotCompleted(@TempDir Path dir) throws Exception {
        TensorDataset digits = Datasets.digits().subset(java.util.stream.IntStream.range(0, 100).toArray());
        Rng rng = new Rng(5);
        var model = new Sequential(new Linear(64, 10, true, rng));
        RunDirectory run = RunDirectory.create(dir, "unsaved");
        RunRecorder rec = new RunRecorder(run, Map.of(), Map.of("name", "digits"), Map.of());
        Callback blockModel = new Callback() {
            @Override
            public void onEpochEnd(dev.machina.train.TrainContext ctx, int epoch, Map<String, Double> logs) {
                try { // a non-empty directory where the weights go: the rename onto it fails
                    java.nio.file.Files.createDirectories(run.file(RunDirectory.MODEL).resolve("in-the-way"));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        var trainer = new Trainer(TrainerConfig.builder().epochs(1).optimizer(new SGD(model.parameters(), SGD.Config.lr(0.05)))
                .seed(5).callback(rec).callback(blockModel).build());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> trainer.fit(model, DataLoader.builder(digits).batchSize(50).build(), null))
                .hasMessageContaining(RunDirectory.MODEL);
        JsonNode record = new ObjectMapper().readTree(run.file(RunDirectory.RUN_JSON).toFile());
        assertThat(record.get("status").asText()).isEqualTo("failed");
        assertThat(record.get("error").asText()).contains(RunDirectory.MODEL);
    }

    /**
     * A full disk has no room for a new copy of run.json beside the old one; the record that says
     * the run failed is then written over the old copy's bytes, so run.json does not stay "running".
     */
    @Test
    void whenTheDiskFillsDuringTheFirstEpochRunJsonSaysFailedWithTheReason(@TempDir Path dir) throws Exception {
        FullDisk disk = FullDisk.of(dir);
        RunDirectory run = RunDirectory.create(disk.root(), "full");
        Callback fillDisk = new Callback() {
            @Override
            public void onTrainBegin(dev.machina.train.TrainContext ctx) {
                disk.free(0); // after the recorder has written run.json ("running") and log.txt
            }
        };
        Trainer.Status status = trainUntilTheDiskIsFull(run, fillDisk, null);
        assertThat(status).isEqualTo(Trainer.Status.FAILED);
        JsonNode record = new ObjectMapper().readTree(run.file(RunDirectory.RUN_JSON).toFile());
        assertThat(record.get("status").asText()).isEqualTo("failed");
        assertThat(record.get("error").asText()).contains("metrics.jsonl").contains("No space left on device");
        assertThat(record.has("provenance")).as("what was saved is kept").isTrue();
        assertThat(java.nio.file.Files.readString(run.file(RunDirectory.LOG).toAbsolutePath())).startsWith("started full");
        assertThat(leftovers(run)).as("no temporary files").isEmpty();
    }

    @Test
    void whenTheCheckpointDoesNotFitRunJsonSaysFailedNamingTheCheckpoint(@TempDir Path dir) throws Exception {
        FullDisk disk = FullDisk.of(dir);
        RunDirectory run = RunDirectory.create(disk.root(), "full");
        Callback fillDisk = new Callback() {
            @Override
            public void onEpochEnd(dev.machina.train.TrainContext ctx, int epoch, Map<String, Double> logs) {
                disk.free(0); // after the recorder has logged the epoch, before the checkpoint
            }
        };
        Path checkpoint = run.checkpoints().resolve("last.safetensors");
        assertThat(trainUntilTheDiskIsFull(run, fillDisk, checkpoint)).isEqualTo(Trainer.Status.FAILED);
        JsonNode record = new ObjectMapper().readTree(run.file(RunDirectory.RUN_JSON).toFile());
        assertThat(record.get("status").asText()).isEqualTo("failed");
        assertThat(record.get("error").asText()).isEqualTo("cannot write checkpoint " + checkpoint + ": No space left on device");
        assertThat(record.get("epochs_completed").asInt()).as("the epoch whose checkpoint failed does not count").isEqualTo(0);
        assertThat(leftovers(run)).isEmpty();
    }

    @Test
    void aFullDiskDoesNotKeepARunFromBeingLocked(@TempDir Path dir) throws Exception {
        FullDisk disk = FullDisk.of(dir);
        RunDirectory run = RunDirectory.create(disk.root(), "full");
        disk.free(0);
        try (var lock = run.lock()) {
            assertThat(lock).isNotNull();
        }
    }

    /** Trains two epochs of a small MLP into {@code run}, with {@code fillDisk} after the recorder; returns how training ended. */
    private static Trainer.Status trainUntilTheDiskIsFull(RunDirectory run, Callback fillDisk, Path checkpoint) {
        return trainUntilTheDiskIsFull(run, fillDisk, checkpoint, false);
    }

    private static Trainer.Status trainUntilTheDiskIsFull(RunDirectory run, Callback fillDisk, Path checkpoint, boolean writeBehind) {
        TensorDataset digits = Datasets.digits().subset(java.util.stream.IntStream.range(0, 200).toArray());
        Rng rng = new Rng(5);
        var model = new Sequential(new Linear(64, 8, true, rng), new ReLU(), new Linear(8, 10, true, rng));
        // the configuration a spec's run records: its resolved spec
        Map<String, Object> spec = new java.util.LinkedHashMap<>();
        spec.put("name", "full");
        spec.put("seed", 5);
        spec.put("data", Map.of("dataset", "digits", "test", 0.2, "validation", 0.1, "stratify", true, "transform", "standardize"));
        Map<String, Object> linear = Map.of("out", 8, "bias", true, "init", "default", "bias_init", "default");
        spec.put("model", java.util.List.of(Map.of("linear", linear), "relu", Map.of("linear", Map.of("out", 10, "bias", true))));
        spec.put("loss", Map.of("name", "cross_entropy", "label_smoothing", 0.0, "class_weights", "none"));
        spec.put("optimizer", Map.of("name", "sgd", "lr", 0.05, "momentum", 0.0, "weight_decay", 0.0));
        spec.put("training", Map.of("epochs", 2, "batch_size", 50, "clip_norm", 0.0, "early_stopping", false, "log_every", 0));
        RunRecorder rec = new RunRecorder(run, spec, Map.of("name", "digits", "examples", 200), Map.of());
        var cfg = TrainerConfig.builder().epochs(2).optimizer(new SGD(model.parameters(), SGD.Config.lr(0.05))).seed(5)
                .callback(rec).callback(fillDisk).writeBehind(writeBehind);
        if (checkpoint != null) cfg.checkpointFile(checkpoint);
        try {
            return new Trainer(cfg.build()).fit(model, DataLoader.builder(digits).batchSize(50).build(), null).status();
        } catch (java.io.UncheckedIOException e) {
            return Trainer.Status.FAILED; // the trainer rethrows what failed, after the recorder has ended the run
        }
    }

    /**
     * Written behind (on the trainer's writer thread), the run directory and the checkpoint hold
     * what a synchronous run writes: the same records, history, weights and state.
     */
    @Test
    void writtenBehindTheRunDirectoryAndCheckpointAreThoseOfASynchronousRun(@TempDir Path dir) throws Exception {
        RunDirectory sync = trainThreeEpochs(dir.resolve("sync"), false), behind = trainThreeEpochs(dir.resolve("behind"), true);
        assertThat(csvWithoutTimes(behind.file(RunDirectory.HISTORY))).isEqualTo(csvWithoutTimes(sync.file(RunDirectory.HISTORY)));
        for (String f : new String[] {RunDirectory.METRICS, RunDirectory.LOG}) {
            assertThat(withoutTimes(java.nio.file.Files.readAllLines(behind.file(f)))).as(f).isEqualTo(withoutTimes(java.nio.file.Files.readAllLines(sync.file(f))));
        }
        JsonNode a = new ObjectMapper().readTree(sync.file(RunDirectory.RUN_JSON).toFile()), b = new ObjectMapper().readTree(behind.file(RunDirectory.RUN_JSON).toFile());
        assertThat(b.get("status").asText()).isEqualTo("completed");
        assertThat(b.get("epochs_completed")).isEqualTo(a.get("epochs_completed"));
        assertThat(b.get("final_metrics").get("val_loss")).isEqualTo(a.get("final_metrics").get("val_loss"));
        var ca = dev.machina.io.Checkpoint.load(sync.checkpoints().resolve("last.safetensors"));
        var cb = dev.machina.io.Checkpoint.load(behind.checkpoints().resolve("last.safetensors"));
        assertThat(cb.state().get("next_epoch")).isEqualTo(3);
        assertThat(cb.state().get("history")).isEqualTo(withoutTimes(ca.state().get("history"), cb.state().get("history")));
        for (var e : ca.model().entrySet()) assertThat(cb.model().get(e.getKey()).data()).as(e.getKey()).isEqualTo(e.getValue().data());
        assertThat(leftovers(behind)).isEmpty();
        for (Thread t : Thread.getAllStackTraces().keySet()) { // the writer thread ends with the fit (it may take a moment to exit)
            if (t.getName().equals("machina-writer")) t.join(10_000);
            assertThat(t.getName().equals("machina-writer") && t.isAlive()).as("a machina-writer thread is still alive").isFalse();
        }
    }

    /**
     * What is written behind is what the run was when the write was queued: the writer is held
     * (before the recorder's epoch-0 write) while the training thread runs the next epoch, which
     * changes the weights and run.json's record; a write queued after epoch 0's checkpoint then
     * copies run.json and the checkpoint.
     */
    @Test
    void writtenBehindTheFilesHoldTheEpochTheyWereQueuedAt(@TempDir Path dir) throws Exception {
        TensorDataset digits = Datasets.digits().subset(java.util.stream.IntStream.range(0, 200).toArray());
        Rng rng = new Rng(7);
        var model = new Sequential(new Linear(64, 8, true, rng), new ReLU(), new Linear(8, 10, true, rng));
        RunDirectory run = RunDirectory.create(dir, "held");
        Path checkpoint = run.checkpoints().resolve("last.safetensors"), copies = java.nio.file.Files.createDirectories(dir.resolve("copies"));
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Map<String, float[]> afterEpoch0 = new java.util.LinkedHashMap<>();
        Callback hold = new Callback() {
            @Override
            public void onEpochEnd(dev.machina.train.TrainContext ctx, int epoch, Map<String, Double> logs) {
                if (epoch == 0) {
                    ctx.model().stateDict().forEach((k, t) -> afterEpoch0.put(k, t.data().clone()));
                    write(ctx, () -> {
                        try {
                            release.await(10, java.util.concurrent.TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                }
            }

            @Override
            public void onEpochBegin(dev.machina.train.TrainContext ctx, int epoch) {
                if (epoch == 1) write(ctx, () -> { // queued after epoch 0's checkpoint
                    java.nio.file.Files.copy(run.file(RunDirectory.RUN_JSON), copies.resolve(RunDirectory.RUN_JSON));
                    java.nio.file.Files.copy(checkpoint, copies.resolve("last.safetensors"));
                });
            }
        };
        Callback releaseAfterEpoch1 = new Callback() {
            @Override
            public void onEpochEnd(dev.machina.train.TrainContext ctx, int epoch, Map<String, Double> logs) {
                if (epoch == 1) release.countDown(); // epoch 1 has changed the weights and the recorder its record by now
            }
        };
        RunRecorder rec = new RunRecorder(run, Map.of("name", "held"), Map.of("name", "digits"), Map.of());
        var cfg = TrainerConfig.builder().epochs(2).optimizer(new SGD(model.parameters(), SGD.Config.lr(0.05))).seed(7)
                .callback(hold).callback(rec).callback(releaseAfterEpoch1).checkpointFile(checkpoint).writeBehind(true).build();
        new Trainer(cfg).fit(model, DataLoader.builder(digits).batchSize(50).shuffle(7).build(), null);

        assertThat(new ObjectMapper().readTree(copies.resolve(RunDirectory.RUN_JSON).toFile()).get("epochs_completed").asInt()).isEqualTo(1);
        var held = dev.machina.io.Checkpoint.load(copies.resolve("last.safetensors"));
        assertThat(held.state().get("next_epoch")).isEqualTo(1);
        assertThat(held.model().keySet()).isEqualTo(afterEpoch0.keySet());
        for (var e : afterEpoch0.entrySet()) assertThat(held.model().get(e.getKey()).data()).as(e.getKey()).isEqualTo(e.getValue());
        assertThat(model.stateDict().get("0.weight").data()).as("epoch 1 changed the weights").isNotEqualTo(afterEpoch0.get("0.weight"));
    }

    private static void write(dev.machina.train.TrainContext ctx, dev.machina.io.WriteBehind.Write w) {
        try {
            ctx.write(w);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void writtenBehindAFullDiskStillEndsTheRunAsFailedWithTheReason(@TempDir Path dir) throws Exception {
        FullDisk disk = FullDisk.of(dir);
        RunDirectory run = RunDirectory.create(disk.root(), "full");
        Callback fillDisk = new Callback() {
            @Override
            public void onEpochEnd(dev.machina.train.TrainContext ctx, int epoch, Map<String, Double> logs) {
                disk.free(0);
            }
        };
        Path checkpoint = run.checkpoints().resolve("last.safetensors");
        assertThat(trainUntilTheDiskIsFull(run, fillDisk, checkpoint, true)).isEqualTo(Trainer.Status.FAILED);
        JsonNode record = new ObjectMapper().readTree(run.file(RunDirectory.RUN_JSON).toFile());
        assertThat(record.get("status").asText()).isEqualTo("failed");
        assertThat(record.get("error").asText()).contains("No space left on device");
        assertThat(record.has("provenance")).as("what was saved is kept").isTrue();
        assertThat(leftovers(run)).as("no temporary files").isEmpty();
    }

    /**
     * A write behind that fails only after the next epoch has ended (the writer held at epoch 1's
     * end, released failing at epoch 2's end, before the recorder's epoch-1 files) leaves what a
     * synchronous run whose write fails at epoch 1's end leaves: run.json counts the epochs whose
     * files and checkpoint were all written (1), the checkpoint's next epoch, with that epoch's
     * final metrics.
     */
    @Test
    void writtenBehindAWriteFailingAfterTheNextEpochCountsOnlyTheEpochsWritten(@TempDir Path dir) throws Exception {
        RunDirectory sync = RunDirectory.create(dir.resolve("sync"), "sync");
        Callback failAtEpoch1 = new Callback() {
            @Override
            public void onEpochEnd(dev.machina.train.TrainContext ctx, int epoch, Map<String, Double> logs) {
                if (epoch == 1) write(ctx, () -> {
                    throw new java.io.IOException("No space left on device");
                });
            }
        };
        trainFailing(sync, false, failAtEpoch1, new Callback() {});

        RunDirectory behind = RunDirectory.create(dir.resolve("behind"), "behind");
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        Callback holdAtEpoch1 = new Callback() {
            @Override
            public void onEpochEnd(dev.machina.train.TrainContext ctx, int epoch, Map<String, Double> logs) {
                if (epoch == 1) write(ctx, () -> { // the writer waits here, before the recorder's epoch-1 files, then fails
                    try {
                        released.set(release.await(10, java.util.concurrent.TimeUnit.SECONDS));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new java.io.IOException("No space left on device");
                });
            }
        };
        Callback releaseAfterEpoch2 = new Callback() {
            @Override
            public void onEpochEnd(dev.machina.train.TrainContext ctx, int epoch, Map<String, Double> logs) {
                if (epoch == 2) release.countDown(); // epoch 2 has ended and been counted by the training thread
            }
        };
        trainFailing(behind, true, holdAtEpoch1, releaseAfterEpoch2);
        assertThat(released.get()).as("the writer was released after epoch 2 ended").isTrue();

        for (RunDirectory run : java.util.List.of(sync, behind)) {
            JsonNode rec = new ObjectMapper().readTree(run.file(RunDirectory.RUN_JSON).toFile());
            String what = run.dir().getParent().getFileName().toString();
            assertThat(rec.get("status").asText()).as(what).isEqualTo("failed");
            assertThat(rec.get("error").asText()).as(what).contains("No space left on device");
            assertThat(rec.get("epochs_completed").asInt()).as(what + ": epochs_completed").isEqualTo(1);
            var cp = dev.machina.io.Checkpoint.load(run.checkpoints().resolve("last.safetensors"));
            assertThat(cp.state().get("next_epoch")).as(what + ": the checkpoint's next epoch").isEqualTo(1);
            @SuppressWarnings("unchecked")
            var first = ((java.util.List<Map<String, Object>>) cp.state().get("history")).get(0);
            assertThat(rec.get("final_metrics").get("val_loss").asDouble()).as(what + ": final val_loss").isEqualTo(first.get("val_loss"));
            assertDescribesOnlyTheCheckpointsEpochs(run, what);
        }
    }

    /**
     * The files of the last epoch are written, its checkpoint is not (a write after the recorder's
     * fails): synchronous or written behind, run.json, model.safetensors, metrics.jsonl, history.csv
     * and log.txt describe the epoch of the checkpoint that was written, not the later one.
     */
    @Test
    void aFailedRunsFilesAndModelDescribeTheCheckpointsEpoch(@TempDir Path dir) throws Exception {
        for (boolean writeBehind : new boolean[] {false, true}) {
            RunDirectory run = RunDirectory.create(dir.resolve(writeBehind ? "behind" : "sync"), "f");
            Callback failAfterTheRecorder = new Callback() {
                @Override
                public void onEpochEnd(dev.machina.train.TrainContext ctx, int epoch, Map<String, Double> logs) {
                    if (epoch == 1) write(ctx, () -> {
                        throw new java.io.IOException("No space left on device");
                    });
                }
            };
            trainFailing(run, writeBehind, new Callback() {}, failAfterTheRecorder);
            String what = writeBehind ? "written behind" : "synchronous";
            JsonNode rec = new ObjectMapper().readTree(run.file(RunDirectory.RUN_JSON).toFile());
            assertThat(rec.get("epochs_completed").asInt()).as(what + ": epochs_completed").isEqualTo(1);
            assertDescribesOnlyTheCheckpointsEpochs(run, what);
        }
    }

    /**
     * With no checkpoint file (sweep trials), a failed run keeps the epochs whose files were written
     * and their step count, and saves no model: the weights it holds are later, and nothing holds
     * those of its last epoch.
     */
    @Test
    void aFailedRunWithNoCheckpointSavesNoLaterWeights(@TempDir Path dir) throws Exception {
        RunDirectory run = RunDirectory.create(dir, "f");
        Callback failAtEpoch1 = new Callback() {
            @Override
            public void onEpochEnd(dev.machina.train.TrainContext ctx, int epoch, Map<String, Double> logs) {
                if (epoch == 1) throw new java.io.UncheckedIOException(new java.io.IOException("No space left on device"));
            }
        };
        trainFailing(run, false, new Callback() {}, failAtEpoch1, null);
        JsonNode rec = new ObjectMapper().readTree(run.file(RunDirectory.RUN_JSON).toFile());
        assertThat(rec.get("status").asText()).isEqualTo("failed");
        assertThat(rec.get("epochs_completed").asInt()).isEqualTo(1);
        assertThat(rec.get("steps").asLong()).as("epoch 1's steps").isEqualTo(4);
        assertThat(run.file(RunDirectory.MODEL)).doesNotExist();
        assertThat(run.readHistory()).hasSize(1);
    }

    /**
     * The loss turns NaN inside the third epoch (NanGuard stops the fit as failed, throwing
     * nothing): the run's files and model describe the second epoch, whose checkpoint was written,
     * not the NaN weights, and an early stopping that restores its best weights (the first epoch's)
     * leaves them alone. With no checkpoint file, no model is saved.
     */
    @Test
    void aLossTurningNaNRollsBackLikeAThrownFailure(@TempDir Path dir) throws Exception {
        for (boolean writeBehind : new boolean[] {false, true}) {
            String what = writeBehind ? "written behind" : "synchronous";
            RunDirectory run = RunDirectory.create(dir.resolve(writeBehind ? "behind" : "sync"), "nan");
            var h = trainUntilNaN(run, writeBehind, run.checkpoints().resolve("last.safetensors"));
            assertThat(h.status()).as(what).isEqualTo(dev.machina.train.Trainer.Status.FAILED);
            assertThat(h.size()).as(what).isEqualTo(2);
            JsonNode rec = new ObjectMapper().readTree(run.file(RunDirectory.RUN_JSON).toFile());
            assertThat(rec.get("status").asText()).as(what).isEqualTo("failed");
            assertThat(rec.get("stop_reason").asText()).as(what).contains("loss became NaN");
            assertDescribesOnlyTheCheckpointsEpochs(run, what);
            for (var t : SafeTensors.read(run.file(RunDirectory.MODEL)).tensors().values()) {
                for (float v : t.data()) assertThat(Float.isFinite(v)).as(what + ": a finite weight").isTrue();
            }
        }
        RunDirectory none = RunDirectory.create(dir.resolve("none"), "nan");
        trainUntilNaN(none, false, null);
        JsonNode rec = new ObjectMapper().readTree(none.file(RunDirectory.RUN_JSON).toFile());
        assertThat(rec.get("epochs_completed").asInt()).isEqualTo(2);
        assertThat(rec.get("steps").asLong()).as("epoch 2's steps").isEqualTo(8);
        assertThat(none.file(RunDirectory.MODEL)).as("the NaN weights are not saved").doesNotExist();
        assertThat(none.readHistory()).hasSize(2);

        // the later records cannot be trimmed (history.csv became a directory): run.json and log.txt say so
        RunDirectory stuck = RunDirectory.create(dir.resolve("stuck"), "nan");
        trainUntilNaN(stuck, false, stuck.checkpoints().resolve("last.safetensors"), () -> {
            try {
                java.nio.file.Files.delete(stuck.file(RunDirectory.HISTORY));
                java.nio.file.Files.createDirectory(stuck.file(RunDirectory.HISTORY));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        JsonNode stuckRec = new ObjectMapper().readTree(stuck.file(RunDirectory.RUN_JSON).toFile());
        assertThat(stuckRec.get("status").asText()).isEqualTo("failed");
        assertThat(stuckRec.get("error").asText()).contains("could not be removed").contains("history.csv");
        assertThat(java.nio.file.Files.readString(stuck.file(RunDirectory.LOG))).contains("could not be removed");
    }

    /** Three epochs as {@link #trainFailing}; after the first batch of the third, a weight is made NaN, so the next loss is. */
    private static dev.machina.train.History trainUntilNaN(RunDirectory run, boolean writeBehind, Path checkpoint) {
        return trainUntilNaN(run, writeBehind, checkpoint, () -> { });
    }

    /** As above; {@code atNaN} runs when the weight is made NaN. */
    private static dev.machina.train.History trainUntilNaN(RunDirectory run, boolean writeBehind, Path checkpoint, Runnable atNaN) {
        TensorDataset digits = Datasets.digits().subset(java.util.stream.IntStream.range(0, 200).toArray());
        Rng rng = new Rng(7);
        var model = new Sequential(new Linear(64, 8, true, rng), new ReLU(), new Linear(8, 10, true, rng));
        RunRecorder rec = new RunRecorder(run, Map.of("name", "nan"), Map.of("name", "digits"), Map.of());
        Callback poison = new Callback() {
            @Override
            public void onBatchEnd(dev.machina.train.TrainContext ctx, long step, Map<String, Double> logs) {
                if (ctx.epoch() == 2 && Double.isFinite(logs.get("loss"))) {
                    ctx.model().parameters().get(0).data()[0] = Float.NaN;
                    atNaN.run();
                }
            }
        };
        var bestIsTheFirst = new dev.machina.train.callbacks.EarlyStopping(new dev.machina.train.callbacks.Monitor("val_loss", true), 100, 0, true);
        var cfg = TrainerConfig.builder().epochs(3).optimizer(new SGD(model.parameters(), SGD.Config.lr(0.05))).seed(7).logEvery(3)
                .callback(bestIsTheFirst).callback(rec).callback(new dev.machina.train.callbacks.NanGuard()).callback(poison)
                .checkpointFile(checkpoint).writeBehind(writeBehind).build();
        DataLoader train = DataLoader.builder(digits).batchSize(50).shuffle(7).build(), val = DataLoader.builder(digits).batchSize(100).build();
        var h = new Trainer(cfg).fit(model, train, val);
        assertThat(bestIsTheFirst.bestEpoch()).as("the first epoch's val_loss is the highest").isZero();
        return h;
    }

    /** run.json's steps and final metrics, model.safetensors, metrics.jsonl, history.csv and log.txt hold the checkpoint's epochs, no later one. */
    private static void assertDescribesOnlyTheCheckpointsEpochs(RunDirectory run, String what) throws Exception {
        JsonNode rec = new ObjectMapper().readTree(run.file(RunDirectory.RUN_JSON).toFile());
        var cp = dev.machina.io.Checkpoint.load(run.checkpoints().resolve("last.safetensors"));
        int epochs = (Integer) cp.state().get("next_epoch");
        assertThat(rec.get("epochs_completed").asInt()).as(what + ": epochs_completed").isEqualTo(epochs);
        assertThat(rec.get("steps").asLong()).as(what + ": steps").isEqualTo(cp.state().get("global_step"));
        var model = SafeTensors.read(run.file(RunDirectory.MODEL)).tensors();
        assertThat(model.keySet()).as(what).isEqualTo(cp.model().keySet());
        for (var e : cp.model().entrySet()) {
            assertThat(model.get(e.getKey()).data()).as(what + ": model.safetensors " + e.getKey() + " is the checkpoint's").isEqualTo(e.getValue().data());
        }
        var records = java.nio.file.Files.readAllLines(run.file(RunDirectory.METRICS)).stream().map(l -> {
            try {
                return new ObjectMapper().readTree(l);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
        assertThat(records.stream().filter(r -> r.path("type").asText().equals("epoch")).map(r -> r.path("epoch").asInt()).toList())
                .as(what + ": metrics.jsonl's epochs").isEqualTo(java.util.stream.IntStream.rangeClosed(1, epochs).boxed().toList());
        assertThat(records.stream().filter(r -> r.path("type").asText().equals("step")).mapToLong(r -> r.path("step").asLong()).max().orElse(0))
                .as(what + ": metrics.jsonl's last step").isLessThanOrEqualTo((Long) cp.state().get("global_step"));
        assertThat(run.readHistory()).as(what + ": history.csv").hasSize(epochs);
        assertThat(java.nio.file.Files.readAllLines(run.file(RunDirectory.LOG)).stream().filter(l -> l.matches("epoch +\\d+/.*")).toList())
                .as(what + ": log.txt's epoch lines").hasSize(epochs);
        assertThat(java.nio.file.Files.readString(run.file(RunDirectory.LOG))).as(what).contains("ended failed after epoch " + epochs + ": ");
    }

    /** Three epochs of a small MLP into {@code run} with a checkpoint, {@code before} and {@code after} around the recorder; the fit fails. */
    private static void trainFailing(RunDirectory run, boolean writeBehind, Callback before, Callback after) {
        trainFailing(run, writeBehind, before, after, run.checkpoints().resolve("last.safetensors"));
    }

    private static void trainFailing(RunDirectory run, boolean writeBehind, Callback before, Callback after, Path checkpoint) {
        TensorDataset digits = Datasets.digits().subset(java.util.stream.IntStream.range(0, 200).toArray());
        Rng rng = new Rng(7);
        var model = new Sequential(new Linear(64, 8, true, rng), new ReLU(), new Linear(8, 10, true, rng));
        RunRecorder rec = new RunRecorder(run, Map.of("name", "f"), Map.of("name", "digits"), Map.of());
        var cfg = TrainerConfig.builder().epochs(3).optimizer(new SGD(model.parameters(), SGD.Config.lr(0.05))).seed(7).logEvery(3)
                .callback(before).callback(rec).callback(after).checkpointFile(checkpoint)
                .writeBehind(writeBehind).build();
        DataLoader train = DataLoader.builder(digits).batchSize(50).shuffle(7).build(), val = DataLoader.builder(digits).batchSize(100).build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Trainer(cfg).fit(model, train, val))
                .hasMessageContaining("No space left on device");
    }

    private static RunDirectory trainThreeEpochs(Path root, boolean writeBehind) throws Exception {
        TensorDataset digits = Datasets.digits().subset(java.util.stream.IntStream.range(0, 200).toArray());
        Rng rng = new Rng(7);
        var model = new Sequential(new Linear(64, 8, true, rng), new ReLU(), new Linear(8, 10, true, rng));
        RunDirectory run = RunDirectory.create(root, "wb");
        RunRecorder rec = new RunRecorder(run, Map.of("name", "wb"), Map.of("name", "digits"), Map.of());
        var cfg = TrainerConfig.builder().epochs(3).optimizer(new SGD(model.parameters(), SGD.Config.lr(0.05))).seed(7).logEvery(2)
                .callback(rec).checkpointFile(run.checkpoints().resolve("last.safetensors")).writeBehind(writeBehind).build();
        new Trainer(cfg).fit(model, DataLoader.builder(digits).batchSize(50).shuffle(7).build(), DataLoader.builder(digits).batchSize(100).build());
        return run;
    }

    /** The lines without the epoch times and throughputs (which differ from run to run) and the run's directory. */
    private static java.util.List<String> withoutTimes(java.util.List<String> lines) {
        return lines.stream().map(l -> l.replaceAll("\"?(epoch_time_s|samples_per_s)\"?:?[0-9.eE+-]*", "")
                .replaceAll("[0-9.]+s +[0-9,]+ samples/s", "").replaceAll(" in \\S+ ", " in DIR ")).toList();
    }

    /** history.csv without its epoch_time_s and samples_per_s columns. */
    private static java.util.List<String> csvWithoutTimes(Path csv) throws java.io.IOException {
        var lines = java.nio.file.Files.readAllLines(csv);
        var header = java.util.List.of(lines.get(0).split(","));
        int t = header.indexOf("epoch_time_s"), s = header.indexOf("samples_per_s");
        assertThat(t).isPositive();
        return lines.stream().map(l -> {
            String[] f = l.split(",", -1);
            f[t] = "";
            f[s] = "";
            return String.join(",", f);
        }).toList();
    }

    /** {@code a}'s epoch records with {@code b}'s times: what a should equal. */
    @SuppressWarnings("unchecked")
    private static Object withoutTimes(Object a, Object b) {
        var la = (java.util.List<Map<String, Object>>) a;
        var lb = (java.util.List<Map<String, Object>>) b;
        java.util.List<Map<String, Object>> out = new java.util.ArrayList<>();
        for (int i = 0; i < la.size(); i++) {
            Map<String, Object> m = new java.util.LinkedHashMap<>(la.get(i));
            for (String k : new String[] {"epoch_time_s", "samples_per_s"}) if (m.containsKey(k)) m.put(k, lb.get(i).get(k));
            out.add(m);
        }
        return out;
    }

    private static java.util.List<String> leftovers(RunDirectory run) throws java.io.IOException {
        try (var files = java.nio.file.Files.walk(run.dir().toFile().toPath())) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
        }
    }
}
