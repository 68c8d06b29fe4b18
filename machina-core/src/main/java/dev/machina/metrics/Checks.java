package dev.machina.metrics;

/** Argument checks shared by the metric functions; messages name the function and the offending index. */
final class Checks {
    private Checks() {}

    static void sameLength(String fn, int[] yTrue, int[] yPred) {
        if (yTrue.length != yPred.length) {
            throw new IllegalArgumentException(fn + ": yTrue has " + yTrue.length + " labels but yPred has " + yPred.length);
        }
    }

    static void labels(String fn, String what, int[] y, int numClasses) {
        for (int i = 0; i < y.length; i++) {
            if (y[i] < 0 || y[i] >= numClasses) {
                throw new IllegalArgumentException(fn + ": " + what + "[" + i + "] = " + y[i]
                        + " is not a class index in [0, " + numClasses + ")");
            }
        }
    }

    static void numClasses(String fn, int numClasses) {
        if (numClasses < 1) throw new IllegalArgumentException(fn + ": numClasses must be at least 1, got " + numClasses);
    }

    /** Largest label + 1 over both arrays (at least 1). */
    static int inferNumClasses(int[] a, int[] b) {
        int max = 0;
        for (int v : a) max = Math.max(max, v);
        for (int v : b) max = Math.max(max, v);
        return max + 1;
    }
}
