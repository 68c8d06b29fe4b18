package dev.machina.data;

/**
 * A map from index to {@link Example}, as PyTorch's map-style {@code Dataset}: it only indexes.
 * Sampling, batching and collation belong to {@link DataLoader}.
 */
public interface Dataset {
    /** Number of examples. */
    int size();

    /** The example at {@code index}, in [0, size()). */
    Example get(int index);

    /** The shape of one example's features (without the batch dimension). */
    int[] featureShape();

    /** The shape of one example's regression target, or {@code null} for a classification dataset. */
    default int[] targetShape() {
        return null;
    }
}
