package dev.machina.cli;

import dev.machina.data.Sequences;
import dev.machina.experiment.TrainedModel;
import dev.machina.experiment.UserError;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** `machina generate RUN_DIR`: sample text from a character-level language model. */
@Command(mixinStandardHelpOptions = true, name = "generate", description = {"Sample text from a character model trained on data.dataset: text.",
    "Deterministic for a given --seed."})
final class GenerateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_DIR")
    java.nio.file.Path runDir;

    @Option(names = "--prompt", defaultValue = "", description = "Text to start from (its characters must be in the model's vocabulary).")
    String prompt;

    @Option(names = "--length", defaultValue = "200", description = "Characters to generate (default: ${DEFAULT-VALUE}).")
    int length;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature; lower is more conservative (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-k", description = "Sample only among the K most likely characters.")
    Integer topK;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        if (length < 0) throw new UserError("--length must be >= 0, got " + length);
        if (!(temperature > 0)) throw new UserError("--temperature must be positive, got " + temperature);
        if (topK != null && topK < 1) throw new UserError("--top-k must be at least 1, got " + topK);
        TrainedModel tm = TrainedModel.load(runDir);
        if (tm.vocabulary() == null) throw new UserError(runDir + " is not a character model (trained on data.dataset: text)");
        Sequences.Vocabulary vocab = new Sequences.Vocabulary(tm.vocabulary());
        int window = tm.featureShape()[0];
        int[] ids;
        try {
            ids = vocab.encode(prompt);
        } catch (IllegalArgumentException e) {
            throw new UserError("--prompt: " + e.getMessage());
        }
        Rng rng = new Rng(seed);
        int v = vocab.size();
        int[] all = Arrays.copyOf(ids, ids.length + length);
        int n = ids.length;
        if (n == 0) all[n++] = rng.nextInt(v); // no prompt: start from a random character
        StringBuilder out = new StringBuilder(vocab.decode(Arrays.copyOf(all, n)));
        try (var s = Tensor.noGrad()) {
            for (int step = out.length() == prompt.length() ? 0 : 1; step < length; step++) {
                int from = Math.max(0, n - window), len = n - from;
                float[] x = new float[len];
                for (int i = 0; i < len; i++) x[i] = all[from + i];
                Tensor logits = tm.model().forward(Tensor.of(x, 1, len));
                float[] l = Arrays.copyOfRange(logits.data(), (len - 1) * v, len * v);
                int next = sample(l, rng);
                all[n++] = next;
                out.append(vocab.chars().get(next));
            }
        }
        PrintWriter pw = spec.commandLine().getOut();
        pw.println(out);
        pw.flush();
        return 0;
    }

    /** Samples an index from logits / temperature, optionally among the top k. */
    int sample(float[] logits, Rng rng) {
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
}
