package dev.machina.experiment;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One key of a component: its name, how a value is read and checked, its default (which may
 * depend on the experiment's other settings, e.g. a schedule's period on the epochs), and what it
 * means. A component's settings are its whole description: they read the spec, fill the
 * defaults, write the resolved spec back and document it.
 *
 * @param defaultText the default as docs/SPEC.md states it ("epochs/3", "(required)")
 */
public record Setting(String key, Reader reader, Function<Defaults, Object> defaults, boolean required, String defaultText, String doc) {

    /** Reads and checks one value of the spec; {@code def} is what the default would be. */
    interface Reader {
        Object read(SpecNode node);

        /** The value as the resolved spec shows it (null: leave the key out). */
        default Object write(Object value) {
            return value;
        }
    }

    /**
     * What a default may depend on: the training epochs, the model-wide weight initialisation
     * ({@code model_init}) and the settings already read (in order).
     */
    public record Defaults(int epochs, String modelInit, Map<String, Object> soFar) {}

    /** A setting with a fixed default. */
    static Setting of(String key, Reader reader, Object def, String doc) {
        return new Setting(key, reader, d -> def, false, def == null ? "" : text(def), doc);
    }

    /** A setting whose default depends on the others ({@code defaultText} says how, for the docs). */
    static Setting derived(String key, Reader reader, Function<Defaults, Object> def, String defaultText, String doc) {
        return new Setting(key, reader, def, false, defaultText, doc);
    }

    /** A setting the spec must give. */
    static Setting required(String key, Reader reader, String doc) {
        return new Setting(key, reader, d -> null, true, "(required)", doc);
    }

    /** A default as the docs show it: 0.001, 1e-8, 10, [0.9, 0.999], none for an empty list. */
    static String text(Object v) {
        if (v instanceof Double d) {
            if (d == Math.rint(d) && Math.abs(d) < 1e6) return String.valueOf(d.longValue());
            return Double.toString(d).replace(".0E", "e").replace("E", "e");
        }
        if (v instanceof List<?> l) {
            if (l.isEmpty()) return "none";
            List<String> parts = new ArrayList<>();
            for (Object o : l) parts.add(text(o));
            return "[" + String.join(", ", parts) + "]";
        }
        return String.valueOf(v);
    }

    // ------------------------------------------------------------------ readers

    static Reader positive() {
        return n -> n.positive(0);
    }

    static Reader nonNegative() {
        return n -> n.nonNegative(0);
    }

    /** A number in [lo, hi) (or [lo, hi] when {@code closed}). */
    static Reader fraction(double lo, double hi, boolean closed) {
        return n -> n.fraction(0, lo, hi, closed);
    }

    static Reader integer(int min) {
        return n -> n.integer(0, min);
    }

    static Reader number() {
        return n -> n.num(0);
    }

    static Reader bool() {
        return n -> n.bool(false);
    }

    /** true, false or auto (kept as the text "auto"). */
    static Reader boolOrAuto() {
        return n -> {
            if (n.node.isBoolean()) return n.node.asBoolean();
            if (n.node.isTextual() && n.node.asText().equalsIgnoreCase("auto")) return "auto";
            throw n.error("expected true, false or auto, got " + n.node);
        };
    }

    static Reader text() {
        return n -> n.str(null);
    }

    static Reader choice(String... options) {
        return n -> n.choice(null, options);
    }

    /** A list of whole numbers >= {@code min}. */
    static Reader intList(int min) {
        return n -> {
            List<Integer> out = new ArrayList<>();
            for (SpecNode m : n.list()) out.add(m.integer(0, min));
            return Collections.unmodifiableList(out);
        };
    }

    /** A list of names or column indices (a single value is a list of one); written back only when not empty. */
    static Reader names() {
        return new Reader() {
            @Override
            public Object read(SpecNode n) {
                return n.strList();
            }

            @Override
            public Object write(Object value) {
                return value instanceof List<?> l && l.isEmpty() ? null : value;
            }
        };
    }

    /** Two numbers in [0, 1), e.g. Adam's betas. */
    static Reader pair() {
        return n -> {
            List<SpecNode> l = n.list();
            if (l.size() != 2) throw n.error("expected two numbers [a, b], got " + n.node);
            return List.of(l.get(0).fraction(0, 0, 1, false), l.get(1).fraction(0, 0, 1, false));
        };
    }

    /** A positive size, or {@code auto} (held as -1): as many outputs as the data needs. */
    static Reader sizeOrAuto() {
        return new Reader() {
            @Override
            public Object read(SpecNode n) {
                if (n.node.isTextual() && n.node.asText().equals("auto")) return -1;
                if (n.node.isTextual() && !n.node.asText().matches("\\d+")) throw n.error("expected a whole number >= 1 or auto, got '" + n.node.asText() + "'");
                return n.integer(0, 1);
            }

            @Override
            public Object write(Object value) {
                return Integer.valueOf(-1).equals(value) ? "auto" : value;
            }
        };
    }

    /** A single character; {@code tab} or {@code \t} for a tab. */
    static Reader character() {
        return n -> {
            String s = n.str(null);
            if (s.equals("\\t") || s.equalsIgnoreCase("tab")) s = "\t";
            if (s.length() != 1) throw n.error("expected a single character, got '" + SpecNode.clip(s) + "'");
            return s;
        };
    }

    /** A column by name or index, kept as text ("-1" is the last column). */
    static Reader column() {
        return n -> n.node.asText();
    }
}
