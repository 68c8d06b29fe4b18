package dev.machina.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.machina.Machina;
import dev.machina.data.DataLoader;
import dev.machina.data.Datasets;
import dev.machina.data.Scale;
import dev.machina.data.TensorDataset;
import dev.machina.data.TrainTest;
import dev.machina.kernel.KernelProvider;
import dev.machina.kernel.Parallel;
import dev.machina.nn.Dropout;
import dev.machina.nn.Linear;
import dev.machina.nn.Module;
import dev.machina.nn.ReLU;
import dev.machina.nn.Sequential;
import dev.machina.optim.Adam;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import dev.machina.train.Evaluator;
import dev.machina.train.History;
import dev.machina.train.LossFunction;
import dev.machina.train.Trainer;
import dev.machina.train.TrainerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Machina side of {@code machina bench e2e}, run in its own JVM so that its peak resident
 * memory is its own. It mirrors {@code bench/torch_bench.py} option for option and prints the
 * same JSON shape on stdout: data load time, per-epoch training times of the Fashion-MNIST MLP
 * (784-256-128-10, ReLU, dropout 0.2, Adam 1e-3, cross-entropy) at each batch size, test-set
 * inference throughput, single-example latency and VmHWM from /proc/self/status.
 *
 * <p>Its settings are named options, {@code --name=value} (or {@code --name value}), every one
 * optional: see {@link Settings#DEFAULTS}. {@code bench/torch_bench.py} takes the same ones.
 */
public final class E2eWorker {
    private E2eWorker() {}

    /**
     * The settings shared by both sides, by name (the option names of both workers, without the
     * dashes); a value is kept as its command-line text and read through the typed accessors.
     * Build one with {@link #defaults()} and {@link #with}, or {@link #of} from a map.
     */
    record Settings(Map<String, String> values) {
        /** Every setting and its default, in the order {@link #args()} writes them. {@code data} empty: {@code synthetic} data. */
        static final Map<String, String> DEFAULTS = defaultsInOrder();

        private static Map<String, String> defaultsInOrder() {
            Map<String, String> d = new LinkedHashMap<>();
            d.put("data", "");                     // Fashion-MNIST directory; empty: synthetic data
            d.put("synthetic", "0");               // examples of synthetic data (when there is no data)
            d.put("threads", "2");
            d.put("batch-sizes", "64,256");        // one training run per batch size
            d.put("warmup", "1");                  // warm-up epochs
            d.put("epochs", "1");                  // measured epochs
            d.put("seed", "0");
            d.put("infer-batch", "1000");
            d.put("infer-warmup", "20");           // warm-up passes over the test set (the JIT's recompiles for inference settle in them)
            d.put("infer-passes", "5");            // measured passes over the test set (median)
            d.put("latency-warmup", "50000");      // warm-up calls of batch 1 (likewise: compiled before the measured calls)
            d.put("latency-calls", "1000");        // measured calls of batch 1
            d.put("mode", "bench");                // bench (timings) or accuracy (train, then test accuracy)
            d.put("lstm-examples", Integer.toString(LSTM_EXAMPLES)); // images of the LSTM benchmark; 0: none
            return java.util.Collections.unmodifiableMap(d);
        }

        /** Fills in the defaults and checks every value, so that a bad one fails here with its name, not in the worker. */
        Settings {
            Map<String, String> all = new LinkedHashMap<>(DEFAULTS);
            for (Map.Entry<String, String> e : values.entrySet()) {
                if (!DEFAULTS.containsKey(e.getKey())) {
                    throw new IllegalArgumentException("unknown setting '" + e.getKey() + "'; the settings are " + DEFAULTS.keySet());
                }
                all.put(e.getKey(), e.getValue() == null ? DEFAULTS.get(e.getKey()) : e.getValue());
            }
            values = java.util.Collections.unmodifiableMap(all);
            for (String k : List.of("synthetic", "threads", "warmup", "epochs", "infer-batch", "infer-warmup", "infer-passes",
                    "latency-warmup", "latency-calls", "lstm-examples")) {
                int v = integer(values, k);
                if (v < 0) throw new IllegalArgumentException("--" + k + " must be 0 or more, got " + v);
            }
            seed(values);
            batchSizes(values);
            String mode = values.get("mode");
            if (!mode.equals("bench") && !mode.equals("accuracy")) throw new IllegalArgumentException("--mode must be bench or accuracy, got " + mode);
        }

        static Settings defaults() {
            return new Settings(Map.of());
        }

        /** The defaults with {@code named} settings changed; a value is any object whose text is the option's (an int[] gives 64,256). */
        static Settings of(Map<String, ?> named) {
            Settings s = defaults();
            for (Map.Entry<String, ?> e : named.entrySet()) s = s.with(e.getKey(), e.getValue());
            return s;
        }

        /** A copy with one setting changed; null restores its default. */
        Settings with(String name, Object value) {
            Map<String, String> v = new LinkedHashMap<>(values);
            v.put(name, value == null ? null : value instanceof int[] a
                    ? String.join(",", Arrays.stream(a).mapToObj(Integer::toString).toList()) : value.toString());
            return new Settings(v);
        }

        Path data() {
            String d = values.get("data");
            return d.isEmpty() ? null : Path.of(d);
        }

        int synthetic() {
            return integer(values, "synthetic");
        }

        int threads() {
            return integer(values, "threads");
        }

        int[] batchSizes() {
            return batchSizes(values);
        }

        int warmup() {
            return integer(values, "warmup");
        }

        int epochs() {
            return integer(values, "epochs");
        }

        long seed() {
            return seed(values);
        }

        int inferBatch() {
            return integer(values, "infer-batch");
        }

        int inferWarmup() {
            return integer(values, "infer-warmup");
        }

        int inferPasses() {
            return integer(values, "infer-passes");
        }

        int latencyWarmup() {
            return integer(values, "latency-warmup");
        }

        int latencyCalls() {
            return integer(values, "latency-calls");
        }

        String mode() {
            return values.get("mode");
        }

        int lstmExamples() {
            return integer(values, "lstm-examples");
        }

        private static int integer(Map<String, String> values, String name) {
            try {
                return Integer.parseInt(values.get(name).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " must be an integer, got '" + values.get(name) + "'");
            }
        }

        private static long seed(Map<String, String> values) {
            try {
                return Long.parseLong(values.get("seed").strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--seed must be an integer, got '" + values.get("seed") + "'");
            }
        }

        private static int[] batchSizes(Map<String, String> values) {
            try {
                int[] b = Arrays.stream(values.get("batch-sizes").split(",")).mapToInt(x -> Integer.parseInt(x.strip())).toArray();
                if (b.length == 0 || Arrays.stream(b).anyMatch(x -> x < 1)) throw new NumberFormatException();
                return b;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--batch-sizes must be positive integers separated by commas, got '"
                        + values.get("batch-sizes") + "'");
            }
        }

        /**
         * The command-line form, {@code --name=value} for every setting (the worker and
         * torch_bench.py read the same): {@code --data} when there is data, else {@code --synthetic}.
         */
        String[] args() {
            List<String> a = new ArrayList<>();
            for (Map.Entry<String, String> e : values.entrySet()) {
                if (e.getKey().equals(data() != null ? "synthetic" : "data")) continue;
                a.add("--" + e.getKey() + "=" + e.getValue());
            }
            return a.toArray(String[]::new);
        }

        /** Reads {@code --name=value} and {@code --name value} options; what is not given keeps its default. */
        static Settings parse(String[] argv) {
            Map<String, String> v = new LinkedHashMap<>();
            for (int i = 0; i < argv.length; i++) {
                String a = argv[i];
                if (!a.startsWith("--") || a.length() == 2) throw new IllegalArgumentException("expected --name=value, got '" + a + "'");
                int eq = a.indexOf('=');
                String name = eq < 0 ? a.substring(2) : a.substring(2, eq);
                if (!DEFAULTS.containsKey(name)) throw new IllegalArgumentException("unknown option --" + name + "; the options are --"
                        + String.join(", --", DEFAULTS.keySet()));
                if (eq >= 0) {
                    v.put(name, a.substring(eq + 1));
                } else {
                    if (i + 1 >= argv.length) throw new IllegalArgumentException("option --" + name + " needs a value");
                    v.put(name, argv[++i]);
                }
            }
            return new Settings(v);
        }
    }

    /** Training images the LSTM benchmark uses (a slice, so that PyTorch's ≈70 s epochs do not make the run take half an hour). */
    static final int LSTM_EXAMPLES = 6400;

    public static void main(String[] args) throws IOException {
        Settings s;
        try {
            s = Settings.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("E2eWorker: " + e.getMessage());
            System.exit(2);
            return;
        }
        ObjectNode out = run(s);
        System.out.println(new ObjectMapper().writeValueAsString(out));
        System.out.flush();
    }

    /** Runs the benchmark of {@code s} in this process and returns its JSON result. */
    static ObjectNode run(Settings s) {
        Parallel.setThreads(s.threads());
        ObjectMapper om = new ObjectMapper();
        ObjectNode out = om.createObjectNode();
        out.put("side", "machina");
        out.put("version", Machina.version());
        out.put("java", System.getProperty("java.version"));
        out.put("kernels", KernelProvider.get().name() + ", " + KernelProvider.get().vectorBits() + "-bit");
        out.put("threads", Parallel.threads());
        out.put("mode", s.mode());

        long t0 = System.nanoTime();
        TrainTest data = load(s);
        out.put("load_s", (System.nanoTime() - t0) / 1e9);
        out.put("train_examples", data.train().size());
        out.put("test_examples", data.test().size());

        if (s.mode().equals("accuracy")) {
            Module model = mlp(s.seed());
            int b = s.batchSizes()[0];
            History h = train(model, data.train(), b, s.epochs(), s.seed());
            ObjectNode acc = out.putObject("accuracy");
            acc.put("batch_size", b);
            acc.put("epochs", s.epochs());
            acc.put("final_train_loss", h.last().get("train_loss"));
            DataLoader test = DataLoader.builder(data.test()).batchSize(s.inferBatch()).build();
            acc.put("test_accuracy", Evaluator.evaluate(model, test, LossFunction.crossEntropy()).accuracy());
            out.put("vmhwm_kb", vmHwmKb());
            return out;
        }

        ObjectNode train = out.putObject("train");
        Module model = null;
        for (int b : s.batchSizes()) {
            model = mlp(s.seed());
            History h = train(model, data.train(), b, s.warmup() + s.epochs(), s.seed());
            double[] times = h.get("epoch_time_s");
            ObjectNode o = train.putObject(Integer.toString(b));
            ArrayNode warm = o.putArray("warmup_epoch_s");
            for (int e = 0; e < s.warmup(); e++) warm.add(times[e]);
            ArrayNode meas = o.putArray("epoch_s");
            double sum = 0;
            for (int e = s.warmup(); e < times.length; e++) {
                meas.add(times[e]);
                sum += times[e];
            }
            double mean = sum / s.epochs();
            o.put("mean_epoch_s", mean);
            o.put("samples_per_s", data.train().size() / mean);
            o.put("final_train_loss", h.last().get("train_loss"));
        }
        out.put("vmhwm_train_kb", vmHwmKb());

        ObjectNode inf = out.putObject("infer");
        inference(model, data.test(), s, inf);
        out.put("vmhwm_kb", vmHwmKb());
        if (s.lstmExamples() > 0) lstm(data.train(), s, out.putObject("lstm"));
        return out;
    }

    /**
     * The Fashion-MNIST LSTM over rows: 28 steps of 28 pixels, LSTM(28→128), the last output, a
     * Linear head; Adam 1e-3, batch 64, on the first {@code lstmExamples} training images — one
     * warm-up epoch, then one measured.
     */
    static void lstm(TensorDataset train, Settings s, ObjectNode o) {
        int n = Math.min(s.lstmExamples(), train.size());
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        TensorDataset part = train.subset(idx);
        TensorDataset rows = part.withFeatures(Tensor.of(part.features().data(), n, 28, 28));
        Rng rng = new Rng(s.seed());
        Module model = new Sequential(new dev.machina.nn.LSTM(dev.machina.nn.RnnConfig.of(28, 128), rng), new dev.machina.nn.LastStep(1),
                new Linear(128, 10, true, rng));
        History h = train(model, rows, 64, 2, s.seed());
        double t = h.get("epoch_time_s")[1];
        o.put("examples", n);
        o.put("batch_size", 64);
        o.put("epoch_s", t);
        o.put("samples_per_s", n / t);
        o.put("final_train_loss", h.last().get("train_loss"));
    }

    /** The 784-256-128-10 MLP with ReLU and dropout 0.2, initialised from {@code seed}. */
    static Module mlp(long seed) {
        Rng rng = new Rng(seed);
        return new Sequential(new Linear(784, 256, true, rng), new ReLU(), new Dropout(0.2),
                new Linear(256, 128, true, rng), new ReLU(), new Dropout(0.2), new Linear(128, 10, true, rng));
    }

    static History train(Module model, TensorDataset train, int batch, int epochs, long seed) {
        DataLoader loader = DataLoader.builder(train).batchSize(batch).shuffle(seed).dropLast(false).build();
        TrainerConfig cfg = TrainerConfig.builder().epochs(epochs).seed(seed)
                .loss(LossFunction.crossEntropy())
                .optimizer(new Adam(model.parameters(), Adam.Config.defaults().withLr(1e-3))).build();
        History h = new Trainer(cfg).fit(model, loader, null);
        if (h.status() != Trainer.Status.COMPLETED) throw new IllegalStateException("training ended as " + h.status());
        return h;
    }

    private static void inference(Module model, TensorDataset test, Settings s, ObjectNode inf) {
        model.eval();
        float[] x = test.features().data();
        int n = test.size(), f = 784, bs = s.inferBatch();
        // the test set as ready-made batches, as the PyTorch side slices views of one tensor
        int nb = (n + bs - 1) / bs;
        Tensor[] batches = new Tensor[nb];
        for (int i = 0; i < nb; i++) {
            int from = i * bs, to = Math.min(n, from + bs);
            batches[i] = Tensor.of(Arrays.copyOfRange(x, from * f, to * f), to - from, f);
        }
        try (var g = Tensor.noGrad()) {
            for (int p = 0; p < s.inferWarmup(); p++) for (Tensor b : batches) model.forward(b);
            double[] passes = new double[s.inferPasses()];
            for (int p = 0; p < passes.length; p++) {
                long t0 = System.nanoTime();
                for (Tensor b : batches) model.forward(b).argmax(1);
                passes[p] = (System.nanoTime() - t0) / 1e9;
            }
            double med = E2eBench.median(passes);
            inf.put("batch_size", bs);
            ArrayNode all = inf.putArray("passes_s");
            for (double p : passes) all.add(p);
            inf.put("pass_s", med);
            inf.put("throughput_samples_per_s", n / med);

            int calls = s.latencyCalls();
            Tensor[] singles = new Tensor[Math.min(n, calls)];
            for (int i = 0; i < singles.length; i++) singles[i] = Tensor.of(Arrays.copyOfRange(x, i * f, (i + 1) * f), 1, f);
            for (int i = 0; i < s.latencyWarmup(); i++) model.forward(singles[i % singles.length]);
            double[] us = new double[calls];
            for (int i = 0; i < calls; i++) {
                Tensor in = singles[i % singles.length];
                long t0 = System.nanoTime();
                model.forward(in);
                us[i] = (System.nanoTime() - t0) / 1e3;
            }
            inf.put("latency_calls", calls);
            inf.put("latency_median_us", E2eBench.median(us));
            inf.put("latency_p99_us", E2eBench.percentile(us, 99));
        }
    }

    /**
     * The training and test parts, flattened, scaled to [0, 1] by 1/255: Fashion-MNIST's pixels
     * stay bytes and become float32 batch by batch (as torchvision's uint8 images with ToTensor).
     */
    static TrainTest load(Settings s) {
        if (s.data() == null) return synthetic(s.synthetic());
        TrainTest raw = Datasets.fashionMnist(s.data());
        Scale scale = Scale.by(1 / 255.0);
        return new TrainTest(scale.apply(raw.train()).flatten(), scale.apply(raw.test()).flatten());
    }

    /**
     * {@code n} training and {@code max(1, n/5)} test examples of 784 features, a fixed pattern in
     * [0, 1] with labels i mod 10; {@code torch_bench.py --synthetic} makes the same numbers.
     */
    static TrainTest synthetic(int n) {
        if (n < 1) throw new IllegalArgumentException("--synthetic needs at least 1 example, got " + n);
        return new TrainTest(syntheticPart(n, 0), syntheticPart(Math.max(1, n / 5), n));
    }

    private static TensorDataset syntheticPart(int n, int offset) {
        float[] x = new float[n * 784];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int r = i + offset;
            y[i] = r % 10;
            for (int j = 0; j < 784; j++) x[i * 784 + j] = ((r * 31 + j * 17 + y[i] * j) % 256) / 255f;
        }
        return TensorDataset.classification(Tensor.of(x, n, 784), y, 10);
    }

    /** VmHWM (peak resident set) of this process in KiB from /proc/self/status, or -1 where there is none. */
    static long vmHwmKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }
}
