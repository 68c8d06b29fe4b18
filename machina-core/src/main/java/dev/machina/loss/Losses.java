package dev.machina.loss;

import dev.machina.tensor.Shape;
import dev.machina.tensor.Tensor;

/** Shared helpers of the loss functions. */
final class Losses {
    private Losses() {}

    /** Reduces a per-element loss tensor built from tensor ops. */
    static Tensor reduce(Tensor perElement, Reduction r) {
        return switch (r) {
            case NONE -> perElement;
            case MEAN -> perElement.mean();
            case SUM -> perElement.sum();
        };
    }

    static void checkSameShape(String loss, Tensor input, Tensor target) {
        if (!input.sameShape(target)) {
            throw new IllegalArgumentException(loss + ": target shape " + Shape.str(target.shape())
                    + " differs from input shape " + Shape.str(input.shape()));
        }
    }

    /**
     * Builds the output of a per-element fused loss: {@code loss} holds each element's loss and
     * {@code dloss} d(loss_i)/d(input_i); reduction by mean (÷ count), sum, or none.
     */
    static Tensor elementwise(String op, Tensor input, float[] loss, float[] dloss, Reduction r) {
        int n = loss.length;
        Tensor[] in = {input};
        switch (r) {
            case NONE -> {
                return Tensor.fromOp(op, loss, input.shape(), in, g -> {
                    float[] gx = input.gradBuffer();
                    for (int i = 0; i < n; i++) gx[i] += g[i] * dloss[i];
                });
            }
            default -> {
                double s = 0;
                for (float v : loss) s += v;
                float scale = r == Reduction.MEAN ? 1f / n : 1f;
                float value = (float) (r == Reduction.MEAN ? s / n : s);
                return Tensor.fromOp(op, new float[] {value}, new int[0], in, g -> {
                    float[] gx = input.gradBuffer();
                    float gs = g[0] * scale;
                    for (int i = 0; i < n; i++) gx[i] += gs * dloss[i];
                });
            }
        }
    }
}
