package dev.machina.data;

import dev.machina.tensor.Tensor;

/**
 * A collated batch of {@code B} examples.
 *
 * @param features [B, ...featureShape]
 * @param labels   class indices (length B) for classification, else {@code null}
 * @param targets  [B, ...targetShape] for regression, else {@code null}
 * @param indices  the dataset indices of the examples, in batch order
 */
public record Batch(Tensor features, int[] labels, Tensor targets, int[] indices) {
    /** Number of examples in the batch. */
    public int size() {
        return indices.length;
    }
}
