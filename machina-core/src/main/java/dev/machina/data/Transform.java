package dev.machina.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;

/**
 * A fitted data transform whose state can be saved beside a model and restored, so prediction
 * applies exactly what training did. Fit on the training data only, then apply to training,
 * validation, test and new data alike.
 *
 * <p>{@link #state()} is a JSON-able map: a {@code "type"} key ({@code scale}, {@code min-max},
 * {@code standardize}, {@code one-hot}) and numbers or lists of numbers. {@link #fromState(Map)}
 * rebuilds the transform from it.
 */
public interface Transform {
    ObjectMapper JSON = new ObjectMapper();

    /** The fitted state, JSON-able: strings, numbers and lists of numbers. */
    Map<String, Object> state();

    /** {@link #state()} as a Jackson tree. */
    default JsonNode toJson() {
        return JSON.valueToTree(state());
    }

    /** Rebuilds a transform from its {@link #state()}. */
    static Transform fromState(Map<String, ?> state) {
        Object type = state.get("type");
        if (type == null) throw new IllegalArgumentException("transform state has no \"type\": " + state);
        return switch (type.toString()) {
            case Scale.TYPE -> Scale.fromState(state);
            case MinMaxScaler.TYPE -> MinMaxScaler.fromState(state);
            case Standardizer.TYPE -> Standardizer.fromState(state);
            case OneHot.TYPE -> OneHot.fromState(state);
            default -> throw new IllegalArgumentException("unknown transform type '" + type
                    + "'; known: scale, min-max, standardize, one-hot");
        };
    }

    /** Rebuilds a transform from {@link #toJson()}. */
    @SuppressWarnings("unchecked")
    static Transform fromJson(JsonNode json) {
        return fromState(JSON.convertValue(json, Map.class));
    }

    // ------------------------------------------------------------ helpers for state maps

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
