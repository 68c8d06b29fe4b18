package dev.machina.experiment;

import dev.machina.run.RunDirectory;
import dev.machina.train.Callback;
import dev.machina.train.History;
import dev.machina.train.TrainContext;
import dev.machina.train.Trainer;
import dev.machina.train.callbacks.Pruner;
import dev.machina.train.callbacks.PruningCallback;
import dev.machina.tune.TrialResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One sweep trial trained into its run directory: the same code whether the trial runs on a
 * thread of the sweep's JVM ({@link SweepRunner}) or in another process ({@link TrialTask}). The
 * run directory is tagged in run.json with the sweep, trial number and parameters; a trial whose
 * spec is rejected gets a run.json that says failed and why.
 */
final class SweepTrial {
    private SweepTrial() {}

    /** What the trial tells whoever runs it; called on the training thread. */
    interface Hooks {
        /** Training starts for {@code epochs} epochs (0: the trial's spec was rejected). */
        default void started(int epochs) {}

        /** The objective after a (1-based) epoch. */
        default void epoch(int epoch, double value) {}

        /** The trainer, before it starts (to stop it). */
        default void trainer(Trainer t) {}

        /** Training ended (the trainer is no longer running). */
        default void ended(Trainer t) {}
    }

    /**
     * @param values        the objective after each epoch run
     * @param plannedEpochs the epochs the trial's spec asks for (without pruning)
     */
    record Ran(String status, String error, List<Double> values, int plannedEpochs, double seconds) {}

    /** run.json's {@code sweep} entry of a trial. */
    static Map<String, Object> tag(SweepSpec spec, String sweepId, int trial, Map<String, Object> params) {
        Map<String, Object> tag = new LinkedHashMap<>();
        tag.put("name", spec.name());
        tag.put("sweep_id", sweepId);
        tag.put("trial", trial);
        tag.put("params", params);
        return tag;
    }

    static Ran train(SweepSpec spec, String sweepId, int trial, Map<String, Object> params, Path d, Pruner pruner, Hooks hooks,
                     Function<Experiment, Prepared> data) {
        long t0 = System.nanoTime();
        List<Double> values = new ArrayList<>();
        RunDirectory run;
        try {
            run = RunDirectory.createAt(d, spec.name());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create trial directory " + d + ": " + e.getMessage(), e);
        }
        run.record().set("sweep", SweepRunner.JSON.valueToTree(tag(spec, sweepId, trial, params)));
        run.saveRecord();
        String status, error = "";
        Experiment exp = null;
        int planned = spec.base().training().epochs();
        try {
            exp = spec.trial(params);
            planned = exp.training().epochs();
            hooks.started(planned);
            Prepared prepared = data.apply(exp);
            String metric = spec.objective().metric();
            Callback progress = new Callback() {
                @Override
                public void onEpochEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {
                    double v = logs.getOrDefault(metric, Double.NaN);
                    values.add(v);
                    hooks.epoch(epoch + 1, v);
                }
            };
            List<Callback> extra = List.of(progress, new PruningCallback(pruner, trial, metric));
            Trainer[] mine = new Trainer[1];
            History h;
            try {
                h = TrialTrainer.train(exp, prepared, run, extra, tr -> {
                    mine[0] = tr;
                    hooks.trainer(tr);
                });
            } finally {
                if (mine[0] != null) hooks.ended(mine[0]);
            }
            status = switch (h.status()) {
                case PRUNED -> TrialResult.PRUNED;
                case FAILED -> TrialResult.FAILED;
                case INTERRUPTED -> TrialResult.INTERRUPTED;
                default -> TrialResult.DONE;
            };
            if (h.status() != Trainer.Status.COMPLETED) error = h.reason();
        } catch (IOException | RuntimeException | OutOfMemoryError ex) { // a trial too large for the heap fails; the sweep goes on
            status = TrialResult.FAILED;
            error = ex instanceof OutOfMemoryError ? MemoryEstimate.outOfMemory("training this trial", "./machina tune …")
                    + ", or make this trial's model or batch smaller" : ex.getMessage() == null ? ex.toString() : ex.getMessage();
            if (exp == null) hooks.started(0);
            if (exp == null || ex instanceof OutOfMemoryError) { // the trial's spec was rejected, or it ran out of memory: say so in its run.json
                run.record().put("status", "failed");
                run.record().put("error", error);
                run.saveRecord();
            }
        }
        return new Ran(status, error, values, planned, (System.nanoTime() - t0) / 1e9);
    }
}
