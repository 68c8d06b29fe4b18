package dev.machina.train;

import dev.machina.data.DataLoader;
import dev.machina.nn.Module;
import dev.machina.optim.Optimizer;

/** What callbacks see of a running fit: the model, the optimizer, the position, and a way to stop. */
public interface TrainContext {
    Module model();

    Optimizer optimizer();

    TrainerConfig config();

    /** The training data's loader. */
    DataLoader trainLoader();

    /** The current epoch, 0-based. */
    int epoch();

    /** Optimizer steps taken so far in the whole run. */
    long globalStep();

    History history();

    /** Asks the trainer to stop after the current batch; {@code status} is one of {@link Trainer.Status}. */
    void requestStop(Trainer.Status status, String reason);

    boolean stopRequested();

    /**
     * False when a failed fit (a thrown failure, or a stop with status failed such as
     * {@link dev.machina.train.callbacks.NanGuard}'s) ended at the last epoch whose files and
     * checkpoint were all written, and the weights trained since could not be replaced by that
     * epoch's (no checkpoint file, or one that could not be read). Otherwise true; that includes a
     * fit stopped inside an epoch by Ctrl-C, a sweep or its time budget, whose model keeps the
     * weights of its last step (as Keras's does) though that epoch is not in {@link #history()}.
     */
    default boolean weightsMatchHistory() {
        return true;
    }

    /**
     * Runs {@code write} (a file write whose content is already made) after the writes submitted
     * before it, on the trainer's writer thread when {@link TrainerConfig#writeBehind()} is set,
     * else at once. The trainer waits for every write before {@link Callback#onTrainEnd}; a write
     * that fails is thrown by a later call, or then, and ends the fit as failed.
     */
    default void write(dev.machina.io.WriteBehind.Write write) throws java.io.IOException {
        write.run();
    }

    /** Writes a full checkpoint (weights, optimizer, schedules, callbacks, RNG, position) to {@code file}. */
    void saveCheckpoint(java.nio.file.Path file) throws java.io.IOException;
}
