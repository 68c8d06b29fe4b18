package dev.machina.experiment;

import static dev.machina.experiment.OptimizerRegistry.num;

import dev.machina.data.TensorDataset;
import dev.machina.loss.CrossEntropyLoss;
import dev.machina.train.LossFunction;
import java.util.List;
import java.util.Map;

/**
 * The losses a spec can name. Classification data trains with the named loss; text data always
 * trains with cross-entropy per step, and regression data (series, sine, CSV with a numeric
 * target) with mean squared error.
 */
final class LossRegistry {
    private LossRegistry() {}

    /** Builds the loss for this training data. */
    interface Factory {
        LossFunction build(Map<String, Object> a, TensorDataset train);
    }

    static final Component.Kind<Factory> LOSSES = Component.Kind.<Factory>of("loss", "Losses",
            Component.<Factory>of("cross_entropy", "cross-entropy of the logits (log-softmax fused in)", null, List.of(
                    Setting.of("label_smoothing", Setting.fraction(0, 1, true), 0.0, "mix the targets with the uniform distribution by this much"),
                    Setting.of("class_weights", Setting.choice("none", "balanced"), "none", "balanced: weight each class by n / (classes · its count)")),
                    (a, train) -> {
                        CrossEntropyLoss ce = new CrossEntropyLoss();
                        if (num(a, "label_smoothing") > 0) ce = ce.withLabelSmoothing(num(a, "label_smoothing"));
                        if ("balanced".equals(a.get("class_weights"))) ce = ce.withWeight(train.classWeights());
                        return LossFunction.of(ce);
                    }));
}
