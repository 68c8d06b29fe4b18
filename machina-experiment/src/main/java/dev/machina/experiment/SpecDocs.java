package dev.machina.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The reference tables of docs/SPEC.md, written from the {@link Registry}: for each kind of
 * component, every component with every key, its default and its meaning. A test keeps the file
 * equal to this text, so the docs cannot miss a key or name one that does not exist.
 */
public final class SpecDocs {
    public static final String BEGIN = "<!-- registry: the tables below are written from the code's registry; a test keeps them equal -->";
    public static final String END = "<!-- registry: end -->";

    private SpecDocs() {}

    /** The tables, between {@link #BEGIN} and {@link #END} (exclusive). */
    public static String markdown() {
        StringBuilder sb = new StringBuilder();
        for (Component.Kind<?> k : Registry.kinds()) {
            sb.append("\n### ").append(k.title()).append("\n\n");
            List<Setting> shared = shared(k);
            sb.append("| ").append(k.kind()).append(" | key | default | meaning |\n|---|---|---|---|\n");
            for (Component<?> c : k.byName().values()) {
                sb.append("| `").append(c.name()).append("` | | | ").append(escape(c.doc())).append(" |\n");
                for (Setting s : c.settings()) {
                    if (shared.stream().anyMatch(x -> same(x, s))) continue;
                    row(sb, "", s, s.key().equals(c.shorthand()));
                }
            }
            if (!shared.isEmpty()) {
                sb.append("| every ").append(k.kind()).append(" | | | |\n");
                for (Setting s : shared) row(sb, "", s, false);
            }
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String first, Setting s, boolean shorthand) {
        sb.append("| ").append(first).append(" | `").append(s.key()).append('`').append(shorthand ? " (shorthand)" : "").append(" | ")
                .append(escape(s.defaultText())).append(" | ").append(escape(s.doc())).append(" |\n");
    }

    /** Settings that every component of the kind has alike (documented once). */
    private static List<Setting> shared(Component.Kind<?> k) {
        List<Setting> out = new ArrayList<>();
        var all = new ArrayList<>(k.byName().values());
        if (all.size() < 2) return out;
        for (Setting s : all.get(0).settings()) {
            boolean everywhere = all.stream().allMatch(c -> c.settings().stream().anyMatch(x -> same(x, s)));
            if (everywhere) out.add(s);
        }
        return out;
    }

    private static boolean same(Setting a, Setting b) {
        return a.key().equals(b.key()) && Objects.equals(a.defaultText(), b.defaultText()) && a.doc().equals(b.doc());
    }

    private static String escape(String s) {
        return s.replace("|", "\\|");
    }

    /** Every key of every component, for checks: kind → component → keys. */
    public static Map<String, Map<String, List<String>>> keys() {
        Map<String, Map<String, List<String>>> m = new java.util.LinkedHashMap<>();
        for (Component.Kind<?> k : Registry.kinds()) {
            Map<String, List<String>> c = new java.util.LinkedHashMap<>();
            for (Component<?> comp : k.byName().values()) c.put(comp.name(), comp.keys());
            m.put(k.kind(), c);
        }
        return m;
    }
}
