package dev.machina.train;

import java.util.Map;

/**
 * Hooks into the training loop, Keras-style: every method is a no-op by default. Logs are
 * metric name → value ({@code loss}, {@code train_loss}, {@code val_accuracy}, {@code lr}, …).
 * A callback with state (counters, best score) returns it from {@link #state()} so that it is
 * saved in checkpoints and restored by {@link #loadState} on resume.
 */
public interface Callback {
    default void onTrainBegin(TrainContext ctx) {}

    default void onEpochBegin(TrainContext ctx, int epoch) {}

    default void onBatchBegin(TrainContext ctx, long step) {}

    /** After the optimizer's step; the parameters' gradients are this step's until the next step begins (their arrays are reused then). */
    default void onBatchEnd(TrainContext ctx, long step, Map<String, Double> logs) {}

    default void onValidationEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {}

    default void onEpochEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {}

    /** After the last epoch, after a stop was requested, or after an exception (then {@code error} is set). */
    default void onTrainEnd(TrainContext ctx, Map<String, Double> logs, Throwable error) {}

    /** A stable key under which this callback's state is stored in checkpoints. */
    default String stateKey() {
        return getClass().getSimpleName();
    }

    default Map<String, Object> state() {
        return Map.of();
    }

    default void loadState(Map<String, Object> state) {}
}
