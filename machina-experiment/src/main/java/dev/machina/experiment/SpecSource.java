package dev.machina.experiment;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A spec file (YAML or JSON) read into a tree, with the line and column of every value, and
 * {@code --set key=value} overrides applied on top. Errors name the file, line and column (or
 * the {@code --set} that gave the value) and what was expected.
 */
public final class SpecSource {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    final String file;
    final ObjectNode root;
    private final Map<String, int[]> locations;
    /** Overridden paths and where their value came from ("--set optimizer.lr", a sweep's space key). */
    private final Map<String, String> overridden = new HashMap<>();

    private SpecSource(String file, ObjectNode root, Map<String, int[]> locations) {
        this.file = file;
        this.root = root;
        this.locations = locations;
    }

    /** Reads a spec file and applies overrides ("optimizer.lr=3e-4"). */
    public static SpecSource load(Path path, List<String> sets) {
        String text;
        try {
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            throw new UserError("spec file " + path + " does not exist");
        } catch (IOException e) {
            throw new UserError("cannot read spec file " + path + ": " + e.getMessage());
        }
        SpecSource s = parse(path.toString(), text);
        for (String set : sets) s.applySet(set);
        return s;
    }

    /** Parses spec text (tests use this directly). */
    public static SpecSource parse(String file, String text) {
        JsonNode tree;
        try {
            tree = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            String msg = e.getOriginalMessage().lines().findFirst().orElse("malformed");
            throw new UserError(file + (l == null ? "" : ":" + l.getLineNr() + ":" + l.getColumnNr()) + ": malformed YAML: " + msg);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) throw new UserError(file + ": the spec is empty");
        if (!(tree instanceof ObjectNode o)) throw new UserError(file + ":1:1: a spec must be a mapping of keys (name, seed, data, model, …)");
        return new SpecSource(file, o, locate(text));
    }

    /** Line/column of every value by dotted path ("optimizer.lr", "model[2].dropout"). */
    private static Map<String, int[]> locate(String text) {
        Map<String, int[]> loc = new HashMap<>();
        record Frame(String path, boolean array, int[] next) {}
        try (JsonParser p = YAML.getFactory().createParser(text)) {
            Deque<Frame> stack = new ArrayDeque<>();
            String field = null;
            JsonLocation fieldLoc = null;
            for (JsonToken t; (t = p.nextToken()) != null; ) {
                if (t == JsonToken.FIELD_NAME) {
                    field = p.currentName();
                    fieldLoc = p.currentTokenLocation();
                    continue;
                }
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    stack.pop();
                    continue;
                }
                String name;
                if (stack.isEmpty()) {
                    name = "";
                } else if (stack.peek().array()) {
                    name = stack.peek().path() + "[" + stack.peek().next()[0]++ + "]";
                } else {
                    name = stack.peek().path().isEmpty() ? field : stack.peek().path() + "." + field;
                }
                // a mapping value is located at its key (where the user looks), a list item at itself
                JsonLocation l = !stack.isEmpty() && !stack.peek().array() && fieldLoc != null ? fieldLoc : p.currentTokenLocation();
                if (!name.isEmpty()) loc.putIfAbsent(name, new int[] {l.getLineNr(), l.getColumnNr()});
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    stack.push(new Frame(name, t == JsonToken.START_ARRAY, new int[] {0}));
                }
            }
        } catch (IOException | RuntimeException e) {
            // locations are a convenience; a parse error was already reported by readTree
        }
        return loc;
    }

    /** "file:12:5" for a path, "--set optimizer.lr" for an overridden one, "file" when unknown. */
    public String where(String path) {
        for (String p = path; p != null; p = parent(p)) {
            String o = overridden.get(p);
            if (o != null) return o;
            int[] l = locations.get(p);
            if (l != null) return file + ":" + l[0] + ":" + l[1];
        }
        return file;
    }

    private static String parent(String p) {
        int dot = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
        return dot <= 0 ? null : p.substring(0, dot);
    }

    /** Applies "a.b.c=value" (the value parsed as YAML: numbers, booleans, lists all work). */
    void applySet(String set) {
        int eq = set.indexOf('=');
        if (eq <= 0) throw new UserError("--set needs KEY=VALUE (e.g. --set optimizer.lr=3e-4), got '" + set + "'");
        String key = set.substring(0, eq).trim(), raw = set.substring(eq + 1).trim();
        apply(key, parseValue(raw), "--set " + key);
    }

    /** A --set value: YAML, with "3e-4" read as the number users mean. */
    static JsonNode parseValue(String raw) {
        JsonNode value;
        try {
            value = raw.isEmpty() ? YAML.getNodeFactory().textNode("") : YAML.readTree(raw);
            if (value == null || value.isMissingNode()) value = YAML.getNodeFactory().nullNode();
        } catch (JsonProcessingException e) {
            value = YAML.getNodeFactory().textNode(raw);
        }
        if (value.isTextual()) value = coerceNumber(value.asText());
        return value;
    }

    /**
     * Sets the value at a dotted key ("optimizer.lr", "model[0].linear": list items by index);
     * errors about that value are reported at {@code origin}. Missing mappings on the way are
     * created; list items must exist.
     */
    public void apply(String key, JsonNode value, String origin) {
        String[] parts = key.split("\\.", -1);
        JsonNode cur = root;
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            java.util.regex.Matcher m = SEGMENT.matcher(parts[i]);
            if (!m.matches()) {
                throw new UserError((origin.startsWith("--set ") ? "--set key '" + key + "'" : origin + ": '" + key + "'")
                        + " is not a dotted key like optimizer.lr or model[0].linear");
            }
            String field = m.group(1);
            List<Integer> idx = new java.util.ArrayList<>();
            java.util.regex.Matcher im = java.util.regex.Pattern.compile("\\[(\\d+)]").matcher(m.group(2));
            while (im.find()) idx.add(Integer.parseInt(im.group(1)));
            if (path.length() > 0) path.append('.');
            path.append(field);
            ObjectNode obj = (ObjectNode) cur;
            boolean last = i == parts.length - 1;
            if (idx.isEmpty()) {
                if (last) {
                    obj.set(field, value);
                    break;
                }
                JsonNode next = obj.get(field);
                if (next == null || !next.isObject()) {
                    if (next != null && next.isTextual()) { // "optimizer: adam" → {name: adam}
                        ObjectNode o = YAML.createObjectNode();
                        o.set("name", next);
                        obj.set(field, o);
                        next = o;
                    } else {
                        next = obj.putObject(field);
                    }
                }
                cur = next;
                continue;
            }
            JsonNode arr = obj.get(field);
            for (int j = 0; j < idx.size(); j++) {
                int k = idx.get(j);
                if (arr == null || !arr.isArray()) throw new UserError(origin + ": " + path + " is not a list, so " + key + " cannot be set");
                if (k >= arr.size()) {
                    throw new UserError(origin + ": " + path + " has " + arr.size() + " item(s) (0.." + (arr.size() - 1) + "), so " + key + " cannot be set");
                }
                path.append('[').append(k).append(']');
                if (last && j == idx.size() - 1) {
                    ((com.fasterxml.jackson.databind.node.ArrayNode) arr).set(k, value);
                    overridden.put(key, origin);
                    return;
                }
                arr = arr.get(k);
            }
            if (!arr.isObject()) {
                throw new UserError(origin + ": " + path + " is " + arr + ", not a mapping, so " + key + " cannot be set");
            }
            cur = arr;
        }
        overridden.put(key, origin);
    }

    private static final java.util.regex.Pattern SEGMENT = java.util.regex.Pattern.compile("([A-Za-z0-9_-]+)((?:\\[\\d+])*)");

    /** An independent copy (overrides applied to it do not touch this one). */
    public SpecSource copy() {
        SpecSource c = new SpecSource(file, root.deepCopy(), locations);
        c.overridden.putAll(overridden);
        return c;
    }

    /**
     * The mapping at {@code path} as a spec of its own (a sweep's inline base), keeping the
     * file's locations.
     */
    public SpecSource sub(String path) {
        JsonNode n = root.get(path);
        if (!(n instanceof ObjectNode o)) throw new UserError(where(path) + ": " + path + ": expected a mapping");
        Map<String, int[]> loc = new HashMap<>();
        String prefix = path + ".";
        for (var e : locations.entrySet()) if (e.getKey().startsWith(prefix)) loc.put(e.getKey().substring(prefix.length()), e.getValue());
        SpecSource s = new SpecSource(file, o.deepCopy(), loc);
        for (var e : overridden.entrySet()) if (e.getKey().startsWith(prefix)) s.overridden.put(e.getKey().substring(prefix.length()), e.getValue());
        return s;
    }

    /** The tree (after overrides) as YAML. */
    public String yaml() {
        try {
            return YAML.writeValueAsString(root).replaceFirst("^---\\s*\\n", "");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public String file() {
        return file;
    }

    /** YAML 1.1 reads "3e-4" (no dot) as a string; users mean the number. */
    private static JsonNode coerceNumber(String s) {
        try {
            if (s.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) return YAML.getNodeFactory().numberNode(Double.parseDouble(s));
        } catch (NumberFormatException e) {
            // not a number
        }
        return YAML.getNodeFactory().textNode(s);
    }
}
