package dev.machina.experiment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An experiment spec, read and validated, with every default filled in. {@link #resolved()} is
 * the spec as it will run (what run.json records and spec.yaml in the run directory holds).
 */
public final class Experiment {
    public static final String[] TOP_KEYS = {"name", "seed", "data", "model_init", "model", "loss", "optimizer", "schedule", "training"};
    public static final String[] TRAINING_KEYS = {"epochs", "batch_size", "eval_batch_size", "clip_norm", "clip_value", "early_stopping",
        "time_budget_s", "log_every"};
    public static final String[] EARLY_STOPPING_KEYS = {"monitor", "patience", "mode", "min_delta", "restore_best"};

    /**
     * A named component of the spec (a loss, an optimizer, a schedule) and its settings, every
     * default filled in, in the order {@link Registry} lists them.
     */
    public record Part(String name, Map<String, Object> args) {
        public double num(String key) {
            return ((Number) args.get(key)).doubleValue();
        }

        public int integer(String key) {
            return ((Number) args.get(key)).intValue();
        }

        public boolean bool(String key) {
            return (Boolean) args.get(key);
        }

        public String str(String key) {
            Object v = args.get(key);
            return v == null ? null : v.toString();
        }

        /** A list setting as text values (e.g. CSV column names or indices). */
        public List<String> strings(String key) {
            Object v = args.get(key);
            if (v == null) return List.of();
            List<String> out = new ArrayList<>();
            for (Object o : (List<?>) v) out.add(String.valueOf(o));
            return out;
        }
    }

    /** The data section: the dataset's name and its settings (see {@link DatasetRegistry}). */
    public record Data(String dataset, Map<String, Object> args) {
        private Part part() {
            return new Part(dataset, args);
        }

        /** The file or directory read, or null. */
        public String path() {
            return part().str("path");
        }

        public double test() {
            return part().num("test");
        }

        public double validation() {
            return part().num("validation");
        }

        public boolean stratify() {
            return part().bool("stratify");
        }

        public String transform() {
            return part().str("transform");
        }

        /** The factor of transform: scale, or null (1/max|x| of the training data). */
        public Double scale() {
            return args.get("scale") == null ? null : part().num("scale");
        }

        /** The CSV label column, by name or index ("-1": the last). */
        public String label() {
            return args.containsKey("label") ? part().str("label") : "-1";
        }

        /** Whether the first row names the columns; null for auto (decided from the file). */
        public Boolean header() {
            Object h = args.get("header");
            return h == null ? Boolean.TRUE : h instanceof Boolean b ? b : null;
        }

        /** Lines to skip at the start of a CSV file. */
        public int skipRows() {
            return args.containsKey("skip_rows") ? part().integer("skip_rows") : 0;
        }

        /** The comment marker of a CSV file, or null. */
        public Character comment() {
            return args.get("comment") == null ? null : part().str("comment").charAt(0);
        }

        public char delimiter() {
            return args.containsKey("delimiter") ? part().str("delimiter").charAt(0) : ',';
        }

        public List<String> features() {
            return part().strings("features");
        }

        public List<String> drop() {
            return part().strings("drop");
        }

        public List<String> strings(String key) {
            return part().strings(key);
        }
    }

    /** True when the model has a recurrent layer. */
    public boolean recurrent() {
        return model.stream().anyMatch(l -> l.kind().equals("lstm") || l.kind().equals("gru") || l.kind().equals("rnn"));
    }

    /** One layer: its kind and its settings (e.g. linear {out: 256, bias: true}), and where the spec gives it. */
    public record Layer(String kind, Map<String, Object> args, String where) {}

    public record EarlyStop(String monitor, int patience, String mode, double minDelta, boolean restoreBest) {}

    public record Training(int epochs, int batchSize, int evalBatchSize, double clipNorm, double clipValue, EarlyStop earlyStopping,
                           Double timeBudgetS, int logEvery) {}

    private final String name;
    private final long seed;
    private final Data data;
    private final String modelInit;
    private final List<Layer> model;
    private final Part loss;
    private final Part optimizer;
    private final Part schedule;
    private final Training training;
    private final SpecSource source;

    private Experiment(SpecSource src, String defaultName) {
        this.source = src;
        SpecNode root = new SpecNode(src, src.root, "");
        root.allowKeys(TOP_KEYS);
        name = root.get("name").str(defaultName);
        if (!name.matches("[A-Za-z0-9._-]+")) throw root.get("name").error("use letters, digits, '.', '_' or '-' (it names a directory), got '" + SpecNode.clip(name) + "'");
        Long s = root.get("seed").optLong();
        seed = s == null ? 42 : s;
        data = readData(root.get("data"));
        modelInit = root.get("model_init").choice("default", LayerRegistry.INITS);
        model = readModel(root.get("model"), modelInit);
        loss = readPart(root.get("loss"), LossRegistry.LOSSES, "cross_entropy", 0);
        optimizer = readPart(root.get("optimizer"), OptimizerRegistry.OPTIMIZERS, "adam", 0);
        training = readTraining(root.get("training"), recurrent());
        schedule = readPart(root.get("schedule"), ScheduleRegistry.SCHEDULES, "none", training.epochs());
    }

    public static Experiment load(Path file, List<String> sets) {
        String fn = file.getFileName().toString();
        String def = fn.replaceFirst("\\.(ya?ml|json)$", "");
        if (!def.matches("[A-Za-z0-9._-]+")) def = "run";
        return new Experiment(SpecSource.load(file, sets), def);
    }

    /** The experiment a spec source describes (a sweep's trial: its base with the trial's values applied). */
    public static Experiment of(SpecSource src, String defaultName) {
        return new Experiment(src, defaultName);
    }

    public static Experiment parse(String file, String text, List<String> sets) {
        SpecSource src = SpecSource.parse(file, text);
        for (String s : sets) src.applySet(s);
        return new Experiment(src, "run");
    }

    /**
     * This experiment with one key overridden, as {@code --set key=value} does: {@code
     * with("optimizer.lr", "3e-4")}, {@code with("model[0].linear", "128")}. The value is read as
     * YAML; the result is validated like a spec file. This experiment is left as it is.
     */
    public Experiment with(String key, String value) {
        SpecSource s = source.copy();
        s.applySet(key + "=" + value);
        return new Experiment(s, name);
    }

    /** Reads and validates a spec file (YAML or JSON). */
    public static Experiment load(Path file) {
        return load(file, List.of());
    }

    public String name() { return name; }
    public long seed() { return seed; }
    public Data data() { return data; }
    public List<Layer> model() { return model; }
    /** The model-wide weight initialisation of linear layers that name none. */
    public String modelInit() { return modelInit; }
    public Part loss() { return loss; }
    public Part optimizer() { return optimizer; }
    public Part schedule() { return schedule; }
    public Training training() { return training; }
    public SpecSource source() { return source; }

    /** An error about the spec at a path (e.g. "model"), with its location. */
    public UserError error(String path, String message) {
        return new SpecNode(source, null, path).error(message);
    }

    // ------------------------------------------------------------------ sections

    private static Data readData(SpecNode d) {
        var kind = DatasetRegistry.DATASETS;
        if (!d.present()) throw d.error("required: a data section, e.g. data: {dataset: digits}");
        if (d.node.isTextual()) {
            Component<DatasetRegistry.Factory> c = kind.find(d.node.asText(), d);
            if (c.settings().stream().anyMatch(Setting::required)) {
                throw d.error("dataset " + c.name() + " needs a path: data: {dataset: " + c.name() + ", path: …}");
            }
            return new Data(c.name(), c.read(new SpecNode(d.src, null, d.path), 0));
        }
        if (!d.node.isObject()) throw d.error("expected a dataset name or a mapping, e.g. data: {dataset: digits}");
        SpecNode ds = d.get("dataset");
        if (!ds.present()) throw ds.error("required: one of " + String.join(", ", kind.names()));
        Component<DatasetRegistry.Factory> c = kind.find(ds.str(null), ds);
        return new Data(c.name(), c.read(d, 0, "dataset"));
    }

    private static List<Layer> readModel(SpecNode m, String modelInit) {
        if (!m.present()) throw m.error("required: a list of layers, e.g. [{linear: 128}, relu, {linear: 10}]");
        List<Layer> out = new ArrayList<>();
        for (SpecNode item : m.list()) {
            String kind;
            SpecNode arg;
            if (item.node.isTextual()) {
                kind = item.node.asText();
                arg = new SpecNode(item.src, null, item.path);
            } else if (item.node.isObject() && item.node.size() == 1) {
                kind = item.node.fieldNames().next();
                arg = item.get(kind);
            } else {
                throw item.error("a layer is a name (relu) or one key with its setting ({linear: 128}), got " + item.node);
            }
            Component<LayerRegistry.Factory> c = LayerRegistry.LAYERS.find(kind, item);
            out.add(new Layer(c.name(), c.readIn(arg, 0, modelInit), item.path));
        }
        if (out.isEmpty()) throw m.error("the model has no layers");
        return out;
    }

    /** A component given by name ({@code optimizer: sgd}), as a mapping with a name and settings, or left out (the default). */
    private static <F> Part readPart(SpecNode s, Component.Kind<F> kind, String defaultName, int epochs) {
        SpecNode none = new SpecNode(s.src, null, s.path);
        if (!s.present()) return new Part(defaultName, kind.get(defaultName).read(none, epochs));
        if (s.node.isTextual()) {
            Component<F> c = kind.find(s.node.asText(), s);
            return new Part(c.name(), c.read(none, epochs));
        }
        if (!s.node.isObject()) throw s.error("expected a " + kind.kind() + " name (" + String.join(", ", kind.names()) + ") or a mapping with a name");
        SpecNode n = s.get("name");
        Component<F> c = n.present() ? kind.find(n.str(null), n) : kind.get(defaultName);
        return new Part(c.name(), c.read(s, epochs, "name"));
    }

    private static Training readTraining(SpecNode t, boolean recurrent) {
        t.allowKeys(TRAINING_KEYS);
        EarlyStop es = null;
        SpecNode e = t.get("early_stopping");
        if (e.present() && !(e.node.isBoolean() && !e.node.asBoolean())) {
            if (e.node.isBoolean()) e = new SpecNode(e.src, null, e.path);
            else e.allowKeys(EARLY_STOPPING_KEYS);
            es = new EarlyStop(e.get("monitor").str("val_loss"), e.get("patience").integer(5, 0), e.get("mode").choice("auto", "auto", "min", "max"),
                    e.get("min_delta").nonNegative(0), e.get("restore_best").bool(true));
        }
        Double budget = t.get("time_budget_s").present() ? t.get("time_budget_s").positive(1) : null;
        return new Training(t.get("epochs").integer(10, 1), t.get("batch_size").integer(64, 1), t.get("eval_batch_size").integer(1000, 1),
                t.get("clip_norm").nonNegative(recurrent ? 1.0 : 0), t.get("clip_value").nonNegative(0), es, budget, t.get("log_every").integer(0, 0));
    }

    // ------------------------------------------------------------------ the resolved spec

    /** The spec with every default filled in, in the spec's own shape and key names. */
    public Map<String, Object> resolved() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("seed", seed);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("dataset", data.dataset());
        d.putAll(DatasetRegistry.DATASETS.get(data.dataset()).resolved(data.args()));
        m.put("data", d);
        m.put("model_init", modelInit);
        List<Object> layers = new ArrayList<>();
        for (Layer l : model) {
            layers.add(LayerRegistry.entry(LayerRegistry.LAYERS.get(l.kind()), l.args()));
        }
        m.put("model", layers);
        m.put("loss", resolved(loss, LossRegistry.LOSSES));
        m.put("optimizer", resolved(optimizer, OptimizerRegistry.OPTIMIZERS));
        m.put("schedule", resolved(schedule, ScheduleRegistry.SCHEDULES));
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("epochs", training.epochs());
        t.put("batch_size", training.batchSize());
        t.put("eval_batch_size", training.evalBatchSize());
        t.put("clip_norm", training.clipNorm());
        t.put("clip_value", training.clipValue());
        if (training.earlyStopping() != null) {
            EarlyStop es = training.earlyStopping();
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("monitor", es.monitor());
            e.put("patience", es.patience());
            e.put("mode", es.mode());
            e.put("min_delta", es.minDelta());
            e.put("restore_best", es.restoreBest());
            t.put("early_stopping", e);
        } else {
            t.put("early_stopping", false);
        }
        if (training.timeBudgetS() != null) t.put("time_budget_s", training.timeBudgetS());
        t.put("log_every", training.logEvery());
        m.put("training", t);
        return m;
    }

    private static Map<String, Object> resolved(Part p, Component.Kind<?> kind) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", p.name());
        m.putAll(kind.get(p.name()).resolved(p.args()));
        return m;
    }

    /** The resolved spec as YAML text. */
    public String resolvedYaml() {
        try {
            return SpecSource.YAML.writeValueAsString(resolved()).replaceFirst("^---\\s*\\n", "");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
