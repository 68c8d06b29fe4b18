package dev.machina.data;

import com.fasterxml.jackson.databind.JsonNode;
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
    /** The fitted state, JSON-able: strings, numbers and lists of numbers. */
    Map<String, Object> state();

    /** {@link #state()} as a Jackson tree. */
    default JsonNode toJson() {
        return TransformState.JSON.valueToTree(state());
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
        return fromState(TransformState.JSON.convertValue(json, Map.class));
    }
}
