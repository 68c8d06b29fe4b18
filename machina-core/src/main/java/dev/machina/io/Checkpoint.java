package dev.machina.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.machina.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training checkpoint in one safetensors file, written atomically: the model's weights under
 * their state-dict names with the prefix {@code model.} (so PyTorch's safetensors can read them),
 * the float buffers of the rest of the state (optimizer moments, …) under {@code state.}, and
 * everything else (epoch, step, RNG states, schedule and callback state) as JSON in the
 * {@code __metadata__} entry {@code machina.checkpoint}.
 *
 * @param model the model's state dict
 * @param state the rest: a map of plain Java values (see {@link StateCodec})
 */
public record Checkpoint(LinkedHashMap<String, Tensor> model, Map<String, Object> state) {
    public static final String MODEL_PREFIX = "model.";
    public static final String STATE_KEY = "machina.checkpoint";
    public static final String FORMAT = "machina-checkpoint-1";

    /** Writes the checkpoint atomically: a killed process leaves the previous file intact. */
    public void save(Path file) throws IOException {
        Encoded e = encode();
        SafeTensors.write(file, e.tensors(), e.metadata());
    }

    /**
     * The bytes {@link #save} writes, made now: a snapshot of the weights and state, which may
     * then change while the bytes are written elsewhere ({@code AtomicFiles.write(file, bytes)}).
     */
    public byte[] toBytes() {
        Encoded e = encode();
        return SafeTensors.toBytes(e.tensors(), e.metadata());
    }

    /** {@link #toBytes()}, or null when the bytes would take more than {@code limit} (then nothing is allocated). */
    public byte[] toBytes(long limit) {
        Encoded e = encode();
        return SafeTensors.toBytes(e.tensors(), e.metadata(), limit);
    }

    private record Encoded(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    private Encoded encode() {
        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : model.entrySet()) tensors.put(MODEL_PREFIX + e.getKey(), e.getValue());
        Map<String, Tensor> stateTensors = new LinkedHashMap<>();
        JsonNode json = StateCodec.encode(state, "state", stateTensors);
        tensors.putAll(stateTensors);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        try {
            meta.put(STATE_KEY, StateCodec.JSON.writeValueAsString(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot encode the checkpoint state as JSON: " + e.getMessage(), e);
        }
        return new Encoded(tensors, meta);
    }

    /** Reads a checkpoint written by {@link #save}; errors name the file. */
    @SuppressWarnings("unchecked")
    public static Checkpoint load(Path file) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        String js = c.metadata().get(STATE_KEY);
        if (js == null) throw new IOException(file + ": not a Machina checkpoint (no '" + STATE_KEY + "' in its metadata)");
        LinkedHashMap<String, Tensor> model = new LinkedHashMap<>();
        Map<String, Tensor> rest = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : c.tensors().entrySet()) {
            if (e.getKey().startsWith(MODEL_PREFIX)) model.put(e.getKey().substring(MODEL_PREFIX.length()), e.getValue());
            else rest.put(e.getKey(), e.getValue());
        }
        try {
            Object state = StateCodec.decode(StateCodec.JSON.readTree(js), rest);
            return new Checkpoint(model, (Map<String, Object>) state);
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": checkpoint state is malformed: " + e.getMessage(), e);
        }
    }

    /**
     * The callbacks' states in a checkpoint, read from its header alone (the weights and buffers
     * are not read): for each callback's key, its entries that hold no tensor (best weights and
     * other buffers are left out). Errors name the file.
     */
    public static Map<String, Map<String, Object>> callbackStates(Path file) throws IOException {
        String js = SafeTensors.readMetadata(file).get(STATE_KEY);
        if (js == null) throw new IOException(file + ": not a Machina checkpoint (no '" + STATE_KEY + "' in its metadata)");
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        try {
            var callbacks = StateCodec.JSON.readTree(js).path("v").path("callbacks").path("v");
            for (var cb : callbacks.properties()) {
                Map<String, Object> st = new LinkedHashMap<>();
                for (var e : cb.getValue().path("v").properties()) {
                    try {
                        st.put(e.getKey(), StateCodec.decode(e.getValue(), Map.of()));
                    } catch (StateCodec.MissingTensor holdsATensor) {
                        // left out: only the header is read
                    }
                }
                out.put(cb.getKey(), st);
            }
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": checkpoint state is malformed: " + e.getMessage(), e);
        }
        return out;
    }
}
