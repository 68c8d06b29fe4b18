package dev.machina.data;

import dev.machina.tensor.Shape;
import dev.machina.tensor.Tensor;
import java.util.Map;

/**
 * A fitted transform of features. Per-feature statistics are taken over the last axis of the
 * features tensor: for {@code [N, F]} that is per column (as scikit-learn), for sequences
 * {@code [N, T, F]} per feature over all examples and steps. For images, {@link Scale} by
 * 1/255, or {@link TensorDataset#flatten()} first to get per-pixel statistics.
 */
public interface FeatureTransform extends Transform {
    /** A new tensor with the transform applied; the input is not changed. */
    Tensor apply(Tensor features);

    /** The dataset with its features transformed; labels and targets are kept. */
    default TensorDataset apply(TensorDataset ds) {
        return ds.withFeatures(apply(ds.features()));
    }

    /** Rebuilds a feature transform from its {@link #state()}. */
    static FeatureTransform fromState(Map<String, ?> state) {
        if (Transform.fromState(state) instanceof FeatureTransform f) return f;
        throw new IllegalArgumentException("transform state of type '" + state.get("type") + "' is not a feature transform");
    }

    /** Number of features (size of the last axis; 1 for a 1-D tensor). */
    static int featureCount(Tensor x) {
        return x.rank() <= 1 ? 1 : x.shape(x.rank() - 1);
    }

    /** Checks that {@code x} has the feature count the transform was fitted on. */
    static void checkFeatures(String name, int fitted, Tensor x) {
        if (featureCount(x) != fitted) {
            throw new IllegalArgumentException(name + " was fitted on " + fitted + " features (last axis) but got a tensor of shape "
                    + Shape.str(x.shape()));
        }
    }

    /** Per-feature {x' = (x - shift[f]) * mul[f] + add}, computed in double, as float. */
    static Tensor affine(Tensor x, double[] shift, double[] mul, double add) {
        float[] src = x.data();
        float[] out = new float[src.length];
        int f = shift.length;
        for (int i = 0; i < src.length; i++) {
            int j = i % f;
            out[i] = (float) ((src[i] - shift[j]) * mul[j] + add);
        }
        return Tensor.of(out, x.shape());
    }
}
