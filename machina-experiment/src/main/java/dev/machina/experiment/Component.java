package dev.machina.experiment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One thing a spec can name — a layer, a loss, an optimizer, a schedule, a dataset, a search
 * dimension — written once: its name, its settings (keys, readers, defaults, meanings), a check
 * across settings, and the factory that builds it. Reading the spec, the resolved spec, building
 * and docs/SPEC.md all come from this one entry.
 *
 * @param shorthand the setting a single value sets ({@code linear: 256} sets {@code out}), or null
 * @param factory   what builds the component from its settings (its type depends on the kind)
 */
public record Component<F>(String name, String doc, String shorthand, List<Setting> settings, Check check, F factory) {

    /** A rule across settings (e.g. Nesterov momentum needs momentum > 0); throws a located error. */
    interface Check {
        Check NONE = (args, node) -> {};

        void check(Map<String, Object> args, SpecNode node);
    }

    static <F> Component<F> of(String name, String doc, String shorthand, List<Setting> settings, F factory) {
        return new Component<>(name, doc, shorthand, settings, Check.NONE, factory);
    }

    Component<F> withCheck(Check c) {
        return new Component<>(name, doc, shorthand, settings, c, factory);
    }

    public List<String> keys() {
        List<String> k = new ArrayList<>();
        for (Setting s : settings) k.add(s.key());
        return k;
    }

    /**
     * The settings {@code node} gives, every default filled in, in the component's order.
     *
     * @param node  a mapping of settings, a single value for the shorthand, or missing (all defaults)
     * @param extra keys the mapping may also hold that are not settings (e.g. {@code name})
     */
    Map<String, Object> read(SpecNode node, int epochs, String... extra) {
        return readIn(node, epochs, "default", extra);
    }

    /** As {@link #read(SpecNode, int, String...)}, with the model-wide weight initialisation its defaults may take. */
    Map<String, Object> readIn(SpecNode node, int epochs, String modelInit, String... extra) {
        boolean single = node.present() && !node.node.isObject();
        if (single && shorthand == null) {
            throw node.error(settings.isEmpty() ? "'" + name + "' takes no settings"
                    : "'" + name + "' takes a mapping of its settings (" + String.join(", ", keys()) + "), got " + SpecNode.clip(node.node.toString()));
        }
        if (node.present() && node.node.isObject()) {
            List<String> allowed = new ArrayList<>(List.of(extra));
            allowed.addAll(keys());
            node.allowKeys(allowed.toArray(new String[0]));
        }
        Map<String, Object> args = new LinkedHashMap<>();
        Setting.Defaults defaults = new Setting.Defaults(epochs, modelInit, args);
        for (Setting s : settings) {
            SpecNode v = single ? (s.key().equals(shorthand) ? node : new SpecNode(node.src, null, node.path)) : node.get(s.key());
            Object value;
            if (v.present()) value = s.reader().read(v);
            else if (s.required() && (single || !node.present())) throw node.error("required: " + s.key() + " (" + s.doc() + ")");
            else if (s.required()) throw v.error("required for " + name + " (" + s.doc() + ")");
            else value = s.defaults().apply(defaults);
            args.put(s.key(), value);
        }
        check.check(args, node);
        return args;
    }

    /** The settings as the resolved spec writes them: every key, in order, absent values left out. */
    Map<String, Object> resolved(Map<String, Object> args) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Setting s : settings) {
            Object v = args.get(s.key());
            if (v != null) v = s.reader().write(v);
            if (v != null) out.put(s.key(), v);
        }
        return out;
    }

    /**
     * The components of one kind, by name, in the order the docs list them.
     *
     * @param title the kind as docs/SPEC.md heads it ("Layers")
     */
    public record Kind<F>(String kind, String title, Map<String, Component<F>> byName) {
        @SafeVarargs
        static <F> Kind<F> of(String kind, String title, Component<F>... components) {
            Map<String, Component<F>> m = new LinkedHashMap<>();
            for (Component<F> c : components) m.put(c.name(), c);
            return new Kind<>(kind, title, m);
        }

        public List<String> names() {
            return new ArrayList<>(byName.keySet());
        }

        /** The component named {@code name} ('-' and '_' alike, any case), or a located error with a did-you-mean. */
        Component<F> find(String name, SpecNode where) {
            String norm = name.toLowerCase(Locale.ROOT).replace('-', '_');
            for (Component<F> c : byName.values()) if (c.name().replace('-', '_').equals(norm)) return c;
            String[] all = byName.keySet().toArray(new String[0]);
            String hint = SpecNode.didYouMean(name, all);
            throw where.error("unknown " + kind + " '" + SpecNode.clip(name) + "'" + (hint == null ? "" : "; did you mean '" + hint + "'?")
                    + " (" + kind + "s: " + String.join(", ", all) + ")");
        }

        public Component<F> get(String name) {
            Component<F> c = byName.get(name);
            if (c == null) throw new IllegalArgumentException("no " + kind + " named " + name);
            return c;
        }
    }
}
