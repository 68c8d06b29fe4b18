package dev.machina.data;

/**
 * A dataset's training part and its official test part.
 *
 * @param train the training examples
 * @param test  the test examples, or {@code null} when the dataset has no official test split
 */
public record TrainTest(TensorDataset train, TensorDataset test) {
    public boolean hasTest() {
        return test != null;
    }
}
