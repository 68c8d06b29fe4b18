package dev.machina.train;

import dev.machina.data.Batch;
import dev.machina.data.DataLoader;
import dev.machina.io.AtomicFiles;
import dev.machina.io.Checkpoint;
import dev.machina.io.WriteBehind;
import dev.machina.nn.Module;
import dev.machina.optim.GradClip;
import dev.machina.optim.Optimizer;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training loop: for each epoch, every batch goes forward, through the loss, backward, and
 * the optimizer steps; then the validation set is evaluated and callbacks run. With a
 * {@link TrainerConfig#checkpointFile()}, the whole state is saved after every epoch, and
 * {@link #resume} continues so that the final weights are bit-identical to an uninterrupted run.
 * Each step starts by clearing the gradients with {@link Optimizer#zeroGradReusingBuffers}: a
 * parameter's gradient array is the same memory from step to step, so a callback that keeps a
 * gradient past its step keeps a copy.
 */
public final class Trainer {

    /** How a fit ended (and the run's status). */
    public enum Status {
        RUNNING("running"), COMPLETED("completed"), STOPPED_EARLY("stopped-early"), FAILED("failed"), INTERRUPTED("interrupted"),
        /** Stopped by a {@link dev.machina.train.callbacks.Pruner} (a sweep judged the trial unpromising). */
        PRUNED("pruned");

        private final String label;

        Status(String label) {
            this.label = label;
        }

        /** The status as run.json writes it. */
        public String label() {
            return label;
        }
    }

    private final TrainerConfig config;
    private volatile boolean stop;
    private volatile Status stopStatus = Status.COMPLETED;
    private volatile String stopReason = "";

    public Trainer(TrainerConfig config) {
        this.config = config;
    }

    public TrainerConfig config() {
        return config;
    }

    /** Asks a running fit to stop after its current batch (thread-safe; used for Ctrl-C). */
    public void requestStop(Status status, String reason) {
        stopStatus = status;
        stopReason = reason;
        stop = true;
    }

    /** Trains from the start. */
    public History fit(Module model, DataLoader train, DataLoader validation) {
        return run(model, train, validation, null);
    }

    /** Continues a fit from a checkpoint written by an earlier fit with the same configuration. */
    public History resume(Module model, DataLoader train, DataLoader validation, Path checkpoint) {
        try {
            return run(model, train, validation, Checkpoint.load(checkpoint));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resume from " + checkpoint + ": " + e.getMessage(), e);
        }
    }

    /**
     * One fit. A stop asked for before it starts (a sweep stopping, Ctrl-C while the data loads)
     * ends it before its first epoch; once it has ended, the stop is forgotten, so that a later fit
     * of the same trainer runs (as Keras's fit resets {@code stop_training}).
     */
    private History run(Module model, DataLoader train, DataLoader validation, Checkpoint from) {
        try {
            return runOnce(model, train, validation, from);
        } finally {
            stop = false;
            stopStatus = Status.COMPLETED;
            stopReason = "";
        }
    }

    @SuppressWarnings("unchecked")
    private History runOnce(Module model, DataLoader train, DataLoader validation, Checkpoint from) {
        Optimizer opt = config.optimizer();
        History history = new History();
        Ctx ctx = new Ctx(model, opt, history, train, config.writeBehind() ? WriteBehind.background() : WriteBehind.synchronous());
        int startEpoch = 0;
        if (from != null) {
            model.loadStateDict(from.model());
            Map<String, Object> st = from.state();
            opt.loadStateDict((Map<String, Object>) st.get("optimizer"));
            startEpoch = (Integer) st.get("next_epoch");
            ctx.step = (Long) st.get("global_step");
            ctx.trainSeconds = (Double) st.get("train_seconds");
            Rng rng = Rng.fromState((long[]) st.get("rng"));
            model.setRng(rng);
            for (Object e : (List<Object>) st.get("history")) history.add((Map<String, Double>) e);
            Map<String, Object> cbs = (Map<String, Object>) st.get("callbacks");
            for (Callback c : config.callbacks()) {
                Object s = cbs.get(c.stateKey());
                if (s != null) c.loadState((Map<String, Object>) s);
            }
        } else if (config.seed() != null) {
            model.setRng(Rng.forStream(config.seed(), 0x44726f70L)); // "Drop": the dropout stream
        }
        ctx.epoch = startEpoch;
        ctx.epochsWritten = startEpoch;
        ctx.stepsWritten = ctx.step;
        ctx.stepsBegun = ctx.step;
        Throwable error = null;
        Map<String, Double> last = history.last();
        try {
            for (Callback c : config.callbacks()) c.onTrainBegin(ctx);
            for (int epoch = startEpoch; epoch < config.epochs() && !stop; epoch++) {
                ctx.epoch = epoch;
                last = runEpoch(ctx, model, opt, train, validation, epoch);
                if (last == null) break; // stopped inside the epoch: the epoch does not count
                ctx.checkWrites(); // an earlier epoch's write failed during this epoch's validation: this epoch does not count
                history.add(last);
                for (Callback c : config.callbacks()) c.onEpochEnd(ctx, epoch, last);
                if (config.checkpointFile() != null) ctx.queueCheckpoint(config.checkpointFile(), epoch + 1);
                int written = epoch + 1;
                long steps = ctx.step;
                ctx.writes.submit(() -> { // after the epoch's files: skipped when one of them fails
                    ctx.stepsWritten = steps;
                    ctx.epochsWritten = written;
                });
            }
            ctx.writes.flush();
            history.finish(stop ? stopStatus : Status.COMPLETED, stop ? stopReason : "");
        } catch (RuntimeException | Error e) {
            error = e;
            history.finish(Status.FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
        } catch (IOException e) { // a callback's write (the checkpoint's own failure is unchecked, naming the file)
            error = new UncheckedIOException(e.getMessage(), e);
            history.finish(Status.FAILED, error.getMessage());
        }
        // a callback's failed stop (NanGuard) ends the fit inside an epoch, as a thrown failure does
        boolean failedStop = error == null && stop && stopStatus == Status.FAILED;
        if (error != null || failedStop) {
            Throwable sink = error != null ? error : new IllegalStateException(stopReason);
            waitForWrites(ctx.writes, sink); // what was written before the failure lands before onTrainEnd's writes
            last = backToLastWrittenEpoch(ctx, sink);
            if (failedStop && sink.getSuppressed().length > 0) {
                Throwable why = sink.getSuppressed()[0];
                history.finish(Status.FAILED, stopReason + " (and then: " + (why.getMessage() == null ? why : why.getMessage()) + ")");
            }
        }
        try {
            for (Callback c : config.callbacks()) {
                try {
                    c.onTrainEnd(ctx, last == null ? Map.of() : last, error);
                } catch (RuntimeException e) {
                    if (error == null) error = e;
                }
            }
        } finally { // an Error thrown by onTrainEnd too ends the writer thread
            try {
                ctx.writes.close(); // waits for onTrainEnd's writes
            } catch (IOException | RuntimeException e) {
                if (error == null) error = e instanceof IOException io ? new UncheckedIOException(io) : e;
            }
        }
        if (error instanceof RuntimeException re) throw re;
        if (error instanceof Error er) throw er;
        return history;
    }

    /**
     * After a failure, the fit ends at the last epoch whose end-of-epoch files and checkpoint were
     * all written, whichever epoch the failure was found in (written behind, a write can fail after
     * the next epoch has ended): later epochs leave the history, the step count goes back to that
     * epoch's, and weights trained since are replaced by that epoch's from the checkpoint file. With
     * no checkpoint file to take them from, {@link TrainContext#weightsMatchHistory()} turns false
     * (the run recorder then saves no model). Returns the last epoch's logs.
     */
    private Map<String, Double> backToLastWrittenEpoch(Ctx ctx, Throwable error) {
        List<Map<String, Double>> epochs = ctx.history.mutableEpochs();
        int written = ctx.epochsWritten;
        if (epochs.size() > written) epochs.subList(written, epochs.size()).clear();
        if (ctx.stepsBegun > ctx.stepsWritten) { // trained after that epoch's end
            ctx.weightsMatchHistory = false;
            Path file = config.checkpointFile();
            if (written > 0 && file != null && Files.isRegularFile(file)) {
                try {
                    Checkpoint cp = Checkpoint.load(file);
                    if (cp.state().get("next_epoch") instanceof Integer next && next == written
                            && cp.state().get("global_step") instanceof Long at && at == ctx.stepsWritten) {
                        ctx.model.loadStateDict(cp.model());
                        ctx.weightsMatchHistory = true;
                    }
                } catch (IOException | RuntimeException | OutOfMemoryError e) {
                    error.addSuppressed(e);
                }
            }
        }
        ctx.step = ctx.stepsWritten;
        return ctx.history.last();
    }

    /** After a failure: waits for the writes already submitted; one of them failing too is added to {@code error}. */
    private static void waitForWrites(WriteBehind writes, Throwable error) {
        try {
            writes.flush();
        } catch (IOException | RuntimeException e) {
            if (e != error) error.addSuppressed(e);
        }
    }

    /** One epoch; returns its logs, or null when a stop was requested before it finished. */
    private Map<String, Double> runEpoch(Ctx ctx, Module model, Optimizer opt, DataLoader train, DataLoader validation, int epoch) {
        model.train();
        for (Callback c : config.callbacks()) c.onEpochBegin(ctx, epoch);
        List<Tensor> params = model.parameters();
        long t0 = System.nanoTime();
        GradientSync sync = config.gradientSync();
        if (sync != null && config.seed() != null) {
            // each worker's dropout masks: a stream of its own, restarted every epoch so a resume needs no per-worker state
            model.setRng(Rng.forStream(config.seed() + 0x9E3779B97F4A7C15L * (epoch + 1), 0x44726f70L + sync.rank()));
        }
        Totals totals = new Totals();
        for (Batch batch : train.epoch(epoch)) {
            trainStep(ctx, model, opt, params, sync, batch, epoch, t0, totals);
            if (stop) return null;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        ctx.trainSeconds += secs;
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("epoch", (double) (epoch + 1));
        logs.put("train_loss", totals.seen == 0 ? Double.NaN : totals.lossSum / totals.seen);
        if (totals.labelled > 0) logs.put("train_accuracy", (double) totals.correct / totals.labelled);
        if (validation != null) {
            Evaluator.Result r = Evaluator.evaluate(model, validation, config.loss());
            logs.put("val_loss", r.loss());
            if (!Double.isNaN(r.accuracy())) logs.put("val_accuracy", r.accuracy());
            for (Callback c : config.callbacks()) c.onValidationEnd(ctx, epoch, logs);
        }
        logs.put("lr", opt.lr());
        logs.put("epoch_time_s", secs);
        logs.put("samples_per_s", secs > 0 ? totals.seen / secs : Double.NaN);
        if (sync != null) logs.put("sync_ms_per_step", totals.steps == 0 ? 0 : totals.syncNanos / 1e6 / totals.steps);
        return logs;
    }

    /** What an epoch's steps add up, for its logs. */
    private static final class Totals {
        double lossSum;
        long seen, correct, labelled, syncNanos, steps;
    }

    /**
     * One optimizer step of an epoch, on its own rather than in the epoch's loop, so that the JIT
     * compiles it once: an epoch's loop, compiled on the stack with the step inlined (several
     * kilobytes of bytecode, 0.25-0.3 s of a C2 thread), was compiled again after its exit at the
     * epoch's end, while the next epochs' steps competed with the compiler for the cores.
     */
    private void trainStep(Ctx ctx, Module model, Optimizer opt, List<Tensor> params, GradientSync sync, Batch batch, int epoch, long t0, Totals totals) {
        ctx.checkWrites(); // a failed write behind ends the fit at the next step, as a synchronous one would have
        for (Callback c : config.callbacks()) c.onBatchBegin(ctx, ctx.step);
        int n = batch.size();
        double lv = 0;
        long batchCorrect = 0, batchLabelled = 0;
        opt.zeroGradReusingBuffers(); // the last step's gradients are not used after its callbacks
        if (n > 0) { // a worker's part of a last batch smaller than the group is empty
            Tensor out = model.forward(batch.features());
            Tensor loss = config.loss().compute(out, batch);
            lv = loss.item();
            loss.backward();
            if (batch.labels() != null && out.rank() == 2 && out.shape(1) > 1) {
                int[] pred = out.argmax(1);
                for (int i = 0; i < pred.length; i++) if (pred[i] == batch.labels()[i]) batchCorrect++;
                batchLabelled = n;
            }
        }
        // the time budget: with workers, one decision for all (any worker over it stops every worker at this step)
        boolean overBudget = config.timeBudget() != null
                && ctx.trainSeconds + (System.nanoTime() - t0) / 1e9 > config.timeBudget().toMillis() / 1000.0;
        if (sync != null) {
            long s0 = System.nanoTime();
            double[] global = combine(sync, params, n, lv, batchCorrect, batchLabelled, overBudget);
            overBudget = global[4] > 0;
            totals.syncNanos += System.nanoTime() - s0;
            n = (int) global[0];
            lv = global[1];
            batchCorrect = (long) global[2];
            batchLabelled = (long) global[3];
        }
        totals.steps++;
        if (config.clipNorm() > 0) GradClip.clipGradNorm(params, config.clipNorm());
        if (config.clipValue() > 0) GradClip.clipGradValue(params, config.clipValue());
        ctx.stepsBegun = ctx.step + 1;
        opt.step();
        ctx.step++;
        totals.lossSum += lv * n;
        totals.seen += n;
        totals.correct += batchCorrect;
        totals.labelled += batchLabelled;
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", lv);
        logs.put("lr", opt.lr());
        logs.put("epoch", (double) (epoch + 1));
        logs.put("step", (double) ctx.step);
        for (Callback c : config.callbacks()) c.onBatchEnd(ctx, ctx.step, logs);
        if (overBudget) {
            ctx.requestStop(Status.STOPPED_EARLY, "time budget of " + config.timeBudget().toSeconds() + " s reached");
        }
    }

    /**
     * Sums over the workers each one's gradient weighted by its example count, with the counts,
     * loss and accuracy counts, and leaves in every parameter's gradient the mean over the global
     * batch (a parameter no worker reached keeps no gradient, as in one process). Returns the
     * global {examples, mean loss, correct, labelled, workers that want to stop}.
     */
    private static double[] combine(GradientSync sync, List<Tensor> params, int n, double loss, long correct, long labelled, boolean stop) {
        int total = 0;
        for (Tensor p : params) total += p.size() + 1;
        float[] buf = new float[total + 5];
        int at = 0;
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g != null && n > 0) {
                float[] d = g.data();
                for (int i = 0; i < d.length; i++) buf[at + i] = d[i] * n;
                buf[at + d.length] = 1;
            }
            at += p.size() + 1;
        }
        buf[at] = n;
        buf[at + 1] = (float) (loss * n);
        buf[at + 2] = correct;
        buf[at + 3] = labelled;
        buf[at + 4] = stop ? 1 : 0;
        try {
            sync.allReduce(buf);
        } catch (IOException e) {
            throw new UncheckedIOException("data-parallel worker " + sync.rank() + " lost the other workers: " + e.getMessage(), e);
        }
        float globalN = buf[at];
        at = 0;
        for (Tensor p : params) {
            int size = p.size();
            if (buf[at + size] == 0 || globalN == 0) {
                p.setGrad(null);
            } else {
                float[] d = p.gradBuffer();
                for (int i = 0; i < size; i++) d[i] = buf[at + i] / globalN;
            }
            at += size + 1;
        }
        return new double[] {globalN, globalN == 0 ? 0 : buf[at + 1] / globalN, buf[at + 2], buf[at + 3], buf[at + 4]};
    }

    /**
     * The largest checkpoint written behind, in bytes: its copy waits in memory while it is written.
     * A larger one is streamed to its file on the training thread. 256 MiB or an eighth of the heap,
     * the smaller; tests lower it.
     */
    static long writeBehindLimit = Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 8);

    private final class Ctx implements TrainContext {
        final Module model;
        final Optimizer optimizer;
        final History history;
        final DataLoader train;
        final WriteBehind writes;
        /** The last end-of-epoch checkpoint handed to {@link #writes}. */
        java.util.concurrent.Future<?> checkpointWrite;
        int epoch;
        /** The epochs whose end-of-epoch writes (callbacks' files, checkpoint) have all been written; set by the writer. */
        volatile int epochsWritten;
        /** The step count at the end of the last of {@link #epochsWritten}; set by the writer before it. */
        volatile long stepsWritten;
        /** The optimizer steps begun (the weights change from the first one begun after {@link #stepsWritten}). */
        long stepsBegun;
        /** False after a failure when the model holds weights later than the last epoch in the history. */
        boolean weightsMatchHistory = true;
        long step;
        double trainSeconds;

        Ctx(Module model, Optimizer optimizer, History history, DataLoader train, WriteBehind writes) {
            this.writes = writes;
            this.model = model;
            this.optimizer = optimizer;
            this.history = history;
            this.train = train;
        }

        @Override public Module model() { return model; }
        @Override public Optimizer optimizer() { return optimizer; }
        @Override public TrainerConfig config() { return config; }
        @Override public DataLoader trainLoader() { return train; }
        @Override public int epoch() { return epoch; }
        @Override public long globalStep() { return step; }
        @Override public History history() { return history; }
        @Override public void requestStop(Status status, String reason) { Trainer.this.requestStop(status, reason); }
        @Override public boolean stopRequested() { return stop; }
        @Override public boolean weightsMatchHistory() { return weightsMatchHistory; }

        /** Throws the failure of a write behind that has already failed. */
        void checkWrites() {
            try {
                writes.check();
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }

        @Override
        public void write(WriteBehind.Write write) throws IOException {
            writes.submit(write);
        }

        @Override
        public void saveCheckpoint(Path file) throws IOException {
            writes.flush(); // after the files already submitted, as a synchronous writer would
            checkpoint(epoch + 1).save(file);
        }

        /**
         * The end-of-epoch checkpoint. Synchronous, it is streamed to the file now. Written behind,
         * its bytes are made now and written by {@link #writes}, the previous checkpoint's write
         * waited for first so that at most one checkpoint's bytes wait in memory; a checkpoint
         * larger than {@link #writeBehindLimit} is streamed to the file now instead, after the
         * writes already submitted.
         */
        void queueCheckpoint(Path file, int nextEpoch) throws IOException {
            Checkpoint cp = checkpoint(nextEpoch);
            byte[] bytes = null;
            if (config.writeBehind()) {
                // waited for even when interrupted: two checkpoints' bytes are never held at once
                if (checkpointWrite != null) WriteBehind.await(checkpointWrite);
                bytes = cp.toBytes(writeBehindLimit);
            }
            if (bytes == null) {
                writes.flush();
                try {
                    cp.save(file);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
                }
                return;
            }
            byte[] made = bytes;
            checkpointWrite = writes.submit(() -> {
                try {
                    AtomicFiles.write(file, made);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
                }
            });
        }

        Checkpoint checkpoint(int nextEpoch) {
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("next_epoch", nextEpoch);
            st.put("global_step", step);
            st.put("train_seconds", trainSeconds);
            st.put("rng", model.rng().state());
            st.put("optimizer", optimizer.stateDict());
            st.put("history", new ArrayList<Object>(history.epochs()));
            Map<String, Object> cbs = new LinkedHashMap<>();
            for (Callback c : config.callbacks()) {
                Map<String, Object> s = c.state();
                if (!s.isEmpty()) cbs.put(c.stateKey(), s);
            }
            st.put("callbacks", cbs);
            return new Checkpoint(model.stateDict(), st);
        }
    }
}
