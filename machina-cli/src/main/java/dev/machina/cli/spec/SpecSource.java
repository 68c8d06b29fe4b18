package dev.machina.cli.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.machina.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
    private final Set<String> overridden = new HashSet<>();

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
            throw new Main.UserError("spec file " + path + " does not exist");
        } catch (IOException e) {
            throw new Main.UserError("cannot read spec file " + path + ": " + e.getMessage());
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
            throw new Main.UserError(file + (l == null ? "" : ":" + l.getLineNr() + ":" + l.getColumnNr()) + ": malformed YAML: " + msg);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) throw new Main.UserError(file + ": the spec is empty");
        if (!(tree instanceof ObjectNode o)) throw new Main.UserError(file + ":1:1: a spec must be a mapping of keys (name, seed, data, model, …)");
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
            if (overridden.contains(p)) return "--set " + p;
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
        if (eq <= 0) throw new Main.UserError("--set needs KEY=VALUE (e.g. --set optimizer.lr=3e-4), got '" + set + "'");
        String key = set.substring(0, eq).trim(), raw = set.substring(eq + 1).trim();
        JsonNode value;
        try {
            value = raw.isEmpty() ? YAML.getNodeFactory().textNode("") : YAML.readTree(raw);
            if (value == null || value.isMissingNode()) value = YAML.getNodeFactory().nullNode();
        } catch (JsonProcessingException e) {
            value = YAML.getNodeFactory().textNode(raw);
        }
        if (value.isTextual()) value = coerceNumber(value.asText());
        String[] parts = key.split("\\.");
        ObjectNode cur = root;
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].isEmpty() || !parts[i].matches("[A-Za-z0-9_-]+")) throw new Main.UserError("--set key '" + key + "' is not a dotted key like optimizer.lr");
            if (path.length() > 0) path.append('.');
            path.append(parts[i]);
            if (i == parts.length - 1) {
                cur.set(parts[i], value);
            } else {
                JsonNode next = cur.get(parts[i]);
                if (next == null || !next.isObject()) {
                    if (next != null && next.isTextual()) { // "optimizer: adam" → {name: adam}
                        ObjectNode o = YAML.createObjectNode();
                        o.set("name", next);
                        cur.set(parts[i], o);
                        next = o;
                    } else {
                        next = cur.putObject(parts[i]);
                    }
                }
                cur = (ObjectNode) next;
            }
        }
        overridden.add(key);
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
