package dev.machina.data;

import dev.machina.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps each feature linearly so that its training minimum goes to {@code lo} and its training
 * maximum to {@code hi} (scikit-learn's {@code MinMaxScaler}). A constant feature is only
 * shifted. Other data may fall outside [lo, hi]; it is not clipped.
 */
public final class MinMaxScaler implements FeatureTransform {
    static final String TYPE = "min-max";
    private final double[] min;
    private final double[] max;
    private final double lo;
    private final double hi;

    private MinMaxScaler(double[] min, double[] max, double lo, double hi) {
        if (min.length != max.length) throw new IllegalArgumentException("min-max: " + min.length + " minima but " + max.length + " maxima");
        if (!(lo < hi)) throw new IllegalArgumentException("min-max: range must have lo < hi, got [" + lo + ", " + hi + "]");
        this.min = min;
        this.max = max;
        this.lo = lo;
        this.hi = hi;
    }

    /** Fits to the range [0, 1]. */
    public static MinMaxScaler fit(Tensor train) {
        return fit(train, 0, 1);
    }

    /** Fits per-feature minima and maxima of {@code train}, mapping them to [lo, hi]. */
    public static MinMaxScaler fit(Tensor train, double lo, double hi) {
        int f = FeatureTransform.featureCount(train);
        if (train.size() == 0) throw new IllegalArgumentException("min-max: cannot fit on an empty tensor");
        double[] mn = new double[f];
        double[] mx = new double[f];
        Arrays.fill(mn, Double.POSITIVE_INFINITY);
        Arrays.fill(mx, Double.NEGATIVE_INFINITY);
        float[] d = train.data();
        for (int i = 0; i < d.length; i++) {
            int j = i % f;
            mn[j] = Math.min(mn[j], d[i]);
            mx[j] = Math.max(mx[j], d[i]);
        }
        return new MinMaxScaler(mn, mx, lo, hi);
    }

    @Override
    public Tensor apply(Tensor x) {
        FeatureTransform.checkFeatures("min-max", min.length, x);
        double[] mul = new double[min.length];
        for (int j = 0; j < mul.length; j++) {
            double range = max[j] - min[j];
            mul[j] = (hi - lo) / (range == 0 ? 1 : range);
        }
        return FeatureTransform.affine(x, min, mul, lo);
    }

    public double[] min() {
        return min.clone();
    }

    public double[] max() {
        return max.clone();
    }

    @Override
    public Map<String, Object> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", TYPE);
        m.put("lo", lo);
        m.put("hi", hi);
        m.put("min", TransformState.list(min));
        m.put("max", TransformState.list(max));
        return m;
    }

    public static MinMaxScaler fromState(Map<String, ?> state) {
        return new MinMaxScaler(TransformState.numbers(state, "min"), TransformState.numbers(state, "max"),
                TransformState.number(state, "lo"), TransformState.number(state, "hi"));
    }
}
