package dev.machina.data;

import dev.machina.tensor.Tensor;

/**
 * One example of a {@link Dataset}: its features, and either a class index ({@code label >= 0},
 * {@code target == null}) or a regression target ({@code label == -1}).
 *
 * @param features the example's features, of the dataset's {@link Dataset#featureShape()}
 * @param label    the class index, or -1 for a regression example
 * @param target   the regression target, or {@code null} for a classification example
 */
public record Example(Tensor features, int label, Tensor target) {
    /** A classification example. */
    public static Example ofClass(Tensor features, int label) {
        return new Example(features, label, null);
    }

    /** A regression example. */
    public static Example ofTarget(Tensor features, Tensor target) {
        return new Example(features, -1, target);
    }

    public boolean hasLabel() {
        return target == null;
    }
}
