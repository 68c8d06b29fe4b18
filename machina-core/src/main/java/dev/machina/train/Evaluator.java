package dev.machina.train;

import dev.machina.data.Batch;
import dev.machina.data.DataLoader;
import dev.machina.metrics.ClassificationReport;
import dev.machina.metrics.RegressionMetrics;
import dev.machina.nn.Module;
import dev.machina.tensor.Tensor;
import java.util.List;

/** Runs a model over a loader in eval mode without recording a graph. */
public final class Evaluator {
    private Evaluator() {}

    /** Mean loss and (for class labels) accuracy; accuracy is NaN without labels. */
    public record Result(double loss, double accuracy, long examples) {}

    /** Outputs of every example, in loader order, with their labels (null for regression). */
    public record Predictions(Tensor outputs, int[] labels, int[] indices) {
        /** Softmax of the outputs along the last axis. */
        public Tensor probabilities() {
            return outputs.softmax(-1);
        }

        public int[] predicted() {
            return outputs.argmax(-1);
        }
    }

    public static Result evaluate(Module model, DataLoader loader, LossFunction loss) {
        boolean wasTraining = model.isTraining();
        model.eval();
        double lossSum = 0;
        long seen = 0, correct = 0, labelled = 0;
        try (var s = Tensor.noGrad()) {
            for (Batch b : loader.epoch(0)) {
                Tensor out = model.forward(b.features());
                int n = b.size();
                if (loss != null) lossSum += (double) loss.compute(out, b).item() * n;
                seen += n;
                if (b.labels() != null && out.rank() == 2 && out.shape(1) > 1) {
                    int[] p = out.argmax(1);
                    for (int i = 0; i < n; i++) if (p[i] == b.labels()[i]) correct++;
                    labelled += n;
                }
            }
        } finally {
            model.train(wasTraining);
        }
        return new Result(seen == 0 || loss == null ? Double.NaN : lossSum / seen,
                labelled == 0 ? Double.NaN : (double) correct / labelled, seen);
    }

    /** MSE, RMSE, MAE and R² of a regression model's outputs against the loader's targets (evaluation mode, no gradients). */
    public static RegressionMetrics regression(Module model, DataLoader loader) {
        boolean wasTraining = model.isTraining();
        model.eval();
        float[] pred = new float[0], act = new float[0];
        int n = 0;
        try (var s = Tensor.noGrad()) {
            for (Batch b : loader.epoch(0)) {
                float[] p = model.forward(b.features()).data(), a = b.targets().data();
                if (p.length != a.length) {
                    throw new IllegalArgumentException("the model gives " + p.length + " values for a batch whose targets have " + a.length);
                }
                if (n + p.length > pred.length) {
                    pred = java.util.Arrays.copyOf(pred, Math.max(2 * pred.length, n + p.length));
                    act = java.util.Arrays.copyOf(act, pred.length);
                }
                System.arraycopy(p, 0, pred, n, p.length);
                System.arraycopy(a, 0, act, n, a.length);
                n += p.length;
            }
        } finally {
            model.train(wasTraining);
        }
        return RegressionMetrics.of(java.util.Arrays.copyOf(pred, n), java.util.Arrays.copyOf(act, n));
    }

    public static Predictions predict(Module model, DataLoader loader) {
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var s = Tensor.noGrad()) {
            float[] all = null;
            int[] labels = null, idx = new int[loader.dataset().size()];
            int rows = 0, width = 0;
            int[] outShape = null;
            for (Batch b : loader.epoch(0)) {
                Tensor out = model.forward(b.features());
                if (all == null) {
                    outShape = out.shape();
                    width = out.size() / b.size();
                    all = new float[loader.dataset().size() * width];
                    if (b.labels() != null) labels = new int[loader.dataset().size()];
                }
                System.arraycopy(out.data(), 0, all, rows * width, out.size());
                for (int i = 0; i < b.size(); i++) {
                    idx[rows + i] = b.indices()[i];
                    if (labels != null) labels[rows + i] = b.labels()[i];
                }
                rows += b.size();
            }
            if (all == null) throw new IllegalArgumentException("cannot predict on an empty dataset");
            int[] shape = outShape.clone();
            shape[0] = rows;
            float[] exact = rows * width == all.length ? all : java.util.Arrays.copyOf(all, rows * width);
            return new Predictions(Tensor.of(exact, shape), labels == null ? null : java.util.Arrays.copyOf(labels, rows),
                    java.util.Arrays.copyOf(idx, rows));
        } finally {
            model.train(wasTraining);
        }
    }

    /** The classification report (with probabilities, so curves and AUC are included). */
    public static ClassificationReport report(Module model, DataLoader loader, List<String> classNames) {
        Predictions p = predict(model, loader);
        if (p.labels() == null) throw new IllegalArgumentException("a classification report needs class labels");
        return ClassificationReport.of(p.labels(), p.predicted(), classNames, p.probabilities());
    }
}
