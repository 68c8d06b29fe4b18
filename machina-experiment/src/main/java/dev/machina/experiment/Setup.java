package dev.machina.experiment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.machina.data.DataLoader;
import dev.machina.data.TensorDataset;
import dev.machina.nn.Module;
import dev.machina.optim.Optimizer;
import dev.machina.run.RunDirectory;
import dev.machina.run.RunRecorder;
import dev.machina.train.Callback;
import dev.machina.train.GradientSync;
import dev.machina.train.LossFunction;
import dev.machina.train.TrainerConfig;
import dev.machina.train.callbacks.EarlyStopping;
import dev.machina.train.callbacks.LrScheduleCallback;
import dev.machina.train.callbacks.Monitor;
import dev.machina.train.callbacks.NanGuard;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a spec trains with, built one way for `machina train` and for sweep trials: the
 * model, optimizer, loss, loaders, the run recorder (with the metadata that lets `eval`,
 * `predict` and `generate` rebuild the model), and the trainer configuration.
 *
 * @param classes     number of classes (0 for regression and text)
 * @param vocabulary  vocabulary size for text (0 otherwise)
 * @param outputShape what one example's output must be
 * @param sync        the link to the other workers of data-parallel training, or null
 */
public record Setup(Experiment experiment, Prepared data, Module model, Optimizer optimizer, LossFunction loss, DataLoader train,
                    DataLoader validation, DataLoader test, RunRecorder recorder, int classes, int vocabulary, int[] outputShape,
                    GradientSync sync) {

    /** The identity key a {@link Prepared} holds when its training set is one worker's own shard (not the whole set). */
    public static final String SHARDED = "sharded";

    public static Setup of(Experiment exp, Prepared data, RunDirectory run) {
        return of(exp, data, run, null);
    }

    /**
     * The setup of one worker of data-parallel training ({@code sync} non-null): the same model
     * (the same seed gives every worker the same initial weights), and a train loader that yields
     * this worker's part of each global batch of {@code training.batch_size} — or, when the data's
     * training set is the worker's own shard ({@link #SHARDED}; every shard the same size), batches
     * of {@code ⌈batch_size / workers⌉} of it, shuffled by a stream of the worker's own.
     */
    public static Setup of(Experiment exp, Prepared data, RunDirectory run, GradientSync sync) {
        TensorDataset train = data.train();
        int classes = train.isClassification() ? train.numClasses() : 0;
        int vocab = data.vocabulary() == null ? 0 : data.vocabulary().size();
        int[] outShape = outputShape(train, data);
        Module model = Build.model(exp, train.featureShape(), classes, vocab, outShape);
        Optimizer opt = Build.optimizer(exp, model);
        LossFunction loss = Build.loss(exp, train);
        Experiment.Training t = exp.training();
        boolean ownShard = sync != null && Boolean.TRUE.equals(data.identity().get(SHARDED));
        DataLoader.Builder tb = ownShard
                ? DataLoader.builder(train).batchSize((t.batchSize() + sync.size() - 1) / sync.size()).shuffle(exp.seed() + 0x9E3779B97F4A7C15L * sync.rank())
                : DataLoader.builder(train).batchSize(t.batchSize()).shuffle(exp.seed());
        if (sync != null && !ownShard) tb.shard(sync.rank(), sync.size());
        DataLoader trainLoader = tb.build();
        DataLoader valLoader = data.validation() == null ? null : DataLoader.builder(data.validation()).batchSize(t.evalBatchSize()).build();
        DataLoader testLoader = DataLoader.builder(data.test()).batchSize(t.evalBatchSize()).build();
        Map<String, String> meta = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        try {
            meta.put("spec", json.writeValueAsString(exp.resolved()));
            meta.put("class_names", json.writeValueAsString(data.classNames()));
            meta.put("feature_shape", json.writeValueAsString(train.featureShape()));
            meta.put("output_shape", json.writeValueAsString(outShape));
            meta.put("task", classes > 0 ? "classification" : vocab > 0 ? "language-model" : "regression");
            if (vocab > 0) meta.put("vocabulary", json.writeValueAsString(data.vocabulary().chars()));
            if (data.transform() != null) meta.put("transform", json.writeValueAsString(data.transform().state()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        RunRecorder recorder = new RunRecorder(run, exp.resolved(), data.identity(), meta);
        return new Setup(exp, data, model, opt, loss, trainLoader, valLoader, testLoader, recorder, classes, vocab, outShape, sync);
    }

    /** What one example's output must be: [classes], [steps, vocabulary] for text, the target shape for regression. */
    public static int[] outputShape(TensorDataset train, Prepared data) {
        if (train.isClassification()) return new int[] {train.numClasses()};
        if (data.vocabulary() != null) return new int[] {train.featureShape()[0], data.vocabulary().size()};
        return train.targetShape().length == 0 ? new int[] {1} : train.targetShape();
    }

    /**
     * The trainer configuration the spec describes: NaN guard, schedule, early stopping, then
     * {@code extra} (progress, pruning), then the recorder last (it saves what the others left).
     */
    public TrainerConfig config(List<Callback> extra, Path checkpointFile) {
        return config(extra, List.of(), checkpointFile);
    }

    /** As {@link #config(List, Path)}, with callbacks that run after the recorder (they see what it saved). */
    public TrainerConfig config(List<Callback> extra, List<Callback> afterRecorder, Path checkpointFile) {
        Experiment.Training t = experiment.training();
        List<Callback> cbs = new ArrayList<>();
        cbs.add(new NanGuard());
        LrScheduleCallback sched = Build.schedule(experiment, optimizer, train.numBatches());
        if (sched != null) cbs.add(sched);
        if (t.earlyStopping() != null) {
            Experiment.EarlyStop e = t.earlyStopping();
            if (validation == null && e.monitor().startsWith("val_")) {
                throw experiment.error("training.early_stopping.monitor", "monitors " + e.monitor() + " but there is no validation set (data.validation is 0)");
            }
            cbs.add(new EarlyStopping(Monitor.of(e.monitor(), e.mode()), e.patience(), e.minDelta(), e.restoreBest()));
        }
        cbs.addAll(extra);
        cbs.add(recorder);
        cbs.addAll(afterRecorder);
        TrainerConfig.Builder cb = TrainerConfig.builder().epochs(t.epochs()).loss(loss).optimizer(optimizer).clipNorm(t.clipNorm())
                .clipValue(t.clipValue()).seed(experiment.seed()).logEvery(t.logEvery()).callbacks(cbs).checkpointFile(checkpointFile).gradientSync(sync)
                // the run directory's per-epoch files and the checkpoint: the next epoch does not wait for the disk. Not for a
                // worker of data-parallel training: its callbacks (Spark's worker 0 ships the run directory after each epoch)
                // read the files as soon as the recorder has written them, and each step waits for the other workers anyway.
                .writeBehind(sync == null);
        if (t.timeBudgetS() != null) cb.timeBudget(Duration.ofMillis((long) (t.timeBudgetS() * 1000)));
        return cb.build();
    }
}
