package dev.machina.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The errors of a regression, over every predicted value: mean squared error, its root, mean
 * absolute error and R² (1 − SSE/SST; 1 is perfect, 0 is no better than predicting the mean, and
 * NaN when the targets do not vary), as scikit-learn's metrics of the same names.
 */
public record RegressionMetrics(double mse, double rmse, double mae, double r2, long values) {

    /** The metrics of {@code predicted} against {@code actual} (same length, at least one value). */
    public static RegressionMetrics of(float[] predicted, float[] actual) {
        if (predicted.length != actual.length || actual.length == 0) {
            throw new IllegalArgumentException("predicted and actual need the same, non-zero length, got " + predicted.length + " and " + actual.length);
        }
        double mean = 0;
        for (float a : actual) mean += a;
        mean /= actual.length;
        double sse = 0, sae = 0, sst = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = (double) predicted[i] - actual[i];
            sse += d * d;
            sae += Math.abs(d);
            sst += (actual[i] - mean) * (actual[i] - mean);
        }
        double mse = sse / actual.length;
        return new RegressionMetrics(mse, Math.sqrt(mse), sae / actual.length, sst == 0 ? Double.NaN : 1 - sse / sst, actual.length);
    }

    /** As test-results.json writes them. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mse", mse);
        m.put("rmse", rmse);
        m.put("mae", mae);
        m.put("r2", Double.isNaN(r2) ? null : r2);
        m.put("values", values);
        return m;
    }
}
