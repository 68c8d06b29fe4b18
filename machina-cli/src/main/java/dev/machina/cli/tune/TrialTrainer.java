package dev.machina.cli.tune;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.machina.cli.spec.Build;
import dev.machina.cli.spec.Experiment;
import dev.machina.cli.spec.Prepared;
import dev.machina.data.DataLoader;
import dev.machina.data.TensorDataset;
import dev.machina.io.AtomicFiles;
import dev.machina.nn.Module;
import dev.machina.optim.Optimizer;
import dev.machina.run.RunDirectory;
import dev.machina.train.Callback;
import dev.machina.train.EarlyStopping;
import dev.machina.train.History;
import dev.machina.train.LossFunction;
import dev.machina.train.LrScheduleCallback;
import dev.machina.train.Monitor;
import dev.machina.train.NanGuard;
import dev.machina.train.RunRecorder;
import dev.machina.train.Trainer;
import dev.machina.train.TrainerConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Trains one experiment into a run directory exactly as {@code machina train} does (same model,
 * optimizer, loader order, schedule, early stopping, NaN guard and seed, so a trial's result is
 * what training its spec gives), with extra callbacks (pruning, live progress) before the
 * recorder. No test-set evaluation (a sweep selects on validation data) and no per-epoch
 * checkpoint (an unfinished trial is run again from the start).
 */
public final class TrialTrainer {
    private TrialTrainer() {}

    /**
     * @param onTrainer receives the trainer before it starts (to stop it on Ctrl-C)
     * @return the history; a failure inside training is in its status and reason (run.json says failed)
     */
    public static History train(Experiment exp, Prepared data, RunDirectory run, List<Callback> extra, Consumer<Trainer> onTrainer)
            throws IOException {
        TensorDataset train = data.train();
        int classes = train.isClassification() ? train.numClasses() : 0;
        Module model = Build.model(exp, train.featureShape(), classes);
        Optimizer opt = Build.optimizer(exp, model);
        LossFunction loss = Build.loss(exp, train);
        Experiment.Training t = exp.training();
        DataLoader trainLoader = DataLoader.builder(train).batchSize(t.batchSize()).shuffle(exp.seed()).build();
        DataLoader valLoader = data.validation() == null ? null : DataLoader.builder(data.validation()).batchSize(t.evalBatchSize()).build();
        AtomicFiles.writeString(run.file("spec.yaml"), exp.resolvedYaml());
        Map<String, String> meta = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        meta.put("spec", json.writeValueAsString(exp.resolved()));
        meta.put("class_names", json.writeValueAsString(data.classNames()));
        meta.put("feature_shape", json.writeValueAsString(train.featureShape()));
        if (data.transform() != null) meta.put("transform", json.writeValueAsString(data.transform().state()));
        RunRecorder recorder = new RunRecorder(run, exp.resolved(), data.identity(), meta);

        List<Callback> cbs = new ArrayList<>();
        cbs.add(new NanGuard());
        LrScheduleCallback sched = Build.schedule(exp, opt, trainLoader.numBatches());
        if (sched != null) cbs.add(sched);
        if (t.earlyStopping() != null) {
            Experiment.EarlyStop e = t.earlyStopping();
            if (valLoader == null && e.monitor().startsWith("val_")) {
                throw exp.error("training.early_stopping.monitor", "monitors " + e.monitor() + " but there is no validation set (data.validation is 0)");
            }
            cbs.add(new EarlyStopping(Monitor.of(e.monitor(), e.mode()), e.patience(), e.minDelta(), e.restoreBest()));
        }
        cbs.addAll(extra);
        cbs.add(recorder);
        TrainerConfig.Builder cb = TrainerConfig.builder().epochs(t.epochs()).loss(loss).optimizer(opt).clipNorm(t.clipNorm())
                .clipValue(t.clipValue()).seed(exp.seed()).logEvery(t.logEvery()).callbacks(cbs);
        if (t.timeBudgetS() != null) cb.timeBudget(Duration.ofMillis((long) (t.timeBudgetS() * 1000)));
        Trainer trainer = new Trainer(cb.build());
        if (onTrainer != null) onTrainer.accept(trainer);
        return trainer.fit(model, trainLoader, valLoader);
    }
}
