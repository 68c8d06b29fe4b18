package dev.machina.train.callbacks;

import dev.machina.train.Callback;
import dev.machina.train.TrainContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Saves full checkpoints: {@code best.safetensors} whenever the monitored metric improves, and
 * {@code last.safetensors} after every epoch (each atomically, so a crash never leaves a
 * half-written file). A non-finite loss never overwrites them (see {@link NanGuard}).
 */
public final class ModelCheckpoint implements Callback {
    private final Path dir;
    private final Monitor monitor;
    private final boolean saveLast;
    private double best = Double.NaN;

    public ModelCheckpoint(Path dir, Monitor monitor, boolean saveLast) {
        this.dir = dir;
        this.monitor = monitor;
        this.saveLast = saveLast;
    }

    public Path bestFile() {
        return dir.resolve("best.safetensors");
    }

    public Path lastFile() {
        return dir.resolve("last.safetensors");
    }

    @Override
    public void onEpochEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {
        Double loss = logs.get("train_loss");
        if (loss != null && !Double.isFinite(loss)) return;
        try {
            if (monitor != null) {
                Double v = logs.get(monitor.metric());
                if (v != null && monitor.improves(v, best, 0)) {
                    best = v;
                    ctx.saveCheckpoint(bestFile());
                }
            }
            if (saveLast) ctx.saveCheckpoint(lastFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint in " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String stateKey() {
        return "ModelCheckpoint";
    }

    @Override
    public Map<String, Object> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("best", best);
        return m;
    }

    @Override
    public void loadState(Map<String, Object> s) {
        best = (Double) s.get("best");
    }
}
