package dev.machina.train;

import dev.machina.optim.Optimizer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How to train: epochs, loss, optimizer, gradient clipping, seed, time budget, logging,
 * callbacks and where to keep the resumable checkpoint. Build with {@link #builder()}.
 *
 * @param epochs         number of passes over the training data (≥ 1)
 * @param loss           the objective
 * @param optimizer      the optimizer over the model's parameters
 * @param clipNorm       clip the global gradient norm to this (0 = off)
 * @param clipValue      clip every gradient element to ±this (0 = off)
 * @param seed           seeds the model's generator (dropout) at the start of a fresh fit; null leaves it alone
 * @param timeBudget     stop (as stopped-early) once this much training time has passed; null = none
 * @param logEvery       report a step record to callbacks every N optimizer steps (0 = never)
 * @param callbacks      hooks, run in order
 * @param checkpointFile where the full state is written after every epoch (null = not written);
 *                       {@link Trainer#resume} continues from such a file
 * @param gradientSync   for data-parallel training, the link to the other workers (null = one process)
 * @param writeBehind    write the checkpoint and what callbacks hand to {@link TrainContext#write} on a
 *                       background thread, in order ({@link dev.machina.io.WriteBehind}), so that the next
 *                       epoch does not wait for the disk; the fit waits for them before it ends
 */
public record TrainerConfig(int epochs, LossFunction loss, Optimizer optimizer, double clipNorm, double clipValue,
                            Long seed, Duration timeBudget, int logEvery, List<Callback> callbacks, Path checkpointFile,
                            GradientSync gradientSync, boolean writeBehind) {
    public TrainerConfig {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        if (loss == null) throw new IllegalArgumentException("a loss function is required");
        if (optimizer == null) throw new IllegalArgumentException("an optimizer is required");
        if (!(clipNorm >= 0)) throw new IllegalArgumentException("clipNorm must be >= 0 (0 = off), got " + clipNorm);
        if (!(clipValue >= 0)) throw new IllegalArgumentException("clipValue must be >= 0 (0 = off), got " + clipValue);
        if (logEvery < 0) throw new IllegalArgumentException("logEvery must be >= 0, got " + logEvery);
        if (timeBudget != null && (timeBudget.isNegative() || timeBudget.isZero())) {
            throw new IllegalArgumentException("timeBudget must be positive, got " + timeBudget);
        }
        callbacks = List.copyOf(callbacks);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The settings as plain values, for run records. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", epochs);
        m.put("optimizer", optimizer.getClass().getSimpleName());
        m.put("lr", optimizer.lr());
        m.put("clip_norm", clipNorm);
        m.put("clip_value", clipValue);
        m.put("seed", seed);
        m.put("time_budget_s", timeBudget == null ? null : timeBudget.toMillis() / 1000.0);
        m.put("log_every", logEvery);
        if (gradientSync != null) m.put("workers", gradientSync.size());
        List<String> cbs = new ArrayList<>();
        for (Callback c : callbacks) cbs.add(c.getClass().getSimpleName());
        m.put("callbacks", cbs);
        return m;
    }

    public static final class Builder {
        private int epochs = 10;
        private LossFunction loss = LossFunction.crossEntropy();
        private Optimizer optimizer;
        private double clipNorm, clipValue;
        private Long seed;
        private Duration timeBudget;
        private int logEvery;
        private final List<Callback> callbacks = new ArrayList<>();
        private Path checkpointFile;
        private GradientSync gradientSync;
        private boolean writeBehind;

        public Builder epochs(int v) { epochs = v; return this; }
        public Builder loss(LossFunction v) { loss = v; return this; }
        public Builder optimizer(Optimizer v) { optimizer = v; return this; }
        public Builder clipNorm(double v) { clipNorm = v; return this; }
        public Builder clipValue(double v) { clipValue = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder timeBudget(Duration v) { timeBudget = v; return this; }
        public Builder logEvery(int v) { logEvery = v; return this; }
        public Builder callback(Callback c) { callbacks.add(c); return this; }
        public Builder callbacks(List<Callback> cs) { callbacks.addAll(cs); return this; }
        public Builder checkpointFile(Path p) { checkpointFile = p; return this; }
        /** Train as one worker of a data-parallel group (the train loader must be sharded to match). */
        public Builder gradientSync(GradientSync s) { gradientSync = s; return this; }

        /** Write the checkpoint and the callbacks' per-epoch files on a background thread (default false: on the training thread). */
        public Builder writeBehind(boolean v) { writeBehind = v; return this; }

        public TrainerConfig build() {
            return new TrainerConfig(epochs, loss, optimizer, clipNorm, clipValue, seed, timeBudget, logEvery, callbacks, checkpointFile, gradientSync, writeBehind);
        }
    }
}
