package dev.machina.experiment;

import dev.machina.io.AtomicFiles;
import dev.machina.run.RunDirectory;
import dev.machina.train.Callback;
import dev.machina.train.History;
import dev.machina.train.Trainer;
import java.io.IOException;
import java.util.List;
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
        AtomicFiles.writeString(run.file("spec.yaml"), exp.resolvedYaml());
        Setup setup = Setup.of(exp, data, run);
        Trainer trainer = new Trainer(setup.config(extra, null));
        if (onTrainer != null) onTrainer.accept(trainer);
        return trainer.fit(setup.model(), setup.train(), setup.validation());
    }
}
