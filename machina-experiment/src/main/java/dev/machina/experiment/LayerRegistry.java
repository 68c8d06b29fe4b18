package dev.machina.experiment;

import static dev.machina.experiment.Setting.bool;
import static dev.machina.experiment.Setting.fraction;
import static dev.machina.experiment.Setting.integer;
import static dev.machina.experiment.Setting.number;
import static dev.machina.experiment.Setting.sizeOrAuto;

import dev.machina.nn.Dropout;
import dev.machina.nn.Embedding;
import dev.machina.nn.Flatten;
import dev.machina.nn.GELU;
import dev.machina.nn.GRU;
import dev.machina.nn.Identity;
import dev.machina.nn.LSTM;
import dev.machina.nn.LastStep;
import dev.machina.nn.LazyLinear;
import dev.machina.nn.LeakyReLU;
import dev.machina.nn.Linear;
import dev.machina.nn.LogSoftmax;
import dev.machina.nn.Module;
import dev.machina.nn.RNN;
import dev.machina.nn.RNNBase;
import dev.machina.nn.ReLU;
import dev.machina.nn.RnnConfig;
import dev.machina.nn.Sequential;
import dev.machina.nn.Sigmoid;
import dev.machina.nn.Softmax;
import dev.machina.nn.Tanh;
import dev.machina.nn.init.Init;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/** The layers a spec's {@code model} list can hold: one entry each. */
final class LayerRegistry {
    private LayerRegistry() {}

    /**
     * The model as it is built, layer by layer: the shape of one example's output so far, and
     * what the layers after it need to know.
     */
    static final class Shape {
        final Sequential seq = new Sequential();
        final Rng rng;
        final int vocabulary;
        final int[] wanted;
        int[] dims;
        /** True once a recurrent or embedding layer ran: a linear layer then applies per step. */
        boolean sequence;
        int lastDirections;
        Experiment experiment;
        String where;

        /** One example (zeros) as it comes out of the layers so far. */
        private Tensor probe;

        Shape(int[] featureShape, int vocabulary, int[] wanted, Rng rng) {
            this.dims = featureShape.clone();
            int[] one = new int[featureShape.length + 1];
            one[0] = 1;
            System.arraycopy(featureShape, 0, one, 1, featureShape.length);
            this.probe = Tensor.zeros(one);
            this.vocabulary = vocabulary;
            this.wanted = wanted;
            this.rng = rng;
        }

        UserError error(String message) {
            return experiment.error(where, message);
        }

        void flatten() {
            add(new Flatten());
        }

        /**
         * Adds a layer and runs one example through it (in evaluation mode, without gradients), so
         * that its output shape is known and a lazy layer takes its input size — and its weights —
         * at this point, in layer order.
         */
        void add(Module m) {
            seq.add(m);
            m.train(false);
            try (var g = Tensor.noGrad()) {
                probe = m.forward(probe);
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw error(e.getMessage() + " (for examples of shape " + Arrays.toString(dims) + ")");
            }
            m.train(true);
            dims = java.util.Arrays.copyOfRange(probe.shape(), 1, probe.rank());
        }
    }

    /** Adds a layer with these settings to the model, updating the shape. */
    interface Factory {
        void add(Map<String, Object> a, Shape s);
    }

    private static final RnnConfig RNN_DEFAULTS = RnnConfig.of(1, 1);

    /** The weight initialisations a linear layer can take; default is PyTorch's nn.Linear (kaiming_uniform with a = √5). */
    static final String[] INITS = {"default", "kaiming_uniform", "kaiming_normal", "xavier_uniform", "xavier_normal", "orthogonal", "normal", "zeros"};

    /**
     * Re-initialises a weight [out, in] as {@code torch.nn.init} does with its defaults: kaiming
     * for ReLU (fan in, gain √2), xavier with gain 1, orthogonal with gain 1, normal N(0, 0.01²).
     */
    static void initialise(Tensor w, String init, Rng rng) {
        switch (init) {
            case "default" -> { }
            case "kaiming_uniform" -> Init.kaimingUniform(w, 0, Init.Mode.FAN_IN, "relu", rng);
            case "kaiming_normal" -> Init.kaimingNormal(w, 0, Init.Mode.FAN_IN, "relu", rng);
            case "xavier_uniform" -> Init.xavierUniform(w, 1, rng);
            case "xavier_normal" -> Init.xavierNormal(w, 1, rng);
            case "orthogonal" -> Init.orthogonal(w, 1, rng);
            case "normal" -> Init.normal(w, 0, 0.01, rng);
            default -> Init.zeros(w);
        }
    }

    /** How each built layer type reads back as its entry; filled as the entries below are made. */
    private static final Map<Class<?>, Function<Module, Described>> DESCRIBERS = new HashMap<>();

    static final Component.Kind<Factory> LAYERS = Component.Kind.<Factory>of("layer", "Layers",
            described(LazyLinear.class, l -> l.materialized() ? Map.of("out", l.outFeatures(), "bias", l.bias() != null) : null,
                    described(Linear.class, l -> Map.of("out", l.outFeatures(), "bias", l.bias() != null), Component.of("linear",
                    "fully connected (its input size is the data's: a LazyLinear); a flatten is added before it for image inputs", "out", List.of(
                    Setting.required("out", sizeOrAuto(), "the number of output features, or auto: as many as the data needs (classes, vocabulary, targets)"),
                    Setting.of("bias", bool(), true, "learn an additive bias"),
                    Setting.derived("init", Setting.choice(INITS), d -> d.modelInit(), "model_init",
                            "the weights' initialisation: " + String.join(", ", INITS) + " (see model_init)"),
                    Setting.of("bias_init", Setting.choice("default", "zeros"), "default", "default: U(±1/√in), as PyTorch; or zeros")), (a, s) -> {
                        if (s.dims.length > 1 && !s.sequence) s.flatten();
                        int out = (Integer) a.get("out");
                        if (out == -1) {
                            if (s.wanted == null) throw s.error("linear: auto needs labelled data (classes, vocabulary or targets) to size it");
                            out = s.wanted[s.wanted.length - 1];
                        }
                        LazyLinear l = new LazyLinear(out, (Boolean) a.get("bias"), s.rng);
                        s.add(l); // materialises with PyTorch's initialisation, then:
                        initialise(l.weight(), (String) a.get("init"), s.rng);
                        if (l.bias() != null && "zeros".equals(a.get("bias_init"))) Init.zeros(l.bias());
                    }))),
            simple("relu", "max(0, x)", ReLU.class, ReLU::new),
            described(LeakyReLU.class, l -> Map.of("slope", (double) l.negativeSlope()), Component.of("leaky_relu", "max(0, x) + slope·min(0, x)", "slope",
                    List.of(Setting.of("slope", number(), 0.01, "the slope for negative inputs")),
                    (a, s) -> s.add(new LeakyReLU(((Number) a.get("slope")).floatValue())))),
            simple("sigmoid", "1 / (1 + e^-x)", Sigmoid.class, Sigmoid::new),
            simple("tanh", "hyperbolic tangent", Tanh.class, Tanh::new),
            simple("gelu", "Gaussian error linear unit", GELU.class, GELU::new),
            described(Softmax.class, l -> Map.of("dim", l.dim()), Component.of("softmax",
                    "probabilities over the last dimension (do not put it before cross_entropy, which takes logits)", "dim",
                    List.of(Setting.of("dim", signedInteger(), -1, "the dimension to normalise")),
                    (a, s) -> s.add(new Softmax((Integer) a.get("dim"))))),
            described(LogSoftmax.class, l -> Map.of("dim", l.dim()), Component.of("log_softmax", "log-probabilities over the last dimension", "dim",
                    List.of(Setting.of("dim", signedInteger(), -1, "the dimension to normalise")),
                    (a, s) -> s.add(new LogSoftmax((Integer) a.get("dim"))))),
            described(Dropout.class, l -> Map.of("p", (double) l.p()), Component.of("dropout", "inverted dropout, off in evaluation", "p", List.of(
                    Setting.of("p", fraction(0, 1, false), 0.5, "the probability of zeroing an element")),
                    (a, s) -> s.add(new Dropout(((Number) a.get("p")).floatValue())))),
            described(Flatten.class, l -> l.startDim() == 1 && l.endDim() == -1 ? Map.of() : null, Component.<Factory>of("flatten", "one vector per example", null, List.of(), (a, s) -> s.flatten())),
            simple("identity", "passes its input through", Identity.class, Identity::new),
            recurrent("lstm", "long short-term memory (gates i, f, g, o as PyTorch)", false),
            recurrent("gru", "gated recurrent unit (gates r, z, n as PyTorch)", false),
            recurrent("rnn", "Elman recurrent layer", true),
            described(Embedding.class, l -> Map.of("dim", l.weight().shape(1)), Component.of("embedding",
                    "a learned vector per token (text data); the vocabulary size comes from the data", "dim", List.of(
                    Setting.required("dim", integer(1), "the vector size")), (a, s) -> {
                        if (s.vocabulary <= 0 || s.dims.length != 1) {
                            throw s.error("an embedding needs token sequences (data.dataset: text); this data has examples of shape " + Arrays.toString(s.dims));
                        }
                        int dim = (Integer) a.get("dim");
                        s.add(new Embedding(s.vocabulary, dim, null, s.rng));
                        s.sequence = true;
                    })),
            described(LastStep.class, l -> Map.of(), Component.<Factory>of("last_step",
                    "the last step of a recurrent layer's output (both directions' ends when bidirectional)", null, List.of(),
                    (a, s) -> {
                        if (s.dims.length != 2 || s.lastDirections == 0) throw s.error("last_step follows a recurrent layer (lstm, gru, rnn)");
                        s.add(new LastStep(s.lastDirections));
                        s.sequence = false;
                    })));

    private static <M extends Module> Component<Factory> simple(String name, String doc, Class<M> type, Supplier<M> make) {
        return described(type, m -> Map.of(), Component.of(name, doc, null, List.of(), (a, s) -> s.add(make.get())));
    }

    /** How a built layer of {@code type} reads back as this entry's settings (what a run recorded from plain Java code keeps). */
    private static <M extends Module> Component<Factory> described(Class<M> type, Function<M, Map<String, Object>> settingsOf, Component<Factory> c) {
        DESCRIBERS.put(type, m -> {
            Map<String, Object> settings = settingsOf.apply(type.cast(m));
            return settings == null ? null : new Described(c.name(), new LinkedHashMap<>(settings));
        });
        return c;
    }

    /** A built layer as a registry entry's name and settings. */
    record Described(String name, Map<String, Object> settings) {}

    /** The spec entry of a built layer (as the resolved spec writes it), or null when it has none. */
    static Object describe(Module m) {
        Function<Module, Described> d = DESCRIBERS.get(m.getClass());
        if (d == null) return null;
        Described x = d.apply(m);
        if (x == null) return null; // a setting the spec cannot express
        Component<Factory> c = LAYERS.get(x.name());
        Map<String, Object> args = new LinkedHashMap<>();
        for (Setting st : c.settings()) args.put(st.key(), x.settings().getOrDefault(st.key(), st.defaults().apply(new Setting.Defaults(0, "default", args))));
        return entry(c, args);
    }

    /** A layer as the resolved spec writes it: its name, {name: value} for one setting, {name: {settings}} for more. */
    static Object entry(Component<Factory> c, Map<String, Object> args) {
        Map<String, Object> r = c.resolved(args);
        if (c.settings().isEmpty()) return c.name();
        return Map.of(c.name(), c.settings().size() == 1 ? r.values().iterator().next() : r);
    }

    private static Component<Factory> recurrent(String name, String doc, boolean elman) {
        Class<? extends RNNBase> type = name.equals("lstm") ? LSTM.class : name.equals("gru") ? GRU.class : RNN.class;
        return described(type, r -> {
            RnnConfig c = r.config();
            if (!c.batchFirst()) return null; // a spec's recurrent layers are batch-first
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("hidden", c.hiddenSize());
            m.put("layers", c.numLayers());
            m.put("bidirectional", c.bidirectional());
            m.put("dropout", c.dropout());
            m.put("bias", c.bias());
            if (r instanceof RNN e) m.put("nonlinearity", e.nonlinearity() == RNN.Nonlinearity.RELU ? "relu" : "tanh");
            return m;
        }, recurrentEntry(name, doc, elman));
    }

    private static Component<Factory> recurrentEntry(String name, String doc, boolean elman) {
        List<Setting> settings = new ArrayList<>(List.of(
                Setting.required("hidden", integer(1), "the hidden size"),
                Setting.of("layers", integer(1), RNN_DEFAULTS.numLayers(), "stacked layers"),
                Setting.of("bidirectional", bool(), RNN_DEFAULTS.bidirectional(), "also run backwards; outputs are concatenated"),
                Setting.of("dropout", fraction(0, 1, false), RNN_DEFAULTS.dropout(), "dropout between stacked layers"),
                Setting.of("bias", bool(), RNN_DEFAULTS.bias(), "learn biases")));
        if (elman) settings.add(Setting.of("nonlinearity", Setting.choice("tanh", "relu"), "tanh", "tanh or relu"));
        return Component.of(name, doc, "hidden", settings, (a, s) -> {
            if (s.dims.length != 2) {
                throw s.error("a recurrent layer needs sequences [steps, features] per example; this data has "
                        + Arrays.toString(s.dims) + (s.dims.length == 1 ? " (for text, put an embedding first)" : ""));
            }
            RnnConfig c = RnnConfig.of(s.dims[1], (Integer) a.get("hidden")).layers((Integer) a.get("layers"))
                    .bidirectional((Boolean) a.get("bidirectional")).dropout(((Number) a.get("dropout")).doubleValue()).bias((Boolean) a.get("bias"));
            RNNBase r = switch (name) {
                case "lstm" -> new LSTM(c, s.rng);
                case "gru" -> new GRU(c, s.rng);
                default -> new RNN(c, "relu".equals(a.get("nonlinearity")) ? RNN.Nonlinearity.RELU : RNN.Nonlinearity.TANH, s.rng);
            };
            s.add(r);
            s.lastDirections = c.directions();
            s.sequence = true;
        });
    }

    private static Setting.Reader signedInteger() {
        return n -> {
            double v = n.num(0);
            if (v != Math.rint(v) || Math.abs(v) > 8) throw n.error("expected a whole number (a dimension, e.g. -1), got " + n.node.asText());
            if (v == 0) throw n.error("dimension 0 is the batch; use -1 (the last dimension) or another dimension of the example");
            return (int) v;
        };
    }
}
