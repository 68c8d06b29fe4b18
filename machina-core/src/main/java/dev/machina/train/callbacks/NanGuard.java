package dev.machina.train.callbacks;

import dev.machina.train.Callback;
import dev.machina.train.TrainContext;
import dev.machina.train.Trainer;
import java.util.Map;

/**
 * Stops training as soon as the loss is NaN or infinite, with a message naming the step and
 * epoch. The run is marked failed; checkpoints written before stay as they were (the last good one).
 */
public final class NanGuard implements Callback {
    private String message;

    @Override
    public void onBatchEnd(TrainContext ctx, long step, Map<String, Double> logs) {
        Double loss = logs.get("loss");
        if (loss != null && !Double.isFinite(loss)) {
            message = "loss became " + loss + " at step " + step + " (epoch " + (ctx.epoch() + 1)
                    + "); the learning rate may be too high. The last good checkpoint was kept.";
            ctx.requestStop(Trainer.Status.FAILED, message);
        }
    }

    /** The message of the stop, or null if it did not fire. */
    public String message() {
        return message;
    }
}
