package dev.machina.data;

import dev.machina.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Subtracts each feature's training mean and divides by its training standard deviation
 * (population std, as scikit-learn's {@code StandardScaler}). A constant feature (std 0) is
 * only centred.
 */
public final class Standardizer implements FeatureTransform {
    static final String TYPE = "standardize";
    private final double[] mean;
    private final double[] std;

    private Standardizer(double[] mean, double[] std) {
        if (mean.length != std.length) throw new IllegalArgumentException("standardize: " + mean.length + " means but " + std.length + " stds");
        this.mean = mean;
        this.std = std;
    }

    /** Fits per-feature mean and std of {@code train} (in double precision, two passes). */
    public static Standardizer fit(Tensor train) {
        int f = FeatureTransform.featureCount(train);
        float[] d = train.data();
        if (d.length == 0) throw new IllegalArgumentException("standardize: cannot fit on an empty tensor");
        long rows = d.length / f;
        double[] mean = new double[f];
        for (int i = 0; i < d.length; i++) mean[i % f] += d[i];
        for (int j = 0; j < f; j++) mean[j] /= rows;
        double[] var = new double[f];
        for (int i = 0; i < d.length; i++) {
            double c = d[i] - mean[i % f];
            var[i % f] += c * c;
        }
        double[] std = new double[f];
        for (int j = 0; j < f; j++) std[j] = Math.sqrt(var[j] / rows);
        return new Standardizer(mean, std);
    }

    @Override
    public Tensor apply(Tensor x) {
        FeatureTransform.checkFeatures("standardize", mean.length, x);
        double[] mul = new double[std.length];
        for (int j = 0; j < mul.length; j++) mul[j] = 1.0 / (std[j] == 0 ? 1 : std[j]);
        return FeatureTransform.affine(x, mean, mul, 0);
    }

    public double[] mean() {
        return mean.clone();
    }

    public double[] std() {
        return std.clone();
    }

    @Override
    public Map<String, Object> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", TYPE);
        m.put("mean", TransformState.list(mean));
        m.put("std", TransformState.list(std));
        return m;
    }

    public static Standardizer fromState(Map<String, ?> state) {
        return new Standardizer(TransformState.numbers(state, "mean"), TransformState.numbers(state, "std"));
    }
}
