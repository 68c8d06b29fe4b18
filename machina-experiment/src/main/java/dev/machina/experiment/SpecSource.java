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

    /** The largest spec or sweep file read (1 MiB): a bigger one is refused before it is parsed. */
    public static final long MAX_BYTES = 1L << 20;

    /** Reads a spec file and applies overrides ("optimizer.lr=3e-4"). */
    public static SpecSource load(Path path, List<String> sets) {
        SpecSource s = parse(path.toString(), readText(path, "spec"));
        for (String set : sets) s.applySet(set);
        return s;
    }

    /**
     * The text of a spec or sweep file ({@code what}): refused when missing, over
     * {@link #MAX_BYTES}, or not UTF-8 text.
     */
    static String readText(Path path, String what) {
        try {
            long size = Files.size(path);
            if (size > MAX_BYTES) {
                throw new UserError(what + " file " + path + " is " + size + " bytes; a " + what + " may be at most " + MAX_BYTES + " bytes (1 MiB)");
            }
            byte[] bytes = Files.readAllBytes(path);
            if (bytes.length > MAX_BYTES) {
                throw new UserError(what + " file " + path + " is over " + MAX_BYTES + " bytes; a " + what + " may be at most " + MAX_BYTES + " bytes (1 MiB)");
            }
            String kind = binaryKind(bytes);
            if (kind != null) throw new UserError(what + " file " + path + " is " + kind + ", not a YAML or JSON text file in UTF-8");
            try {
                return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                int at = firstInvalidUtf8(bytes);
                throw new UserError(what + " file " + path + " is not UTF-8 text (byte offset " + at
                        + " is not valid UTF-8); a " + what + " is YAML or JSON in UTF-8");
            }
        } catch (NoSuchFileException e) {
            throw new UserError(what + " file " + path + " does not exist");
        } catch (IOException e) {
            throw new UserError("cannot read " + what + " file " + path + ": " + e.getMessage());
        }
    }

    /** "UTF-16 text" or "binary (it contains NUL bytes)" for a file that is clearly not UTF-8 text, else null. */
    private static String binaryKind(byte[] b) {
        if (b.length >= 2 && ((b[0] == (byte) 0xFF && b[1] == (byte) 0xFE) || (b[0] == (byte) 0xFE && b[1] == (byte) 0xFF))) return "UTF-16 text";
        int n = Math.min(b.length, 4096);
        int evenNul = 0, oddNul = 0;
        for (int i = 0; i < n; i++) {
            if (b[i] == 0) {
                if (i % 2 == 0) evenNul++;
                else oddNul++;
            }
        }
        if (evenNul + oddNul == 0) return null;
        // UTF-16 ASCII text has NULs in every other byte
        if (n >= 4 && (oddNul >= n / 2 - 1 && evenNul == 0 || evenNul >= n / 2 - 1 && oddNul == 0)) return "UTF-16 text";
        return "binary (it contains NUL bytes)";
    }

    private static int firstInvalidUtf8(byte[] b) {
        var dec = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(b);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(b.length + 1);
        var r = dec.decode(in, out, true);
        return r.isError() ? in.position() : b.length;
    }

    /** Parses spec text (tests use this directly). */
    public static SpecSource parse(String file, String text) {
        if (text.length() > MAX_BYTES) throw new UserError(file + ": a spec may be at most " + MAX_BYTES + " bytes (1 MiB); this one has " + text.length() + " characters");
        Map<String, int[]> locations = locate(file, text);
        JsonNode tree;
        try {
            tree = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            String msg = e.getOriginalMessage().lines().findFirst().orElse("malformed");
            java.util.regex.Matcher nf = NOT_FINITE.matcher(msg);
            if (nf.find() && l != null) {
                String key = keyBefore(text, l.getLineNr(), l.getColumnNr());
                throw new UserError(file + ":" + l.getLineNr() + ":" + l.getColumnNr() + ": " + (key == null ? "" : key + ": ")
                        + "expected a number, got " + nf.group(1) + ", which is not a finite number");
            }
            throw new UserError(file + (l == null ? "" : ":" + l.getLineNr() + ":" + l.getColumnNr()) + ": malformed YAML: " + msg);
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) throw new UserError(file + ": the spec is empty");
        if (!(tree instanceof ObjectNode o)) throw new UserError(file + ":1:1: a spec must be a mapping of keys (name, seed, data, model, …)");
        return new SpecSource(file, o, locations);
    }

    private static final java.util.regex.Pattern NOT_FINITE = java.util.regex.Pattern.compile("Malformed numeric value '([-+]?\\.(?:nan|NaN|NAN|inf|Inf|INF))'");

    /** The key written just before {@code col} on line {@code lineNr} of {@code text} ("lr" in "{name: adam, lr: .nan}", the column at or just after the value), or null. */
    private static String keyBefore(String text, int lineNr, int col) {
        String line = text.lines().skip(Math.max(0, lineNr - 1)).findFirst().orElse("");
        String head = line.substring(0, Math.max(0, Math.min(line.length(), col - 1)));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([A-Za-z0-9_-]+)\"?\\s*:\\s*(?:[-+]?\\.[A-Za-z]+\\s*)?$").matcher(head);
        return m.find() ? m.group(1) : null;
    }

    /**
     * Line/column of every value by dotted path ("optimizer.lr", "model[2].dropout"); a key given
     * twice in one mapping is an error naming both lines.
     */
    private static Map<String, int[]> locate(String file, String text) {
        Map<String, int[]> loc = new HashMap<>();
        record Frame(String path, boolean array, int[] next, Map<String, Integer> keys) {}
        try (JsonParser p = YAML.getFactory().createParser(text)) {
            Deque<Frame> stack = new ArrayDeque<>();
            String field = null;
            JsonLocation fieldLoc = null;
            for (JsonToken t; (t = p.nextToken()) != null; ) {
                if (t == JsonToken.FIELD_NAME) {
                    field = p.currentName();
                    fieldLoc = p.currentTokenLocation();
                    Integer first = stack.peek().keys().putIfAbsent(field, fieldLoc.getLineNr());
                    if (first != null) {
                        String full = stack.peek().path().isEmpty() ? field : stack.peek().path() + "." + field;
                        throw new UserError(file + ":" + fieldLoc.getLineNr() + ":" + fieldLoc.getColumnNr() + ": duplicate key '" + full
                                + "' (first given on line " + first + "); give each key once");
                    }
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
                    stack.push(new Frame(name, t == JsonToken.START_ARRAY, new int[] {0}, new HashMap<>()));
                }
            }
        } catch (UserError e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // locations are a convenience; a parse error is reported by readTree
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
            // an index past int's range is past the list's end too
            while (im.find()) idx.add(im.group(1).length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(im.group(1)));
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
                    throw new UserError(origin + ": " + path + " has " + arr.size() + " item(s) (0.." + (arr.size() - 1) + "), so "
                            + SpecNode.clip(key) + " cannot be set");
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
