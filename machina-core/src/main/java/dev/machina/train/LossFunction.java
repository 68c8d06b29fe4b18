package dev.machina.train;

import dev.machina.data.Batch;
import dev.machina.loss.BCEWithLogitsLoss;
import dev.machina.loss.CrossEntropyLoss;
import dev.machina.loss.L1Loss;
import dev.machina.loss.MSELoss;
import dev.machina.tensor.Tensor;

/** The training objective: the model's output and the batch's targets to a scalar loss. */
@FunctionalInterface
public interface LossFunction {
    Tensor compute(Tensor output, Batch batch);

    /** Cross-entropy on logits against the batch's class labels. */
    static LossFunction crossEntropy() {
        return of(new CrossEntropyLoss());
    }

    static LossFunction of(CrossEntropyLoss ce) {
        return (out, b) -> {
            if (b.labels() == null) throw new IllegalArgumentException("cross-entropy needs class labels, but the dataset has float targets");
            return ce.forward(out.rank() == 3 ? out.reshape(-1, out.shape(-1)) : out, b.labels());
        };
    }

    /**
     * Cross-entropy at every step of a sequence: outputs [B, T, V] against the batch's targets
     * [B, T] holding the class (token) index of each step as a float — a language model's loss.
     */
    static LossFunction sequenceCrossEntropy() {
        CrossEntropyLoss ce = new CrossEntropyLoss();
        return (out, b) -> {
            Tensor t = b.targets();
            if (out.rank() != 3 || t == null || t.size() * out.shape(2) != out.size()) {
                throw new IllegalArgumentException("sequence cross-entropy needs outputs [B, T, V] and targets [B, T]; got "
                        + java.util.Arrays.toString(out.shape()) + " and " + (t == null ? "none" : java.util.Arrays.toString(t.shape())));
            }
            float[] f = t.data();
            int[] labels = new int[f.length];
            for (int i = 0; i < f.length; i++) labels[i] = (int) f[i];
            return ce.forward(out.reshape(-1, out.shape(2)), labels);
        };
    }

    /** Mean squared error against the batch's float targets (reshaped to the output's shape). */
    static LossFunction mse() {
        MSELoss l = new MSELoss();
        return (out, b) -> l.forward(out, targets(out, b));
    }

    /** Mean absolute error against the batch's float targets. */
    static LossFunction l1() {
        L1Loss l = new L1Loss();
        return (out, b) -> l.forward(out, targets(out, b));
    }

    /** Binary cross-entropy on logits against float 0/1 targets (or class labels 0/1). */
    static LossFunction bceWithLogits() {
        BCEWithLogitsLoss l = new BCEWithLogitsLoss();
        return (out, b) -> l.forward(out, targets(out, b));
    }

    private static Tensor targets(Tensor out, Batch b) {
        Tensor t = b.targets();
        if (t == null && b.labels() != null) {
            float[] f = new float[b.labels().length];
            for (int i = 0; i < f.length; i++) f[i] = b.labels()[i];
            t = Tensor.of(f, f.length);
        }
        if (t == null) throw new IllegalArgumentException("this loss needs targets, but the batch has none");
        if (t.size() != out.size()) {
            throw new IllegalArgumentException("loss: output " + java.util.Arrays.toString(out.shape()) + " and targets "
                    + java.util.Arrays.toString(t.shape()) + " differ in size");
        }
        return t.reshape(out.shape());
    }
}
