package dev.machina.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.machina.tensor.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the plain-Java state of optimizers, schedules and callbacks (maps, lists, boxed numbers,
 * strings, primitive arrays) into JSON and back with the exact Java types restored, so that
 * {@code (Long) state.get("step")} still holds after a round trip. {@code float[]} buffers go
 * to a tensor map (stored beside the JSON in a safetensors file) and are referenced by name.
 */
public final class StateCodec {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    static final ObjectMapper JSON = new ObjectMapper();

    private StateCodec() {}

    /** Encodes {@code value}; float arrays are added to {@code tensors} under {@code prefix}-based names. */
    public static JsonNode encode(Object value, String prefix, Map<String, Tensor> tensors) {
        if (value == null) return F.nullNode();
        if (value instanceof String s) return F.textNode(s);
        if (value instanceof Boolean b) return F.booleanNode(b);
        if (value instanceof Integer i) return tagged("int", F.numberNode(i));
        if (value instanceof Long l) return tagged("long", F.numberNode(l));
        if (value instanceof Double d) return tagged("double", F.numberNode(d));
        if (value instanceof Float f) return tagged("float", F.numberNode(f));
        if (value instanceof float[] fa) {
            tensors.put(prefix, Tensor.of(fa.clone(), fa.length));
            return tagged("tensor", F.textNode(prefix));
        }
        if (value instanceof double[] da) {
            ArrayNode a = F.arrayNode();
            for (double d : da) a.add(d);
            return tagged("double[]", a);
        }
        if (value instanceof int[] ia) {
            ArrayNode a = F.arrayNode();
            for (int i : ia) a.add(i);
            return tagged("int[]", a);
        }
        if (value instanceof long[] la) {
            ArrayNode a = F.arrayNode();
            for (long l : la) a.add(l);
            return tagged("long[]", a);
        }
        if (value instanceof boolean[] ba) {
            ArrayNode a = F.arrayNode();
            for (boolean b : ba) a.add(b);
            return tagged("boolean[]", a);
        }
        if (value instanceof Map<?, ?> m) {
            boolean intKeys = !m.isEmpty() && m.keySet().stream().allMatch(k -> k instanceof Integer);
            ObjectNode o = F.objectNode();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String key = String.valueOf(e.getKey());
                if (!(e.getKey() instanceof String) && !intKeys) {
                    throw new IllegalArgumentException("state key " + e.getKey() + " at '" + prefix + "' is neither a string nor an integer");
                }
                o.set(key, encode(e.getValue(), prefix + "." + key, tensors));
            }
            return intKeys ? tagged("imap", o) : tagged("map", o);
        }
        if (value instanceof List<?> l) {
            ArrayNode a = F.arrayNode();
            for (int i = 0; i < l.size(); i++) a.add(encode(l.get(i), prefix + "." + i, tensors));
            return tagged("list", a);
        }
        throw new IllegalArgumentException("cannot store a " + value.getClass().getName() + " in a checkpoint (at '" + prefix + "')");
    }

    private static ObjectNode tagged(String type, JsonNode v) {
        ObjectNode o = F.objectNode();
        o.put("$t", type);
        o.set("v", v);
        return o;
    }

    /** A state entry names a tensor that is not among those given to {@link #decode}. */
    public static final class MissingTensor extends IllegalArgumentException {
        MissingTensor(String message) {
            super(message);
        }
    }

    /** Decodes what {@link #encode} produced; tensors are looked up by name. */
    public static Object decode(JsonNode node, Map<String, Tensor> tensors) {
        if (node == null || node.isNull()) return null;
        if (node.isTextual()) return node.asText();
        if (node.isBoolean()) return node.asBoolean();
        if (!node.isObject() || !node.has("$t")) throw new IllegalArgumentException("malformed state entry: " + abbreviate(node));
        String t = node.get("$t").asText();
        JsonNode v = node.get("v");
        switch (t) {
            case "int": return v.asInt();
            case "long": return v.asLong();
            case "double": return v.asDouble();
            case "float": return (float) v.asDouble();
            case "tensor": {
                Tensor x = tensors.get(v.asText());
                if (x == null) throw new MissingTensor("state refers to tensor '" + v.asText() + "', which the file does not hold");
                return x.toArray();
            }
            case "double[]": {
                double[] a = new double[v.size()];
                for (int i = 0; i < a.length; i++) a[i] = v.get(i).asDouble();
                return a;
            }
            case "int[]": {
                int[] a = new int[v.size()];
                for (int i = 0; i < a.length; i++) a[i] = v.get(i).asInt();
                return a;
            }
            case "long[]": {
                long[] a = new long[v.size()];
                for (int i = 0; i < a.length; i++) a[i] = v.get(i).asLong();
                return a;
            }
            case "boolean[]": {
                boolean[] a = new boolean[v.size()];
                for (int i = 0; i < a.length; i++) a[i] = v.get(i).asBoolean();
                return a;
            }
            case "map":
            case "imap": {
                Map<Object, Object> m = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    Object key = t.equals("imap") ? (Object) Integer.valueOf(e.getKey()) : e.getKey();
                    m.put(key, decode(e.getValue(), tensors));
                }
                return m;
            }
            case "list": {
                List<Object> l = new ArrayList<>();
                for (JsonNode e : v) l.add(decode(e, tensors));
                return l;
            }
            default:
                throw new IllegalArgumentException("unknown state type '" + t + "'");
        }
    }

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
