package dev.machina.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.machina.data.DataLoader;
import dev.machina.data.FeatureTransform;
import dev.machina.data.Sequences;
import dev.machina.data.TensorDataset;
import dev.machina.io.SafeTensors;
import dev.machina.nn.Module;
import dev.machina.run.RunDirectory;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import dev.machina.train.Evaluator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A model reloaded from a run directory, as Keras's {@code load_model} does: its weights, class
 * names, fitted input transform and, for a run trained from a spec, the spec. A run recorded from
 * plain Java code ({@code Trainer} with a {@code RunRecorder}) loads too when its run.json holds
 * the model's layer list ({@code model.layers}, recorded when every layer is a built-in one); it
 * has no spec.
 *
 * @param experiment the run's spec, or null for a run recorded from plain Java code
 */
public record TrainedModel(Path runDir, Experiment experiment, Module model, List<String> classNames, int[] featureShape, FeatureTransform transform,
                    List<String> vocabulary) {

    /** The settings a CSV for this model is read with: the spec's data section, or CSV defaults (header, comma, last column the label). */
    public Experiment.Data csvSettings() {
        return experiment != null ? experiment.data() : new Experiment.Data("csv", Map.of());
    }

    /** The batch size evaluation and prediction run at: the spec's {@code training.eval_batch_size}, or 1000 for a run recorded from plain Java code. */
    public int evalBatchSize() {
        return experiment != null ? experiment.training().evalBatchSize() : 1000;
    }

    /** The model's outputs on a dataset already transformed, in batches of {@link #evalBatchSize()} examples ({@code machina eval}). */
    public Evaluator.Predictions predict(TensorDataset data) {
        return Evaluator.predict(model, DataLoader.builder(data).batchSize(evalBatchSize()).build());
    }

    /**
     * Fewest rows a batch of {@link #probabilities} holds when the input has as many: the GEMM kernel
     * multiplies at most 4 rows on an unpacked path whose sums along K run in another order, so a
     * batch of 1 to 4 rows would differ in the last bits from the same rows in a larger batch.
     */
    static final int MIN_BATCH_ROWS = 5;

    /**
     * Class probabilities (the softmax of the outputs) of raw inputs {@code [n, featureShape...]}, the
     * input transform applied, computed {@code batchSize} rows at a time as Keras's
     * {@code predict(x, batch_size)} does. Each row's result is the one-batch result bit for bit: a
     * batch holds at least {@value #MIN_BATCH_ROWS} rows when the input has as many (a shorter last
     * batch takes the rows before it too, and keeps only its own).
     */
    public Tensor probabilities(Tensor x, int batchSize) {
        int n = x.shape(0);
        if (n == 0) throw new UserError("no examples to predict: the input has no rows");
        float[][] out = {null};
        int[][] outShape = {null};
        int[] at = {0};
        Predictor p = predictor(batchSize, probs -> {
            int width = probs.size() / probs.shape(0);
            if (out[0] == null) {
                out[0] = new float[n * width];
                outShape[0] = probs.shape().clone();
                outShape[0][0] = n;
            }
            System.arraycopy(probs.data(), 0, out[0], at[0] * width, probs.size());
            at[0] += probs.shape(0);
        });
        p.add(x);
        p.finish();
        return Tensor.of(out[0], outShape[0]);
    }

    /**
     * {@link #probabilities} of rows that arrive in parts ({@link Predictor#add}, then
     * {@link Predictor#finish}): the same batches, so the same bits for every row, handed to
     * {@code sink} in order as each batch is run, holding at most a batch and the rows it needs.
     */
    public Predictor predictor(int batchSize, java.util.function.Consumer<Tensor> sink) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        return new Predictor(Math.max(batchSize, MIN_BATCH_ROWS), sink);
    }

    /** Runs the model on batches of raw rows as they fill; see {@link #predictor}. */
    public final class Predictor {
        private final int step;
        private final java.util.function.Consumer<Tensor> sink;
        private int[] rowShape;
        private int row;
        private float[] pending;
        private int held;
        /** The last rows of the batch run before, for a short last batch. */
        private float[] tail = new float[0];
        private int tailRows;

        private Predictor(int step, java.util.function.Consumer<Tensor> sink) {
            this.step = step;
            this.sink = sink;
        }

        /** Adds rows {@code [k, featureShape...]}; runs every batch they fill. */
        public void add(Tensor rows) {
            int k = rows.shape(0);
            if (k == 0) return;
            if (rowShape == null) {
                rowShape = Arrays.copyOfRange(rows.shape(), 1, rows.rank());
                row = rows.size() / k;
                pending = new float[step * row];
            }
            float[] d = rows.data();
            for (int r = 0; r < k; ) {
                int take = Math.min(k - r, step - held);
                System.arraycopy(d, r * row, pending, held * row, take * row);
                held += take;
                r += take;
                if (held == step) run(0);
            }
        }

        /** Runs the rows left: a batch of fewer than {@value #MIN_BATCH_ROWS} rows takes rows before it too, and keeps only its own. */
        public void finish() {
            if (held == 0) {
                if (rowShape == null) throw new UserError("no examples to predict: the input has no rows");
                return;
            }
            run(held < MIN_BATCH_ROWS ? Math.min(MIN_BATCH_ROWS - held, tailRows) : 0);
        }

        /** Runs the {@code held} pending rows after the last {@code before} rows of the previous batch. */
        private void run(int before) {
            int rows = before + held;
            float[] b = new float[rows * row];
            System.arraycopy(tail, (tailRows - before) * row, b, 0, before * row);
            System.arraycopy(pending, 0, b, before * row, held * row);
            int[] shape = new int[rowShape.length + 1];
            shape[0] = rows;
            System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
            Tensor x = Tensor.of(b, shape);
            if (transform != null) x = transform.apply(x);
            Tensor p;
            boolean wasTraining = model.isTraining();
            model.eval();
            try (var s = Tensor.noGrad()) {
                p = model.forward(x).softmax(-1);
            } finally {
                model.train(wasTraining);
            }
            int width = p.size() / rows;
            int[] outShape = p.shape().clone();
            outShape[0] = held;
            sink.accept(Tensor.of(Arrays.copyOfRange(p.data(), before * width, rows * width), outShape));
            tailRows = Math.min(MIN_BATCH_ROWS - 1, held);
            tail = Arrays.copyOfRange(pending, (held - tailRows) * row, held * row);
            held = 0;
        }
    }

    @SuppressWarnings("unchecked")
    public static TrainedModel load(Path runDir) {
        if (!Files.isDirectory(runDir)) throw new UserError(runDir + " does not exist or is not a directory");
        Path specFile = runDir.resolve("spec.yaml"), weights = runDir.resolve(RunDirectory.MODEL);
        if (!Files.isRegularFile(weights)) {
            throw new UserError(runDir + " has no " + RunDirectory.MODEL + " (the run did not finish an epoch, or failed with no checkpoint to take its last epoch's weights from)"
                    + (Files.isRegularFile(specFile) ? "; resume it with ./machina train --resume " + runDir : ""));
        }
        SafeTensors.Contents c;
        try {
            c = SafeTensors.read(weights);
        } catch (IOException e) {
            throw new UserError("cannot read " + weights + ": " + e.getMessage());
        }
        ObjectMapper json = new ObjectMapper();
        try {
            Map<String, String> meta = c.metadata();
            List<String> names = meta.containsKey("class_names") ? json.readValue(meta.get("class_names"), List.class) : List.of();
            int[] shape = json.readValue(meta.getOrDefault("feature_shape", "null"), int[].class);
            if (shape == null) throw new UserError(weights + " has no feature_shape in its metadata, which rebuilding the model needs (the shape of one example)");
            FeatureTransform tf = meta.containsKey("transform") ? FeatureTransform.fromState(json.readValue(meta.get("transform"), Map.class)) : null;
            List<String> vocab = meta.containsKey("vocabulary") ? json.readValue(meta.get("vocabulary"), List.class) : null;
            int[] outShape = meta.containsKey("output_shape") ? json.readValue(meta.get("output_shape"), int[].class) : null;
            boolean classification = "classification".equals(meta.getOrDefault("task", "classification"));
            Experiment exp = Files.isRegularFile(specFile) ? Experiment.load(specFile, List.of()) : null;
            Experiment layers = exp != null ? exp : recordedLayers(runDir, json);
            Module model = Build.model(layers, shape, classification ? names.size() : 0, vocab == null ? 0 : vocab.size(), outShape);
            model.loadStateDict(c.tensors());
            model.eval();
            return new TrainedModel(runDir, exp, model, classification ? names : List.of(), shape, tf, vocab);
        } catch (IOException e) {
            throw new UserError(weights + ": malformed metadata: " + e.getMessage());
        }
    }

    /**
     * Text sampled from a character-level language model ({@code machina generate}): the prompt,
     * then {@code length} characters, each drawn from the softmax of the logits over the last
     * {@code featureShape[0]} characters divided by {@code temperature} (among the {@code topK}
     * most likely when given). With no prompt the first character is drawn uniformly. The same
     * seed gives the same text.
     *
     * @throws IllegalStateException    when the run is not a character model
     * @throws IllegalArgumentException when the prompt holds a character outside the vocabulary, or a setting is out of range
     */
    public String generate(String prompt, int length, double temperature, Integer topK, long seed) {
        if (vocabulary == null) throw new IllegalStateException(runDir + " is not a character model (trained on data.dataset: text)");
        if (length < 0) throw new IllegalArgumentException("length must be >= 0, got " + length);
        if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be positive, got " + temperature);
        if (topK != null && topK < 1) throw new IllegalArgumentException("top-k must be at least 1, got " + topK);
        Sequences.Vocabulary vocab = new Sequences.Vocabulary(vocabulary);
        int window = featureShape[0];
        int[] ids = vocab.encode(prompt);
        Rng rng = new Rng(seed);
        int v = vocab.size();
        int[] all = Arrays.copyOf(ids, ids.length + length);
        int n = ids.length;
        if (n == 0 && length > 0) all[n++] = rng.nextInt(v); // no prompt: start from a random character
        StringBuilder out = new StringBuilder(vocab.decode(Arrays.copyOf(all, n)));
        try (var s = Tensor.noGrad()) {
            for (int step = out.length() == prompt.length() ? 0 : 1; step < length; step++) {
                int from = Math.max(0, n - window), len = n - from;
                float[] x = new float[len];
                for (int i = 0; i < len; i++) x[i] = all[from + i];
                Tensor logits = model.forward(Tensor.of(x, 1, len));
                int next = sample(Arrays.copyOfRange(logits.data(), (len - 1) * v, len * v), temperature, topK, rng);
                all[n++] = next;
                out.append(vocab.chars().get(next));
            }
        }
        return out.toString();
    }

    /** An index drawn from softmax(logits / temperature), optionally among the top k. */
    static int sample(float[] logits, double temperature, Integer topK, Rng rng) {
        int v = logits.length;
        double[] p = new double[v];
        double max = Double.NEGATIVE_INFINITY;
        for (float f : logits) max = Math.max(max, f / temperature);
        double cut = Double.NEGATIVE_INFINITY;
        if (topK != null && topK < v) {
            float[] sorted = logits.clone();
            Arrays.sort(sorted);
            cut = sorted[v - topK];
        }
        double z = 0;
        for (int i = 0; i < v; i++) {
            p[i] = logits[i] < cut ? 0 : Math.exp(logits[i] / temperature - max);
            z += p[i];
        }
        double u = rng.nextDouble() * z, acc = 0;
        for (int i = 0; i < v; i++) {
            acc += p[i];
            if (u < acc) return i;
        }
        for (int i = v - 1; i >= 0; i--) if (p[i] > 0) return i;
        return 0;
    }

    /** The layer list run.json records for a run from plain Java code, as an experiment to build it from. */
    private static Experiment recordedLayers(Path runDir, ObjectMapper json) throws IOException {
        Path record = runDir.resolve(RunDirectory.RUN_JSON);
        JsonNode layers = Files.isRegularFile(record) ? json.readTree(record.toFile()).path("model").path("layers") : null;
        if (layers == null || !layers.isArray()) {
            throw new UserError(runDir + " has weights but no description of its model: neither spec.yaml (a run trained from a spec) nor a layer list "
                    + "in run.json's model.layers (recorded for a Sequential of built-in layers when machina-experiment is on the class path)");
        }
        return Experiment.parse(record.toString(), "data: digits\nmodel: " + json.writeValueAsString(layers) + "\n", List.of());
    }
}
