package dev.machina.data;

import dev.machina.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Class indices to one-hot rows {@code [N, numClasses]}; the class count is fitted on training labels. */
public final class OneHot implements Transform {
    static final String TYPE = "one-hot";
    private final int numClasses;

    private OneHot(int numClasses) {
        if (numClasses <= 0) throw new IllegalArgumentException("one-hot: number of classes must be positive, got " + numClasses);
        this.numClasses = numClasses;
    }

    public static OneHot of(int numClasses) {
        return new OneHot(numClasses);
    }

    /** Fits the number of classes as the largest training label + 1. */
    public static OneHot fit(int[] trainLabels) {
        return new OneHot(Arrays.stream(trainLabels).max().orElse(-1) + 1);
    }

    public int numClasses() {
        return numClasses;
    }

    /** One-hot rows; a label outside the fitted classes is an error naming it and its position. */
    public Tensor apply(int[] labels) {
        return Tensor.oneHot(labels, numClasses);
    }

    @Override
    public Map<String, Object> state() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", TYPE);
        m.put("numClasses", numClasses);
        return m;
    }

    public static OneHot fromState(Map<String, ?> state) {
        return new OneHot((int) TransformState.number(state, "numClasses"));
    }
}
