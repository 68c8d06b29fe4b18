package dev.machina.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.machina.metrics.ClassificationReport;
import dev.machina.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A run directory as the trainer writes it, made from seeded random data: run.json, 5 epochs in
 * metrics.jsonl, test-results.json from the real {@link ClassificationReport} (with
 * probabilities) and misclassified.json with 28×28 images. Shared with machina-cli's tests (the test jar).
 */
public final class SyntheticRun {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final List<String> FASHION = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
            "Sneaker", "Bag", "Ankle boot");

    public final Path dir;
    final String name;
    final List<String> classes;
    ClassificationReport report;
    int misclassified;

    private SyntheticRun(Path dir, String name, List<String> classes) {
        this.dir = dir;
        this.name = name;
        this.classes = classes;
    }

    public static SyntheticRun create(Path dir, String name, List<String> classes, long seed) throws IOException {
        SyntheticRun r = new SyntheticRun(dir, name, classes);
        Files.createDirectories(dir);
        r.writeRunJson("completed");
        r.writeMetrics(seed, 5);
        r.writeTestResults(seed, 600, true);
        return r;
    }

    void writeRunJson(String status) throws IOException {
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("name", name);
        rec.put("run_id", "20260101-120000");
        rec.put("status", status);
        rec.put("start_time", "2026-01-01T12:00:00Z");
        if (!status.equals("running")) {
            rec.put("end_time", "2026-01-01T12:03:25Z");
            rec.put("duration_s", 205.4);
        }
        rec.put("config", Map.of("model", Map.of("type", "mlp", "hidden", List.of(256, 128), "activation", "relu", "dropout", 0.2),
                "optimizer", Map.of("name", "adamw", "lr", 0.001, "weight_decay", 0.01),
                "schedule", Map.of("name", "cosine", "warmup_epochs", 1), "epochs", 5, "batch_size", 128, "seed", 42));
        rec.put("dataset", Map.of("name", "synthetic", "sha256", "9f2c4e1a7b3d5f60", "counts", Map.of("train", 54000, "val", 6000, "test", 600),
                "class_names", classes));
        rec.put("provenance", Map.of("machina_version", "0.1.0-SNAPSHOT", "java_version", "25", "java_vendor", "Eclipse Adoptium",
                "os", "Linux 6.1 amd64", "cpu", "Synthetic CPU @ 3.0GHz", "cores", 2, "kernel_provider", "vector (256-bit)", "threads", 2,
                "git_commit", "ed12268"));
        rec.put("model", Map.of("summary", "Sequential(\n  (0): Linear(in_features=784, out_features=256, bias=True)\n  (1): ReLU()\n"
                + "  (2): Dropout(p=0.2)\n  (3): Linear(in_features=256, out_features=128, bias=True)\n  (4): ReLU()\n"
                + "  (5): Linear(in_features=128, out_features=" + classes.size() + ", bias=True)\n)", "parameters", 235146));
        rec.put("training", Map.of("epochs", 5, "batch_size", 128, "log_every", 50));
        rec.put("final_metrics", Map.of("train_loss", 0.31, "val_loss", 0.36, "val_accuracy", 0.87));
        rec.put("stop_reason", "reached 5 epochs");
        Files.writeString(dir.resolve("run.json"), JSON.writeValueAsString(rec));
    }

    void writeMetrics(long seed, int epochs) throws IOException {
        Random rnd = new Random(seed);
        StringBuilder sb = new StringBuilder();
        ObjectMapper compact = new ObjectMapper();
        double trainLoss = 1.2, valLoss = 1.1;
        for (int e = 1; e <= epochs; e++) {
            for (int s = 1; s <= 3; s++) {
                sb.append(compact.writeValueAsString(Map.of("type", "step", "step", (e - 1) * 3 + s, "loss", trainLoss + rnd.nextGaussian() * 0.05, "lr", 1e-3))).append('\n');
            }
            trainLoss *= 0.72 + 0.05 * rnd.nextDouble();
            valLoss = valLoss * (0.8 + 0.05 * rnd.nextDouble()) + 0.02;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", "epoch");
            m.put("train_loss", trainLoss);
            m.put("train_accuracy", 1 - trainLoss / 2.2);
            m.put("val_loss", valLoss);
            m.put("val_accuracy", 1 - valLoss / 2.0);
            m.put("lr", 1e-3 * 0.5 * (1 + Math.cos(Math.PI * (e - 1) / epochs)));
            m.put("epoch_time_s", 40 + rnd.nextDouble());
            m.put("samples_per_s", 1300 + 50 * rnd.nextDouble());
            m.put("epoch", e);
            m.put("step", e * 3);
            sb.append(compact.writeValueAsString(m)).append('\n');
        }
        Files.writeString(dir.resolve("metrics.jsonl"), sb.toString());
    }

    /** Labels drawn at random, probabilities a softmax of noisy logits that favour the true class. */
    void writeTestResults(long seed, int n, boolean withProbabilities) throws IOException {
        Random rnd = new Random(seed * 31 + 7);
        int k = classes.size();
        int[] yTrue = new int[n], yPred = new int[n];
        float[] probs = new float[n * k];
        for (int i = 0; i < n; i++) {
            yTrue[i] = rnd.nextInt(k);
            double[] logit = new double[k];
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int c = 0; c < k; c++) {
                logit[c] = rnd.nextGaussian() * 1.2 + (c == yTrue[i] ? 2.2 : 0);
                max = Math.max(max, logit[c]);
            }
            for (int c = 0; c < k; c++) sum += Math.exp(logit[c] - max);
            int arg = 0;
            for (int c = 0; c < k; c++) {
                probs[i * k + c] = (float) (Math.exp(logit[c] - max) / sum);
                if (probs[i * k + c] > probs[i * k + arg]) arg = c;
            }
            yPred[i] = arg;
        }
        report = ClassificationReport.of(yTrue, yPred, classes, withProbabilities ? Tensor.of(probs, n, k) : null);
        Files.writeString(dir.resolve("test-results.json"), report.toJson());
        writeMisclassified(yTrue, yPred, probs, k, rnd);
    }

    /** Up to 30 wrong predictions, each a 28×28 ring whose radius depends on the true class. */
    private void writeMisclassified(int[] yTrue, int[] yPred, float[] probs, int k, Random rnd) throws IOException {
        List<Map<String, Object>> ex = new ArrayList<>();
        for (int i = 0; i < yTrue.length && ex.size() < 30; i++) {
            if (yTrue[i] == yPred[i]) continue;
            float[] px = new float[28 * 28];
            double radius = 4 + yTrue[i] % 9;
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    double d = Math.hypot(x - 13.5, y - 13.5);
                    px[y * 28 + x] = (float) (255 * Math.exp(-Math.pow(d - radius, 2) / 3) + 20 * rnd.nextDouble());
                }
            }
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("index", i);
            e.put("true", yTrue[i]);
            e.put("predicted", yPred[i]);
            e.put("probability", probs[i * k + yPred[i]]);
            e.put("pixels", px);
            ex.add(e);
        }
        misclassified = ex.size();
        Files.writeString(dir.resolve("misclassified.json"),
                new ObjectMapper().writeValueAsString(Map.of("image_shape", List.of(28, 28), "class_names", classes, "examples", ex)));
    }
}
