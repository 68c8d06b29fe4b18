package dev.machina.data;

/** Class counts and class weights of integer labels: plain functions of the labels. */
public final class ClassStats {
    private ClassStats() {}

    /** Number of examples of each class in [0, numClasses). */
    public static int[] counts(int[] labels, int numClasses) {
        int[] c = new int[numClasses];
        for (int i = 0; i < labels.length; i++) {
            int y = labels[i];
            if (y < 0 || y >= numClasses) throw new IllegalArgumentException("label " + y + " at position " + i + " is outside [0, " + numClasses + ")");
            c[y]++;
        }
        return c;
    }

    /**
     * Inverse-frequency weights as scikit-learn's {@code class_weight="balanced"}:
     * {@code n_samples / (n_classes * count[c])}. A class with no examples gets weight 0
     * (it contributes nothing to a loss anyway).
     */
    public static float[] balancedWeights(int[] labels, int numClasses) {
        int[] c = counts(labels, numClasses);
        float[] w = new float[numClasses];
        for (int k = 0; k < numClasses; k++) {
            w[k] = c[k] == 0 ? 0f : (float) ((double) labels.length / ((double) numClasses * c[k]));
        }
        return w;
    }
}
