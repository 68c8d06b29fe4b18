package dev.machina.experiment;

import dev.machina.tune.Dimension;
import java.util.ArrayList;
import java.util.List;

/** The kinds of values a sweep's {@code space} can give a spec key: one entry each. */
final class DimensionRegistry {
    private DimensionRegistry() {}

    /** Builds the dimension of {@code key} from the kind's value list. */
    interface Factory {
        Dimension build(String key, SpecNode values);
    }

    static final Component.Kind<Factory> DIMENSIONS = Component.Kind.<Factory>of("kind", "Search dimensions",
            Component.<Factory>of("choice", "`{choice: [a, b]}` or just `[a, b]`: one of the values, each equally likely", null, List.of(),
                    (key, v) -> new Dimension.Choice(key, values(v))),
            Component.<Factory>of("range", "`{range: [lo, hi, step]}` (step 1 if left out): whole numbers lo, lo+step, … ≤ hi", null, List.of(),
                    (key, v) -> {
                        List<SpecNode> l = v.list();
                        if (l.size() != 2 && l.size() != 3) throw v.error("expected [lo, hi] or [lo, hi, step] (whole numbers), got " + v.node);
                        return new Dimension.IntRange(key, wholeNumber(l.get(0)), wholeNumber(l.get(1)), l.size() == 3 ? l.get(2).integer(1, 1) : 1);
                    }),
            Component.<Factory>of("uniform", "`{uniform: [lo, hi]}`: a real number in [lo, hi)", null, List.of(),
                    (key, v) -> {
                        double[] r = realRange(v, "uniform");
                        return new Dimension.Uniform(key, r[0], r[1]);
                    }),
            Component.<Factory>of("loguniform", "`{loguniform: [lo, hi]}`: log-uniform in [lo, hi), lo > 0 — learning rates, weight decay", null, List.of(),
                    (key, v) -> {
                        double[] r = realRange(v, "loguniform");
                        return new Dimension.LogUniform(key, r[0], r[1]);
                    }),
            Component.<Factory>of("intLogUniform", "`{intLogUniform: [lo, hi]}`: a whole number in [lo, hi], lo ≥ 1, log-uniform — batch and hidden sizes",
                    null, List.of(), (key, v) -> {
                        List<SpecNode> l = v.list();
                        if (l.size() != 2) throw v.error("expected [lo, hi] (whole numbers >= 1), got " + v.node);
                        int lo = l.get(0).integer(1, 1), hi = l.get(1).integer(1, 1);
                        if (hi < lo) throw v.error("intLogUniform needs lo <= hi, got " + v.node);
                        return new Dimension.IntLogUniform(key, lo, hi);
                    }));

    private static double[] realRange(SpecNode v, String kind) {
        List<SpecNode> l = v.list();
        if (l.size() != 2) throw v.error("expected [lo, hi], got " + v.node);
        double lo = l.get(0).num(0), hi = l.get(1).num(0);
        if (kind.equals("loguniform") && !(lo > 0)) {
            throw l.get(0).error("loguniform needs lo > 0 (it samples between log(lo) and log(hi)), got " + l.get(0).node.asText());
        }
        if (!(lo < hi)) throw v.error(kind + " needs lo < hi, got " + v.node);
        return new double[] {lo, hi};
    }

    private static int wholeNumber(SpecNode n) {
        double v = n.num(0);
        if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) throw n.error("expected a whole number, got " + n.node.asText());
        return (int) v;
    }

    static List<Object> values(SpecNode v) {
        List<SpecNode> l = v.list();
        if (l.isEmpty()) throw v.error("expected at least one value");
        List<Object> out = new ArrayList<>();
        for (SpecNode n : l) {
            if (n.node == null || n.node.isNull()) throw n.error("a value to try cannot be empty (null)");
            out.add(SpecSource.YAML.convertValue(n.node, Object.class));
        }
        return out;
    }
}
