package dev.machina.metrics;

import dev.machina.tensor.Tensor;

/** A small 3-class problem shared by the curve and report tests. */
final class ReportFixture {
    private ReportFixture() {}

    static final int[] Y_TRUE = {0, 1, 2, 2, 1, 0, 2, 1};

    static final Tensor PROBS = Tensor.of(new float[] {
        0.7f, 0.2f, 0.1f,
        0.3f, 0.4f, 0.3f,
        0.1f, 0.3f, 0.6f,
        0.2f, 0.4f, 0.4f,
        0.25f, 0.5f, 0.25f,
        0.4f, 0.4f, 0.2f,
        0.1f, 0.1f, 0.8f,
        0.6f, 0.3f, 0.1f}, 8, 3);
}
