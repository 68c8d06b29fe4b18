package dev.machina.data;

import dev.machina.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Multiplies every feature by a constant, e.g. 1/255 for 8-bit pixels. Needs no fitting. A
 * dataset whose features are held as bytes keeps them so ({@link #apply(TensorDataset)}).
 */
public final class Scale implements FeatureTransform {
    static final String TYPE = "scale";
    private final double factor;

    private Scale(double factor) {
        if (!Double.isFinite(factor)) throw new IllegalArgumentException("scale factor must be finite, got " + factor);
        this.factor = factor;
    }

    public static Scale by(double factor) {
        return new Scale(factor);
    }

    public double factor() {
        return factor;
    }

    @Override
    public Tensor apply(Tensor x) {
        float[] src = x.data();
        float[] out = new float[src.length];
        for (int i = 0; i < src.length; i++) out[i] = (float) (src[i] * factor);
        return Tensor.of(out, x.shape());
    }

    /**
     * The dataset with its features scaled. Features held as bytes and not yet scaled stay bytes
     * and are scaled batch by batch ({@link TensorDataset#scaledBytes}), to the same floats.
     */
    @Override
    public TensorDataset apply(TensorDataset ds) {
        if (ds.holdsBytes() && ds.byteScale() == 1) return ds.scaledBytes(factor);
        return ds.withFeatures(apply(ds.features()));
    }

    @Override
    public Map<String, Object> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", TYPE);
        m.put("factor", factor);
        return m;
    }

    public static Scale fromState(Map<String, ?> state) {
        return new Scale(TransformState.number(state, "factor"));
    }
}
