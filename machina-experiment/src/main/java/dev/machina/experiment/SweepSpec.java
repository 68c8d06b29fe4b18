package dev.machina.experiment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.machina.train.callbacks.Monitor;
import dev.machina.tune.Dimension;
import dev.machina.tune.SearchSpace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A sweep spec: a base experiment (inline under {@code base:} or a path relative to the sweep
 * file), a search space over dotted spec keys, the objective, the strategy and its settings.
 * Validated as experiment specs are (file:line:col, did-you-mean); every value a space can give
 * is checked against the base spec before anything runs.
 */
public final class SweepSpec {
    public static final String[] KEYS = {"name", "base", "space", "objective", "strategy", "sampler", "trials", "seed", "parallel",
        "time_budget_s", "halving", "pruner"};
    public static final String[] STRATEGIES = {"grid", "random", "halving"};
    /** Metrics the trainer logs per epoch. */
    public static final String[] METRICS = {"val_accuracy", "val_loss", "train_accuracy", "train_loss", "lr", "epoch_time_s", "samples_per_s"};

    /** Successive-halving settings: the first rung and the reduction factor η. */
    public record Halving(int minEpochs, int reductionFactor) {}

    /** A pruner for grid and random sweeps: none, or the median rule. */
    public record PrunerSpec(String name, int warmupEpochs, int minTrials) {}

    private final SpecSource source;
    private final SpecSource base;
    private final Experiment baseExperiment;
    private final String name;
    private final SearchSpace space;
    private final Map<String, String> origins = new LinkedHashMap<>();
    private final Monitor objective;
    private final String strategy, sampler;
    private final int trials, parallel;
    private final long seed;
    private final Double timeBudgetS;
    private final Halving halving;
    private final PrunerSpec pruner;

    private SweepSpec(SpecSource src, Path dir, List<String> sets, String defaultName) {
        this.source = src;
        List<String> baseSets = new ArrayList<>();
        for (String s : sets) {
            int eq = s.indexOf('=');
            String key = eq < 0 ? s : s.substring(0, eq).trim();
            String head = key.split("[.\\[]", 2)[0];
            if (key.startsWith("base.")) baseSets.add(s.substring(5));
            else if (List.of(KEYS).contains(head) && !head.equals("base")) src.applySet(s);
            else baseSets.add(s);
        }
        SpecNode root = new SpecNode(src, src.root, "");
        root.allowKeys(KEYS);
        name = root.get("name").str(defaultName);
        if (!name.matches("[A-Za-z0-9._-]+")) throw root.get("name").error("use letters, digits, '.', '_' or '-' (it names a directory), got '" + SpecNode.clip(name) + "'");

        SpecNode b = root.get("base");
        if (!b.present()) throw b.error("required: the experiment to tune, inline (base: {data: …, model: …}) or a spec file (base: digits-mlp.yaml)");
        if (b.node.isTextual()) {
            Path p = Path.of(b.node.asText());
            if (!p.isAbsolute() && dir != null) p = dir.resolve(p);
            if (!Files.isRegularFile(p)) throw b.error("base spec " + p + " does not exist");
            base = SpecSource.load(p, List.of());
        } else if (b.node.isObject()) {
            base = src.sub("base");
        } else {
            throw b.error("expected a spec file name or a mapping (the experiment spec), got " + b.node);
        }
        for (String s : baseSets) base.applySet(s);
        baseExperiment = Experiment.of(base.copy(), name);

        objective = readObjective(root.get("objective"));
        space = readSpace(root.get("space"));
        String strat = root.get("strategy").present() ? root.get("strategy").choice(null, STRATEGIES) : (space.discrete() ? "grid" : "random");
        strategy = strat;
        SpecNode sm = root.get("sampler");
        if (sm.present() && !strat.equals("halving")) throw sm.error("sampler only applies to strategy: halving (strategy " + strat + " is its own sampler)");
        sampler = strat.equals("halving") ? sm.choice("random", "random", "grid") : strat;
        if (sampler.equals("grid") && !space.discrete()) {
            for (Dimension d : space.dimensions()) {
                if (!d.discrete()) throw root.get("space").get(d.key()).error("a grid needs choice or range values; use strategy: random (or halving) for continuous ones");
            }
        }
        long grid = sampler.equals("grid") ? space.gridSize() : Long.MAX_VALUE;
        if (sampler.equals("grid") && grid > SearchSpace.MAX_GRID) {
            StringBuilder sizes = new StringBuilder();
            for (Dimension d : space.dimensions()) sizes.append(sizes.isEmpty() ? "" : " × ").append(d.count());
            throw root.get("space").error("the grid has " + (grid == Long.MAX_VALUE ? "more than " + Long.MAX_VALUE : String.valueOf(grid))
                    + " points (" + sizes + "), over the limit of " + SearchSpace.MAX_GRID
                    + "; narrow the ranges, or use strategy: random (or halving) to sample them");
        }
        SpecNode tr = root.get("trials");
        int t = tr.integer(sampler.equals("grid") ? (int) Math.min(grid, Integer.MAX_VALUE) : 10, 1);
        if (sampler.equals("grid") && t > grid) t = (int) grid;
        trials = t;
        Long sd = root.get("seed").optLong();
        seed = sd == null ? baseExperiment.seed() : sd;
        parallel = root.get("parallel").integer(1, 1);
        timeBudgetS = root.get("time_budget_s").present() ? root.get("time_budget_s").positive(1) : null;

        SpecNode h = root.get("halving");
        // a strategy switched with --set leaves the file's halving block unused; in the file itself it is a mistake
        boolean switched = source.where("strategy").startsWith("--set");
        if (h.present() && !strat.equals("halving") && !switched) throw h.error("halving settings only apply to strategy: halving");
        if (strat.equals("halving")) h.allowKeys("min_epochs", "reduction_factor");
        halving = strat.equals("halving") ? new Halving(h.get("min_epochs").integer(1, 1), h.get("reduction_factor").integer(3, 2)) : null;
        if (halving != null && halving.minEpochs() >= baseExperiment.training().epochs()) {
            throw h.get("min_epochs").error("the first rung (" + halving.minEpochs() + " epochs) must be below training.epochs ("
                    + baseExperiment.training().epochs() + "), or nothing can be pruned");
        }
        SpecNode pr = root.get("pruner");
        if (pr.present() && strat.equals("halving")) throw pr.error("strategy halving prunes by itself (ASHA); a pruner applies to grid and random");
        if (!pr.present()) pruner = new PrunerSpec("none", 0, 1);
        else if (pr.node.isTextual()) pruner = new PrunerSpec(pr.choice(null, "none", "median"), 1, 1);
        else {
            pr.allowKeys("name", "warmup_epochs", "min_trials");
            pruner = new PrunerSpec(pr.get("name").choice("median", "none", "median"), pr.get("warmup_epochs").integer(1, 0), pr.get("min_trials").integer(1, 1));
        }
        validateSpace(root.get("space"));
    }

    /** Reads a sweep file; {@code --set} values for sweep keys (trials, parallel, …) apply to it, the others (or base.KEY) to the base spec. */
    public static SweepSpec load(Path file, List<String> sets) {
        String text = SpecSource.readText(file, "sweep");
        String def = file.getFileName().toString().replaceFirst("\\.(ya?ml|json)$", "");
        if (!def.matches("[A-Za-z0-9._-]+")) def = "sweep";
        Path dir = file.toAbsolutePath().getParent();
        return new SweepSpec(SpecSource.parse(file.toString(), text), dir, sets, def);
    }

    /** Parses sweep text; a base path is relative to {@code dir}. */
    public static SweepSpec parse(String file, String text, Path dir, List<String> sets) {
        return new SweepSpec(SpecSource.parse(file, text), dir, sets, "sweep");
    }

    // ------------------------------------------------------------------ reading

    private Monitor readObjective(SpecNode o) {
        String metric, mode;
        if (!o.present()) {
            metric = "val_accuracy";
            mode = "max";
        } else if (o.node.isTextual()) {
            metric = o.str(null);
            mode = "auto";
        } else {
            o.allowKeys("metric", "mode");
            metric = o.get("metric").str("val_accuracy");
            mode = o.get("mode").choice("auto", "auto", "min", "max");
            o = o.get("metric");
        }
        if (!List.of(METRICS).contains(metric)) {
            String hint = SpecNode.didYouMean(metric, METRICS);
            throw o.error("'" + metric + "' is not a logged metric" + (hint == null ? "" : "; did you mean '" + hint + "'?")
                    + " (logged per epoch: " + String.join(", ", METRICS) + ")");
        }
        if (metric.startsWith("val_") && baseExperiment.data().validation() == 0) {
            throw o.error("the objective " + metric + " needs a validation set, but the base spec has data.validation: 0");
        }
        return Monitor.of(metric, mode);
    }

    private SearchSpace readSpace(SpecNode s) {
        if (!s.present()) throw s.error("required: the values to try, e.g. space: {optimizer.lr: {loguniform: [1.0e-4, 1.0e-1]}}");
        if (!s.node.isObject() || s.node.isEmpty()) throw s.error("expected a mapping of spec keys to values to try, got " + s.node);
        List<Dimension> dims = new ArrayList<>();
        for (var it = s.node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            SpecNode d = s.get(key);
            origins.put(key, src().where(d.path));
            if (!key.matches("[A-Za-z0-9_-]+(\\[\\d+])*(\\.[A-Za-z0-9_-]+(\\[\\d+])*)*")) {
                throw d.error("'" + key + "' is not a dotted spec key like optimizer.lr or model[0].linear");
            }
            dims.add(readDimension(key, d));
        }
        return new SearchSpace(dims);
    }

    private SpecSource src() {
        return source;
    }

    private static Dimension readDimension(String key, SpecNode d) {
        var kinds = DimensionRegistry.DIMENSIONS;
        if (d.node.isArray()) return new Dimension.Choice(key, DimensionRegistry.values(d));
        if (!d.node.isObject() || d.node.size() != 1) {
            throw d.error("expected one of " + String.join(", ", kinds.names()) + " with its values, e.g. {loguniform: [1.0e-4, 1.0e-1]} or {choice: [32, 64]}, got " + d.node);
        }
        String kind = d.node.fieldNames().next();
        SpecNode v = d.get(kind);
        Component<DimensionRegistry.Factory> k = null;
        for (var c : kinds.byName().values()) if (norm(c.name()).equals(norm(kind))) k = c;
        if (k == null) {
            String hint = SpecNode.didYouMean(kind, kinds.names().toArray(new String[0]));
            throw v.error("unknown kind '" + kind + "'" + (hint == null ? "" : "; did you mean '" + hint + "'?") + " (kinds: " + String.join(", ", kinds.names()) + ")");
        }
        try {
            return k.factory().build(key, v);
        } catch (IllegalArgumentException e) {
            throw v.error(e.getMessage());
        }
    }

    private static String norm(String s) {
        return s.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    }

    /** Every value a dimension can give (continuous ones: both ends) must make a valid experiment. */
    private void validateSpace(SpecNode s) {
        for (Dimension d : space.dimensions()) {
            List<Object> probe = new ArrayList<>();
            switch (d) {
                case Dimension.Choice c -> probe.addAll(c.options());
                case Dimension.IntRange r -> probe.addAll(r.count() <= 64 ? r.values() : List.of(r.lo(), r.hi()));
                case Dimension.Uniform u -> probe.addAll(List.of(u.lo(), Math.nextDown(u.hi())));
                case Dimension.LogUniform u -> probe.addAll(List.of(u.lo(), Math.nextDown(u.hi())));
                case Dimension.IntLogUniform u -> probe.addAll(List.of(u.lo(), u.hi()));
            }
            for (Object v : probe) trial(Map.of(d.key(), v));
        }
    }

    // ------------------------------------------------------------------ use

    /**
     * The trials' parameters, in trial order: the grid (first key slowest), or seeded random
     * draws. Halving over a grid takes every grid point once in an order shuffled by the seed:
     * ASHA judges early arrivals against few peers, so a sorted order (say, ascending learning
     * rates) would let every trial through.
     */
    public List<Map<String, Object>> plan() {
        if (sampler.equals("grid") && strategy.equals("halving")) {
            List<Map<String, Object>> all = space.grid(Integer.MAX_VALUE);
            int[] order = new int[all.size()];
            for (int i = 0; i < order.length; i++) order[i] = i;
            dev.machina.tensor.Rng.forStream(seed, 0x47726964L).shuffle(order); // "Grid"
            List<Map<String, Object>> out = new ArrayList<>();
            for (int i = 0; i < trials; i++) out.add(all.get(order[i]));
            return out;
        }
        if (sampler.equals("grid")) return space.grid(trials);
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < trials; i++) out.add(space.sample(seed, i));
        return out;
    }

    /**
     * The base spec with {@code params} applied, validated: what a trial runs. An error about a
     * value names the space key's place in the sweep file and the value.
     */
    public Experiment trial(Map<String, Object> params) {
        SpecSource s = base.copy();
        for (var e : params.entrySet()) {
            String where = origins.getOrDefault(e.getKey(), source.file);
            s.apply(e.getKey(), SpecSource.YAML.valueToTree(e.getValue()), where + " (space " + e.getKey() + " = " + e.getValue() + ")");
        }
        return Experiment.of(s, baseExperiment.name());
    }

    /** The sweep as one self-contained YAML (base inlined, overrides applied): what a resumed sweep reads. */
    public String storedYaml() {
        return yaml(false);
    }

    /** {@link #storedYaml()} with the sweep's name written in: what a trial run in another process reads ({@link TrialTask}). */
    public String portableYaml() {
        return yaml(true);
    }

    private String yaml(boolean withName) {
        ObjectNode o = source.root.deepCopy();
        if (withName) o.put("name", name);
        if (halving == null) o.remove("halving"); // the strategy was switched with --set: the file's halving block no longer applies
        o.set("base", base.root.deepCopy());
        try {
            return SpecSource.YAML.writeValueAsString(o).replaceFirst("^---\\s*\\n", "");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public String name() { return name; }
    public Experiment base() { return baseExperiment; }
    public SearchSpace space() { return space; }
    public Monitor objective() { return objective; }
    /** grid, random or halving. */
    public String strategy() { return strategy; }
    /** grid or random: how trials' values are chosen. */
    public String sampler() { return sampler; }
    public int trials() { return trials; }
    public long seed() { return seed; }
    public int parallel() { return parallel; }
    public Double timeBudgetS() { return timeBudgetS; }
    /** Null unless the strategy is halving. */
    public Halving halving() { return halving; }
    public PrunerSpec pruner() { return pruner; }
    public String file() { return source.file; }

    /** An error located at a sweep key. */
    public UserError error(String path, String message) {
        return new SpecNode(source, null, path).error(message);
    }

}
