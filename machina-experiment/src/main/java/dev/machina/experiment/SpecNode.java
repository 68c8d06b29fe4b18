package dev.machina.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * A value in a spec with its dotted path, and typed, validated reads that fail with the file,
 * line and column, the key, what was expected and what was found (with a did-you-mean for
 * misspelt keys and names).
 */
final class SpecNode {
    final SpecSource src;
    final JsonNode node;
    final String path;

    SpecNode(SpecSource src, JsonNode node, String path) {
        this.src = src;
        this.node = node == null ? MissingNode.getInstance() : node;
        this.path = path;
    }

    boolean present() {
        return !node.isMissingNode() && !node.isNull();
    }

    SpecNode get(String key) {
        return new SpecNode(src, node.get(key), path.isEmpty() ? key : path + "." + key);
    }

    SpecNode at(int i) {
        return new SpecNode(src, node.get(i), path + "[" + i + "]");
    }

    UserError error(String message) {
        String where = src.where(path);
        boolean set = where.startsWith("--set ");
        return new UserError(where + ": " + (path.isEmpty() || set && where.equals("--set " + path) ? "" : path + ": ") + message);
    }

    /** An error about this node, located where {@code locPath} is in the file. */
    UserError errorAt(String locPath, String message) {
        return new UserError(src.where(locPath) + ": " + (path.isEmpty() ? "" : path + ": ") + message);
    }

    private String found() {
        if (node.isTextual()) return "'" + clip(node.asText()) + "'";
        if (node.isObject()) return "a mapping";
        if (node.isArray()) return "a list";
        return node.toString();
    }

    /** {@code s} quoted in a message: at most 60 characters, cut with an ellipsis. */
    static String clip(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "…";
    }

    /** Rejects keys other than {@code allowed}, suggesting the closest one. */
    void allowKeys(String... allowed) {
        if (!node.isObject()) return;
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (Arrays.asList(allowed).contains(k)) continue;
            String hint = didYouMean(k, allowed);
            throw errorAt(get(k).path, "unknown key '" + k + "'" + (hint == null ? "" : "; did you mean '" + hint + "'?")
                    + " (allowed: " + String.join(", ", allowed) + ")");
        }
    }

    static String didYouMean(String got, String... options) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String o : options) {
            int d = levenshtein(got.toLowerCase(Locale.ROOT), o.toLowerCase(Locale.ROOT));
            if (d < bestD) {
                bestD = d;
                best = o;
            }
        }
        return best != null && bestD <= Math.max(2, got.length() / 3) ? best : null;
    }

    static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int c = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + c);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    String str(String def) {
        if (!present()) return def;
        if (!node.isValueNode() || node.isBoolean()) throw error("expected a text value, got " + found());
        return node.asText();
    }

    /** One of {@code options} (case-insensitive, '-' and '_' alike). */
    String choice(String def, String... options) {
        String v = str(def);
        if (v == null) return null;
        String norm = v.toLowerCase(Locale.ROOT).replace('-', '_');
        for (String o : options) if (o.replace('-', '_').equals(norm)) return o;
        String hint = didYouMean(v, options);
        throw error("'" + clip(v) + "' is not one of " + String.join(", ", options) + (hint == null ? "" : "; did you mean '" + hint + "'?"));
    }

    double num(double def) {
        if (!present()) return def;
        double v;
        if (node.isNumber()) {
            v = node.asDouble();
        } else if (node.isTextual()) {
            try {
                v = Double.parseDouble(node.asText().trim());
            } catch (NumberFormatException e) {
                throw error("expected a number, got " + found());
            }
        } else {
            throw error("expected a number, got " + found());
        }
        if (!Double.isFinite(v)) throw error("expected a number, got " + found() + ", which is not a finite number");
        return v;
    }

    Double optNum() {
        return present() ? num(0) : null;
    }

    double positive(double def) {
        double v = num(def);
        if (!(v > 0) || Double.isInfinite(v)) throw error("expected a positive number, got " + node.asText());
        return v;
    }

    double nonNegative(double def) {
        double v = num(def);
        if (!(v >= 0) || Double.isInfinite(v)) throw error("expected a number >= 0, got " + node.asText());
        return v;
    }

    /** A number in [lo, hi) (or [lo, hi] when {@code closed}). */
    double fraction(double def, double lo, double hi, boolean closed) {
        double v = num(def);
        if (!(v >= lo && (closed ? v <= hi : v < hi))) {
            throw error("expected a number in [" + lo + ", " + hi + (closed ? "]" : ")") + ", got " + node.asText());
        }
        return v;
    }

    int integer(int def, int min) {
        if (!present()) return def;
        double v = num(def);
        if (v != Math.rint(v) || v < min || v > Integer.MAX_VALUE) throw error("expected a whole number >= " + min + ", got " + node.asText());
        return (int) v;
    }

    Long optLong() {
        if (!present()) return null;
        double v = num(0);
        if (v != Math.rint(v) || Math.abs(v) > 9.007199254740992E15) throw error("expected a whole number, got " + node.asText());
        return (long) v;
    }

    boolean bool(boolean def) {
        if (!present()) return def;
        if (node.isBoolean()) return node.asBoolean();
        throw error("expected true or false, got " + found());
    }

    List<SpecNode> list() {
        if (!present()) return List.of();
        if (!node.isArray()) throw error("expected a list, got " + found());
        List<SpecNode> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) out.add(at(i));
        return out;
    }

    List<String> strList() {
        if (!present()) return List.of();
        if (node.isValueNode()) return List.of(node.asText());
        List<String> out = new ArrayList<>();
        for (SpecNode n : list()) out.add(n.str(null));
        return out;
    }
}
