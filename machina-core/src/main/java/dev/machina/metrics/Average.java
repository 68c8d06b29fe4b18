package dev.machina.metrics;

/** How per-class scores are combined into one number, as scikit-learn's {@code average=} argument. */
public enum Average {
    /** Unweighted mean over all classes (a class with no samples and no predictions counts as 0). */
    MACRO,
    /** Computed from the summed true positives, false positives and false negatives of all classes. */
    MICRO,
    /** Mean over classes weighted by support (the number of true samples of each class). */
    WEIGHTED
}
