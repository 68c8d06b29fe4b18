package dev.machina.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;

/** Reading and writing the values of transform state maps. */
final class TransformState {
    static final ObjectMapper JSON = new ObjectMapper();

    private TransformState() {}

    /** A required number of a state map. */
    static double number(Map<String, ?> state, String key) {
        Object v = state.get(key);
        if (!(v instanceof Number n)) throw new IllegalArgumentException("transform state: \"" + key + "\" must be a number, got " + v);
        return n.doubleValue();
    }

    /** A required list of numbers of a state map. */
    static double[] numbers(Map<String, ?> state, String key) {
        Object v = state.get(key);
        if (!(v instanceof List<?> list)) throw new IllegalArgumentException("transform state: \"" + key + "\" must be a list of numbers, got " + v);
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Number n)) throw new IllegalArgumentException("transform state: \"" + key + "\"[" + i + "] is not a number: " + list.get(i));
            out[i] = n.doubleValue();
        }
        return out;
    }

    static List<Double> list(double[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }
}
