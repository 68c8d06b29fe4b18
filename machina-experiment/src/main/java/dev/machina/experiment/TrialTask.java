package dev.machina.experiment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.machina.train.Trainer;
import dev.machina.train.callbacks.Pruner;
import java.io.IOException;
import java.io.Serializable;
import java.lang.ref.SoftReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A sweep trial described portably, for an executor that trains it in another process or on
 * another machine: the sweep as one self-contained YAML text (base spec inlined, overrides
 * applied, its name fixed), the sweep's id, the trial number and its parameters (as JSON). It
 * holds no path of the driver: the trial trains into a directory of the process that runs it,
 * and {@link #train} hands back the result with the run directory's files
 * ({@link TrialOutcome}), which the sweep puts in place. Data are read where the trial runs:
 * built-in datasets from the classpath or their install location, a CSV from its path there.
 *
 * @param sweepYaml  {@link SweepSpec#portableYaml()}
 * @param sweepId    the sweep directory's name (run.json's sweep tag)
 * @param trial      the 0-based trial number
 * @param paramsJson the trial's parameters, a JSON object in the space's key order
 */
public record TrialTask(String sweepYaml, String sweepId, int trial, String paramsJson) implements Serializable {
    /** Parsed sweeps and prepared data, per process: the trials of one sweep on one executor share them. */
    private static final Map<String, SweepSpec> SPECS = new ConcurrentHashMap<>();
    private static final Map<String, SoftReference<Prepared>> DATA = new ConcurrentHashMap<>();

    /** What the process training a trial tells the sweep, and hears back: each call may cross the network. */
    public interface Link {
        /** Training starts for {@code epochs} epochs (0: the trial's spec was rejected). */
        void started(int epochs);

        /** The objective after a 1-based epoch; the answer says whether the trial goes on. */
        Pruner.Decision report(int epoch, double value);

        /** True once the sweep was stopped: the trial stops after its epoch, status interrupted. */
        boolean stopping();
    }

    static TrialTask of(SweepSpec spec, String sweepId, int trial, Map<String, Object> params) {
        try {
            return new TrialTask(spec.portableYaml(), sweepId, trial, SweepRunner.JSON.writeValueAsString(params));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The trial's parameters. */
    public Map<String, Object> params() {
        try {
            return SweepRunner.JSON.readValue(paramsJson, new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("bad trial parameters " + paramsJson + ": " + e.getMessage(), e);
        }
    }

    /** The sweep this trial belongs to (parsed once per process). */
    public SweepSpec sweep() {
        SweepSpec s = SPECS.get(sweepYaml);
        if (s != null) return s;
        if (SPECS.size() > 8) SPECS.clear();
        s = SweepSpec.parse("sweep " + sweepId, sweepYaml, null, java.util.List.of());
        SPECS.put(sweepYaml, s);
        return s;
    }

    /**
     * Trains the trial in a new directory under {@code workDir} (deleted afterwards) and returns
     * its result with the run directory's files. A failure of training is in the outcome (status
     * failed, with the reason), as in a local sweep; an exception means the trial could not be
     * run at all (the directory could not be written), which an executor may retry.
     */
    public TrialOutcome train(Path workDir, Link link) throws IOException {
        Path tmp = Files.createTempDirectory(workDir, "machina-trial-");
        try {
            Path d = tmp.resolve(SweepRunner.trialDirName(trial));
            Trainer[] live = new Trainer[1];
            Pruner pruner = (t, epoch, value) -> {
                Pruner.Decision dec = link.report(epoch, value);
                if (link.stopping() && live[0] != null) live[0].requestStop(Trainer.Status.INTERRUPTED, "the sweep was interrupted");
                return dec;
            };
            SweepTrial.Hooks hooks = new SweepTrial.Hooks() {
                @Override
                public void started(int epochs) {
                    link.started(epochs);
                }

                @Override
                public void trainer(Trainer t) {
                    live[0] = t;
                }
            };
            SweepTrial.Ran r = SweepTrial.train(sweep(), sweepId, trial, params(), d, pruner, hooks, TrialTask::prepared);
            return TrialOutcome.of(trial, r, d);
        } finally {
            TrialOutcome.deleteTree(tmp);
        }
    }

    private static Prepared prepared(Experiment e) {
        String key = SweepRunner.dataKey(e);
        synchronized (DATA) {
            SoftReference<Prepared> ref = DATA.get(key);
            Prepared p = ref == null ? null : ref.get();
            if (p == null) {
                p = Prepared.of(e);
                DATA.put(key, new SoftReference<>(p));
            }
            return p;
        }
    }
}
