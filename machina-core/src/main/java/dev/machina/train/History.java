package dev.machina.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Per-epoch logs of a fit: train/val loss and metrics, learning rate, epoch time, samples/s. */
public final class History {
    private final List<Map<String, Double>> epochs = new ArrayList<>();
    private Trainer.Status status = Trainer.Status.RUNNING;
    private String reason = "";

    /** A finished fit's history as it was recorded (its epochs, how it ended and why), e.g. read back from a run directory. */
    public static History of(List<Map<String, Double>> epochs, Trainer.Status status, String reason) {
        History h = new History();
        for (Map<String, Double> e : epochs) h.add(e);
        h.finish(status, reason);
        return h;
    }

    void add(Map<String, Double> logs) {
        epochs.add(Collections.unmodifiableMap(new LinkedHashMap<>(logs)));
    }

    /** Epoch records, in order. */
    public List<Map<String, Double>> epochs() {
        return Collections.unmodifiableList(epochs);
    }

    public int size() {
        return epochs.size();
    }

    /** One metric over the epochs (NaN where an epoch lacks it). */
    public double[] get(String metric) {
        double[] v = new double[epochs.size()];
        for (int i = 0; i < v.length; i++) v[i] = epochs.get(i).getOrDefault(metric, Double.NaN);
        return v;
    }

    /** The last epoch's record, or an empty map. */
    public Map<String, Double> last() {
        return epochs.isEmpty() ? Map.of() : epochs.get(epochs.size() - 1);
    }

    public Trainer.Status status() {
        return status;
    }

    /** Why the fit ended as it did ("" when it simply completed). */
    public String reason() {
        return reason;
    }

    void finish(Trainer.Status s, String why) {
        status = s;
        reason = why == null ? "" : why;
    }

    List<Map<String, Double>> mutableEpochs() {
        return epochs;
    }
}
