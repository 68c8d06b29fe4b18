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
    public static final String[] TOP_KEYS = {"name", "seed", "data", "model", "loss", "optimizer", "schedule", "training"};
    public static final String[] DATASETS = {"digits", "fashion-mnist", "mnist", "csv", "idx", "text", "series", "sine"};
    public static final String[] TRANSFORMS = {"none", "scale", "minmax", "standardize"};
    public static final String[] OPTIMIZERS = {"sgd", "adam", "adamw", "rmsprop", "adagrad"};
    public static final String[] SCHEDULES = {"none", "step", "multistep", "exponential", "cosine", "cosine_restarts", "warmup", "onecycle", "plateau"};
    public static final String[] LOSSES = {"cross_entropy"};

    public record Data(String dataset, String path, double test, double validation, boolean stratify, String transform,
                       Double scale, String label, boolean header, char delimiter, List<String> features, List<String> drop,
                       Sequence sequence) {}

    /** Settings of sequence data: text (seq_len, stride), series and sine (window, horizon, stride, targets, length, noise). */
    public record Sequence(int seqLen, int stride, int window, int horizon, List<String> targets, int length, double noise) {
        static final Sequence NONE = new Sequence(0, 0, 0, 0, List.of(), 0, 0);
    }

    /** True for text, series and sine data (ordered: split by position, not at random). */
    public boolean sequential() {
        return data.dataset().equals("text") || data.dataset().equals("series") || data.dataset().equals("sine");
    }

    /** True when the model has a recurrent layer. */
    public boolean recurrent() {
        return model.stream().anyMatch(l -> l.kind().equals("lstm") || l.kind().equals("gru") || l.kind().equals("rnn"));
    }

    /** One layer: its kind and its settings (e.g. linear {out: 256, bias: true}). */
    public record Layer(String kind, Map<String, Object> args, String where) {}

    public record Loss(String name, double labelSmoothing, String classWeights) {}

    public record Optimizer(String name, double lr, double weightDecay, double momentum, double dampening, boolean nesterov,
                            double beta1, double beta2, double eps, boolean amsgrad, double alpha, boolean centered, boolean noDecayOnBias) {}

    public record Schedule(String name, String every, int stepSize, double gamma, List<Integer> milestones, int tMax, double etaMin,
                           int t0, int tMult, int warmupEpochs, double startFactor, double maxLr, double pctStart,
                           String monitor, double factor, int patience) {}

    public record EarlyStop(String monitor, int patience, String mode, double minDelta, boolean restoreBest) {}

    public record Training(int epochs, int batchSize, int evalBatchSize, double clipNorm, double clipValue, EarlyStop earlyStopping,
                           Double timeBudgetS, int logEvery) {}

    private final String name;
    private final long seed;
    private final Data data;
    private final List<Layer> model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final Schedule schedule;
    private final Training training;
    private final SpecSource source;

    private Experiment(SpecSource src, String defaultName) {
        this.source = src;
        SpecNode root = new SpecNode(src, src.root, "");
        root.allowKeys(TOP_KEYS);
        name = root.get("name").str(defaultName);
        if (!name.matches("[A-Za-z0-9._-]+")) throw root.get("name").error("use letters, digits, '.', '_' or '-' (it names a directory), got '" + name + "'");
        Long s = root.get("seed").optLong();
        seed = s == null ? 42 : s;
        data = readData(root.get("data"));
        model = readModel(root.get("model"));
        loss = readLoss(root.get("loss"));
        optimizer = readOptimizer(root.get("optimizer"));
        training = readTraining(root.get("training"), model.stream().anyMatch(l -> l.kind().equals("lstm") || l.kind().equals("gru") || l.kind().equals("rnn")));
        schedule = readSchedule(root.get("schedule"), training.epochs());
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
    public Loss loss() { return loss; }
    public Optimizer optimizer() { return optimizer; }
    public Schedule schedule() { return schedule; }
    public Training training() { return training; }
    public SpecSource source() { return source; }

    /** An error about the spec at a path (e.g. "model"), with its location. */
    public UserError error(String path, String message) {
        return new SpecNode(source, null, path).error(message);
    }

    // ------------------------------------------------------------------ sections

    private static Data readData(SpecNode d) {
        if (!d.present()) throw d.error("required: a data section, e.g. data: {dataset: digits}");
        if (d.node.isTextual()) {
            String ds = d.choice(null, DATASETS);
            if (ds.equals("csv") || ds.equals("idx") || ds.equals("text") || ds.equals("series")) throw d.error("dataset " + ds + " needs a path: data: {dataset: " + ds + ", path: …}");
            return defaultsFor(ds, null, 0.2, 0.1, true, null, null, "-1", true, ',', List.of(), List.of(), sequence(d, ds));
        }
        d.allowKeys("dataset", "path", "test", "validation", "stratify", "transform", "scale", "label", "header", "delimiter", "features", "drop",
                "seq_len", "stride", "window", "horizon", "targets", "length", "noise");
        String ds = d.get("dataset").choice(null, DATASETS);
        if (ds == null) throw d.get("dataset").error("required: one of " + String.join(", ", DATASETS));
        String path = d.get("path").str(null);
        if ((ds.equals("csv") || ds.equals("idx") || ds.equals("text") || ds.equals("series")) && path == null) {
            throw d.get("path").error("required for dataset " + ds + ": the file or directory to read");
        }
        double test = d.get("test").fraction(0.2, 0, 1, false);
        double val = d.get("validation").fraction(0.1, 0, 1, false);
        boolean strat = d.get("stratify").bool(true);
        String tf = d.get("transform").choice(null, TRANSFORMS);
        Double scale = d.get("scale").present() ? d.get("scale").positive(1) : null;
        String label = d.get("label").present() ? d.get("label").node.asText() : "-1";
        boolean header = d.get("header").bool(true);
        String delim = d.get("delimiter").str(",");
        if (delim.equals("\\t") || delim.equalsIgnoreCase("tab")) delim = "\t";
        if (delim.length() != 1) throw d.get("delimiter").error("expected a single character, got '" + delim + "'");
        return defaultsFor(ds, path, test, val, strat, tf, scale, label, header, delim.charAt(0), d.get("features").strList(), d.get("drop").strList(),
                sequence(d, ds));
    }

    private static Sequence sequence(SpecNode d, String ds) {
        for (String k : new String[] {"seq_len", "stride", "window", "horizon", "targets", "length", "noise"}) {
            boolean textKey = k.equals("seq_len") || k.equals("stride");
            boolean seriesKey = !k.equals("seq_len");
            boolean ok = ds.equals("text") ? textKey : (ds.equals("series") || ds.equals("sine")) && seriesKey
                    && (ds.equals("sine") || !(k.equals("length") || k.equals("noise")));
            if (d.get(k).present() && !ok) throw d.get(k).error("is not a setting of dataset " + ds);
        }
        return switch (ds) {
            case "text" -> new Sequence(d.get("seq_len").integer(100, 1), d.get("stride").integer(d.get("seq_len").integer(100, 1), 1), 0, 0, List.of(), 0, 0);
            case "series", "sine" -> new Sequence(0, d.get("stride").integer(1, 1), d.get("window").integer(50, 1), d.get("horizon").integer(1, 1),
                    d.get("targets").strList(), d.get("length").integer(2000, 10), d.get("noise").nonNegative(0.05));
            default -> Sequence.NONE;
        };
    }

    private static Data defaultsFor(String ds, String path, double test, double val, boolean strat, String tf, Double scale, String label,
                                    boolean header, char delim, List<String> features, List<String> drop, Sequence seq) {
        boolean images = ds.equals("fashion-mnist") || ds.equals("mnist") || ds.equals("idx");
        if (tf == null) tf = images ? "scale" : ds.equals("text") || ds.equals("sine") ? "none" : "standardize";
        if (ds.equals("text") && !tf.equals("none")) throw new UserError("data.transform: text is read as character indices; use transform: none");
        if (tf.equals("scale") && scale == null) scale = images ? 1 / 255.0 : ds.equals("digits") ? 1 / 16.0 : null;
        return new Data(ds, path, test, val, strat, tf, scale, label, header, delim, features, drop, seq);
    }

    private static final String[] LAYERS = {"linear", "relu", "leaky_relu", "sigmoid", "tanh", "gelu", "softmax", "log_softmax",
        "dropout", "flatten", "identity", "lstm", "gru", "rnn", "embedding", "last_step"};

    private static List<Layer> readModel(SpecNode m) {
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
            String k = kind.toLowerCase().replace('-', '_');
            boolean known = false;
            for (String l : LAYERS) known |= l.equals(k);
            if (!known) {
                String hint = SpecNode.didYouMean(kind, LAYERS);
                throw item.error("unknown layer '" + kind + "'" + (hint == null ? "" : "; did you mean '" + hint + "'?")
                        + " (layers: " + String.join(", ", LAYERS) + ")");
            }
            Map<String, Object> args = new LinkedHashMap<>();
            switch (k) {
                case "linear" -> {
                    if (arg.node.isNumber() || arg.node.isTextual()) {
                        args.put("out", outFeatures(arg));
                        args.put("bias", true);
                    } else {
                        arg.allowKeys("out", "bias");
                        if (!arg.get("out").present()) throw arg.error("required: out (the number of output features, or auto)");
                        args.put("out", outFeatures(arg.get("out")));
                        args.put("bias", arg.get("bias").bool(true));
                    }
                }
                case "dropout" -> args.put("p", arg.present() ? arg.fraction(0.5, 0, 1, false) : 0.5);
                case "leaky_relu" -> args.put("slope", arg.present() ? arg.num(0.01) : 0.01);
                case "softmax", "log_softmax" -> args.put("dim", -1);
                case "lstm", "gru", "rnn" -> {
                    if (arg.node.isNumber()) {
                        args.put("hidden", arg.integer(0, 1));
                        args.put("layers", 1);
                        args.put("bidirectional", false);
                        args.put("dropout", 0.0);
                    } else {
                        arg.allowKeys("hidden", "layers", "bidirectional", "dropout", "nonlinearity", "bias");
                        if (!arg.get("hidden").present()) throw arg.error("required: hidden (the hidden size)");
                        args.put("hidden", arg.get("hidden").integer(0, 1));
                        args.put("layers", arg.get("layers").integer(1, 1));
                        args.put("bidirectional", arg.get("bidirectional").bool(false));
                        args.put("dropout", arg.get("dropout").fraction(0, 0, 1, false));
                        args.put("bias", arg.get("bias").bool(true));
                        if (k.equals("rnn")) args.put("nonlinearity", arg.get("nonlinearity").choice("tanh", "tanh", "relu"));
                    }
                }
                case "embedding" -> {
                    if (arg.node.isNumber()) {
                        args.put("dim", arg.integer(0, 1));
                    } else {
                        arg.allowKeys("dim");
                        if (!arg.get("dim").present()) throw arg.error("required: dim (the vector size); the vocabulary size comes from the data");
                        args.put("dim", arg.get("dim").integer(0, 1));
                    }
                }
                default -> {
                    if (arg.present()) throw arg.error("layer '" + k + "' takes no settings");
                }
            }
            out.add(new Layer(k, args, item.path));
        }
        if (out.isEmpty()) throw m.error("the model has no layers");
        return out;
    }

    /** A positive size, or "auto" (stored as -1): as many outputs as the data needs (classes, vocabulary, targets). */
    private static int outFeatures(SpecNode n) {
        if (n.node.isTextual() && n.node.asText().equals("auto")) return -1;
        if (n.node.isTextual() && !n.node.asText().matches("\\d+")) throw n.error("expected a whole number >= 1 or auto, got '" + n.node.asText() + "'");
        return n.integer(0, 1);
    }

    private static Loss readLoss(SpecNode l) {
        if (!l.present()) return new Loss("cross_entropy", 0, "none");
        if (l.node.isTextual()) return new Loss(l.choice(null, LOSSES), 0, "none");
        l.allowKeys("name", "label_smoothing", "class_weights");
        return new Loss(l.get("name").choice("cross_entropy", LOSSES), l.get("label_smoothing").fraction(0, 0, 1, true),
                l.get("class_weights").choice("none", "none", "balanced"));
    }

    private static Optimizer readOptimizer(SpecNode o) {
        if (!o.present()) return optimizer("adam", new SpecNode(o.src, null, o.path));
        if (o.node.isTextual()) return optimizer(o.choice(null, OPTIMIZERS), new SpecNode(o.src, null, o.path));
        o.allowKeys("name", "lr", "weight_decay", "momentum", "dampening", "nesterov", "betas", "eps", "amsgrad", "alpha", "centered", "no_decay_on_bias");
        return optimizer(o.get("name").choice("adam", OPTIMIZERS), o);
    }

    private static Optimizer optimizer(String name, SpecNode o) {
        double defLr = switch (name) {
            case "sgd" -> 0.01;
            case "rmsprop" -> 0.01;
            case "adagrad" -> 0.01;
            default -> 1e-3;
        };
        double lr = o.get("lr").positive(defLr);
        double wd = o.get("weight_decay").nonNegative(name.equals("adamw") ? 1e-2 : 0);
        double mom = o.get("momentum").nonNegative(0);
        double damp = o.get("dampening").nonNegative(0);
        boolean nest = o.get("nesterov").bool(false);
        if (nest && (mom <= 0 || damp != 0)) throw o.get("nesterov").error("Nesterov momentum requires a momentum > 0 and zero dampening");
        double b1 = 0.9, b2 = 0.999;
        SpecNode betas = o.get("betas");
        if (betas.present()) {
            List<SpecNode> bl = betas.list();
            if (bl.size() != 2) throw betas.error("expected two numbers [beta1, beta2], got " + betas.node);
            b1 = bl.get(0).fraction(0.9, 0, 1, false);
            b2 = bl.get(1).fraction(0.999, 0, 1, false);
        }
        double eps = o.get("eps").nonNegative(name.equals("rmsprop") ? 1e-8 : name.equals("adagrad") ? 1e-10 : 1e-8);
        return new Optimizer(name, lr, wd, mom, damp, nest, b1, b2, eps, o.get("amsgrad").bool(false),
                o.get("alpha").fraction(0.99, 0, 1, true), o.get("centered").bool(false), o.get("no_decay_on_bias").bool(false));
    }

    private static Schedule readSchedule(SpecNode s, int epochs) {
        String name;
        SpecNode a;
        if (!s.present()) {
            name = "none";
            a = new SpecNode(s.src, null, s.path);
        } else if (s.node.isTextual()) {
            name = s.choice(null, SCHEDULES);
            a = new SpecNode(s.src, null, s.path);
        } else {
            s.allowKeys("name", "every", "step_size", "gamma", "milestones", "t_max", "eta_min", "t_0", "t_mult", "warmup_epochs",
                    "start_factor", "max_lr", "pct_start", "monitor", "factor", "patience");
            name = s.get("name").choice("none", SCHEDULES);
            a = s;
        }
        List<Integer> ms = new ArrayList<>();
        for (SpecNode m : a.get("milestones").list()) ms.add(m.integer(0, 1));
        if (name.equals("multistep") && ms.isEmpty()) throw a.get("milestones").error("required for multistep: a list of epochs, e.g. [10, 20]");
        return new Schedule(name, a.get("every").choice("epoch", "epoch", "batch"), a.get("step_size").integer(Math.max(1, epochs / 3), 1),
                a.get("gamma").positive(name.equals("exponential") ? 0.95 : 0.1), ms, a.get("t_max").integer(epochs, 1),
                a.get("eta_min").nonNegative(0), a.get("t_0").integer(Math.max(1, epochs / 3), 1), a.get("t_mult").integer(1, 1),
                a.get("warmup_epochs").integer(Math.max(1, epochs / 10), 1), a.get("start_factor").fraction(0.1, 0, 1, true),
                a.get("max_lr").positive(0.01), a.get("pct_start").fraction(0.3, 0, 1, false),
                a.get("monitor").str("val_loss"), a.get("factor").fraction(0.1, 0, 1, false), a.get("patience").integer(5, 0));
    }

    private static Training readTraining(SpecNode t, boolean recurrent) {
        t.allowKeys("epochs", "batch_size", "eval_batch_size", "clip_norm", "clip_value", "early_stopping", "time_budget_s", "log_every");
        EarlyStop es = null;
        SpecNode e = t.get("early_stopping");
        if (e.present() && !(e.node.isBoolean() && !e.node.asBoolean())) {
            if (e.node.isBoolean()) e = new SpecNode(e.src, null, e.path);
            else e.allowKeys("monitor", "patience", "mode", "min_delta", "restore_best");
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
        if (data.path() != null) d.put("path", data.path());
        d.put("test", data.test());
        d.put("validation", data.validation());
        d.put("stratify", data.stratify());
        d.put("transform", data.transform());
        if (data.scale() != null) d.put("scale", data.scale());
        Sequence q = data.sequence();
        if (data.dataset().equals("text")) {
            d.put("seq_len", q.seqLen());
            d.put("stride", q.stride());
        } else if (data.dataset().equals("series") || data.dataset().equals("sine")) {
            d.put("window", q.window());
            d.put("horizon", q.horizon());
            d.put("stride", q.stride());
            if (!q.targets().isEmpty()) d.put("targets", q.targets());
            if (data.dataset().equals("sine")) {
                d.put("length", q.length());
                d.put("noise", q.noise());
            }
        }
        if (data.dataset().equals("csv") || data.dataset().equals("series")) {
            d.put("label", data.label());
            d.put("header", data.header());
            d.put("delimiter", String.valueOf(data.delimiter()));
            if (!data.features().isEmpty()) d.put("features", data.features());
            if (!data.drop().isEmpty()) d.put("drop", data.drop());
        }
        m.put("data", d);
        List<Object> layers = new ArrayList<>();
        for (Layer l : model) {
            if (l.args().isEmpty()) {
                layers.add(l.kind());
                continue;
            }
            Map<String, Object> args = new LinkedHashMap<>(l.args());
            if (Integer.valueOf(-1).equals(args.get("out"))) args.put("out", "auto");
            if (l.kind().equals("linear")) {
                layers.add(Map.of("linear", args));
                continue;
            }
            else layers.add(Map.of(l.kind(), l.args().size() == 1 && !l.kind().equals("linear") ? l.args().values().iterator().next() : l.args()));
        }
        m.put("model", layers);
        Map<String, Object> lo = new LinkedHashMap<>();
        lo.put("name", loss.name());
        lo.put("label_smoothing", loss.labelSmoothing());
        lo.put("class_weights", loss.classWeights());
        m.put("loss", lo);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("name", optimizer.name());
        o.put("lr", optimizer.lr());
        o.put("weight_decay", optimizer.weightDecay());
        switch (optimizer.name()) {
            case "sgd" -> {
                o.put("momentum", optimizer.momentum());
                o.put("dampening", optimizer.dampening());
                o.put("nesterov", optimizer.nesterov());
            }
            case "adam", "adamw" -> {
                o.put("betas", List.of(optimizer.beta1(), optimizer.beta2()));
                o.put("eps", optimizer.eps());
                o.put("amsgrad", optimizer.amsgrad());
            }
            case "rmsprop" -> {
                o.put("alpha", optimizer.alpha());
                o.put("eps", optimizer.eps());
                o.put("momentum", optimizer.momentum());
                o.put("centered", optimizer.centered());
            }
            default -> o.put("eps", optimizer.eps());
        }
        o.put("no_decay_on_bias", optimizer.noDecayOnBias());
        m.put("optimizer", o);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("name", schedule.name());
        switch (schedule.name()) {
            case "step" -> { s.put("step_size", schedule.stepSize()); s.put("gamma", schedule.gamma()); s.put("every", schedule.every()); }
            case "multistep" -> { s.put("milestones", schedule.milestones()); s.put("gamma", schedule.gamma()); s.put("every", schedule.every()); }
            case "exponential" -> { s.put("gamma", schedule.gamma()); s.put("every", schedule.every()); }
            case "cosine" -> { s.put("t_max", schedule.tMax()); s.put("eta_min", schedule.etaMin()); s.put("every", schedule.every()); }
            case "cosine_restarts" -> { s.put("t_0", schedule.t0()); s.put("t_mult", schedule.tMult()); s.put("eta_min", schedule.etaMin()); s.put("every", schedule.every()); }
            case "warmup" -> { s.put("warmup_epochs", schedule.warmupEpochs()); s.put("start_factor", schedule.startFactor()); s.put("every", schedule.every()); }
            case "onecycle" -> { s.put("max_lr", schedule.maxLr()); s.put("pct_start", schedule.pctStart()); }
            case "plateau" -> { s.put("monitor", schedule.monitor()); s.put("factor", schedule.factor()); s.put("patience", schedule.patience()); }
            default -> { }
        }
        m.put("schedule", s);
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

    /** The resolved spec as YAML text. */
    public String resolvedYaml() {
        try {
            return SpecSource.YAML.writeValueAsString(resolved()).replaceFirst("^---\\s*\\n", "");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
