package dev.machina.loss;

/** How per-element losses are combined, as PyTorch's {@code reduction} argument. */
public enum Reduction {
    /** The per-element (per-sample) losses, unreduced. */
    NONE,
    /** The (weighted) mean. */
    MEAN,
    /** The sum. */
    SUM
}
