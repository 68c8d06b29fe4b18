package dev.machina.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.machina.experiment.SpecRunner;
import dev.machina.run.RunInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the report reads from a run directory, tolerant of what is missing or malformed:
 * each gap becomes a line in {@link #problems()} and an empty value, never an exception.
 */
final class RunData {
    static final String MISCLASSIFIED = "misclassified.json", PREDICTIONS = SpecRunner.TEST_PREDICTIONS;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> NOT_CLASSES = Set.of("accuracy", "macro avg", "weighted avg", "confusion_matrix",
            "log_loss", "roc_auc", "average_precision", "curves");

    /** Per-class scores as in test-results.json. */
    record ClassScores(String name, double precision, double recall, double f1, long support) {}

    /** One class's curve: x and y of equal length. */
    record Curve(String name, double[] x, double[] y, double area) {}

    /** A misclassified test example; {@code pixels} has h*w values. */
    record Example(int index, int trueClass, int predicted, double probability, float[] pixels) {}

    /** What the run learned, which decides the report's figures and sections. */
    enum Task { CLASSIFICATION, REGRESSION, LANGUAGE_MODEL }

    /**
     * A regression run's test predictions (test-predictions.csv), one entry per predicted value;
     * {@code step} is the position in the series (NaN when the data are not a series).
     */
    record Predictions(int[] output, double[] step, double[] actual, double[] predicted) {
        int size() {
            return actual.length;
        }

        boolean series() {
            return step.length > 0 && !Double.isNaN(step[0]);
        }
    }

    final Path dir;
    final RunInfo info;
    final JsonNode record;
    final JsonNode test;
    final List<String> problems;
    final List<Map<String, Double>> epochs;
    final List<ClassScores> classes = new ArrayList<>();
    ClassScores macro, weighted;
    long[][] confusion;
    final List<Curve> roc = new ArrayList<>(), pr = new ArrayList<>();
    int imageHeight, imageWidth;
    List<String> exampleClassNames = List.of();
    final List<Example> examples = new ArrayList<>();
    final Task task;
    Predictions predictions;

    private RunData(Path dir) {
        this.dir = dir;
        this.info = RunInfo.load(dir);
        this.record = info.record();
        this.test = info.testResults();
        this.problems = new ArrayList<>(info.problems());
        this.epochs = info.epochs();
        if (!Files.exists(dir.resolve("metrics.jsonl"))) problems.add("metrics.jsonl is missing");
        else if (epochs.isEmpty()) problems.add("metrics.jsonl has no epoch records");
        this.task = task();
        if (!test.isMissingNode() && task == Task.CLASSIFICATION) readTestResults();
        readMisclassified();
        if (task == Task.REGRESSION) readPredictions();
    }

    /**
     * Classification when anything says so (a confusion matrix, accuracies, class names); a
     * language model when the data are text or perplexity was measured; a regression when the
     * test measured errors, the data are a series or there are no class names. A run that recorded
     * none of these is shown as a classification, with what it lacks listed.
     */
    private Task task() {
        JsonNode ds = record.path("dataset");
        String name = ds.path("name").asText(record.path("config").path("data").path("dataset").asText(""));
        if (test.has("confusion_matrix") || test.has("accuracy") || (ds.path("class_names").isArray() && !ds.path("class_names").isEmpty())
                || epochs.stream().anyMatch(e -> e.containsKey("val_accuracy") || e.containsKey("train_accuracy"))) {
            return Task.CLASSIFICATION;
        }
        if (test.has("perplexity") || record.path("final_metrics").has("test_perplexity") || name.equals("text") || ds.has("vocabulary")) {
            return Task.LANGUAGE_MODEL;
        }
        if (test.has("mse") || record.path("final_metrics").has("test_mse") || name.equals("sine") || name.equals("series")
                || ds.path("class_names").isArray() || Files.exists(dir.resolve(SpecRunner.TEST_PREDICTIONS))) {
            return Task.REGRESSION;
        }
        return Task.CLASSIFICATION;
    }

    /** test-predictions.csv: example, output, [step,] actual, predicted; rows that do not parse are counted and left out. */
    private void readPredictions() {
        Path f = dir.resolve(SpecRunner.TEST_PREDICTIONS);
        if (!Files.exists(f)) {
            problems.add(SpecRunner.TEST_PREDICTIONS + " is missing (the test split was not evaluated, or by a version that did not save predictions)");
            return;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(f);
        } catch (IOException e) {
            problems.add(SpecRunner.TEST_PREDICTIONS + " cannot be read: " + e.getMessage());
            return;
        }
        List<String> header = lines.isEmpty() ? List.of() : List.of(lines.get(0).strip().split(","));
        int out = header.indexOf("output"), step = header.indexOf("step"), act = header.indexOf("actual"), pred = header.indexOf("predicted");
        if (act < 0 || pred < 0) {
            problems.add(SpecRunner.TEST_PREDICTIONS + " has no actual and predicted columns");
            return;
        }
        int n = lines.size() - 1, kept = 0, bad = 0;
        int[] o = new int[Math.max(0, n)];
        double[] st = new double[o.length], a = new double[o.length], p = new double[o.length];
        for (int i = 1; i <= n; i++) {
            String[] c = lines.get(i).split(",");
            try {
                a[kept] = Double.parseDouble(c[act]);
                p[kept] = Double.parseDouble(c[pred]);
                o[kept] = out < 0 ? 0 : Integer.parseInt(c[out]);
                st[kept] = step < 0 ? Double.NaN : Double.parseDouble(c[step]);
                kept++;
            } catch (RuntimeException e) { // a short or non-numeric row
                if (!lines.get(i).isBlank()) bad++;
            }
        }
        if (bad > 0) problems.add(SpecRunner.TEST_PREDICTIONS + ": " + bad + " row(s) that do not parse were left out");
        predictions = new Predictions(java.util.Arrays.copyOf(o, kept), java.util.Arrays.copyOf(st, kept), java.util.Arrays.copyOf(a, kept),
                java.util.Arrays.copyOf(p, kept));
    }

    static RunData load(Path dir) {
        return new RunData(dir);
    }

    String name() {
        return info.name();
    }

    String id() {
        return info.id();
    }

    /** Class names: from test-results.json, else run.json's dataset, else none. */
    List<String> classNames() {
        if (!classes.isEmpty()) return classes.stream().map(ClassScores::name).toList();
        List<String> out = new ArrayList<>();
        for (JsonNode n : record.path("dataset").path("class_names")) out.add(n.asText());
        return out;
    }

    /** The values of one per-epoch metric as (epoch, value) pairs, skipping epochs without it. */
    double[][] series(String metric) {
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < epochs.size(); i++) {
            Map<String, Double> e = epochs.get(i);
            Double v = e.get(metric);
            if (v == null || !Double.isFinite(v)) continue;
            Double ep = e.get("epoch");
            pts.add(new double[] {ep == null ? i + 1 : ep, v});
        }
        double[][] xy = new double[2][pts.size()];
        for (int i = 0; i < pts.size(); i++) {
            xy[0][i] = pts.get(i)[0];
            xy[1][i] = pts.get(i)[1];
        }
        return xy;
    }

    private void readTestResults() {
        for (Map.Entry<String, JsonNode> f : test.properties()) {
            JsonNode v = f.getValue();
            if (!v.isObject() || !v.has("precision") || !v.has("recall")) continue;
            ClassScores s = new ClassScores(f.getKey(), num(v, "precision"), num(v, "recall"), num(v, "f1-score"), v.path("support").asLong(0));
            switch (f.getKey()) {
                case "macro avg" -> macro = s;
                case "weighted avg" -> weighted = s;
                default -> { if (!NOT_CLASSES.contains(f.getKey())) classes.add(s); }
            }
        }
        if (classes.isEmpty()) problems.add("test-results.json has no per-class scores");
        JsonNode cm = test.path("confusion_matrix");
        if (cm.isArray() && cm.size() > 0) {
            int n = cm.size();
            long[][] m = new long[n][];
            boolean ok = true;
            for (int i = 0; i < n && ok; i++) {
                JsonNode row = cm.get(i);
                ok = row.isArray() && row.size() == n;
                if (!ok) break;
                m[i] = new long[n];
                for (int j = 0; j < n; j++) m[i][j] = row.get(j).asLong();
            }
            if (ok) confusion = m;
            else problems.add("test-results.json: confusion_matrix is not a square matrix");
        } else {
            problems.add("test-results.json has no confusion_matrix");
        }
        JsonNode curves = test.path("curves");
        if (!curves.isObject()) {
            problems.add("test-results.json has no curves (the test was evaluated without probabilities)");
            return;
        }
        for (Map.Entry<String, JsonNode> f : curves.properties()) {
            String c = f.getKey();
            Curve r = curve(c, f.getValue().path("roc"), "fpr", "tpr", test.path("roc_auc").path(c));
            if (r != null) roc.add(r);
            Curve p = curve(c, f.getValue().path("pr"), "recall", "precision", test.path("average_precision").path(c));
            if (p != null) pr.add(p);
        }
    }

    private static Curve curve(String name, JsonNode n, String xKey, String yKey, JsonNode area) {
        double[] x = doubles(n.path(xKey)), y = doubles(n.path(yKey));
        int len = Math.min(x.length, y.length);
        if (len == 0) return null;
        if (x.length != len) x = java.util.Arrays.copyOf(x, len);
        if (y.length != len) y = java.util.Arrays.copyOf(y, len);
        return new Curve(name, x, y, area.isNumber() ? area.asDouble() : Double.NaN);
    }

    private static double[] doubles(JsonNode arr) {
        if (!arr.isArray()) return new double[0];
        double[] out = new double[arr.size()];
        for (int i = 0; i < out.length; i++) out[i] = arr.get(i).isNumber() ? arr.get(i).asDouble() : Double.NaN;
        return out;
    }

    private static double num(JsonNode o, String key) {
        JsonNode v = o.path(key);
        return v.isNumber() ? v.asDouble() : Double.NaN;
    }

    private void readMisclassified() {
        Path f = dir.resolve(MISCLASSIFIED);
        if (!Files.exists(f)) return;
        JsonNode n;
        try {
            n = JSON.readTree(f.toFile());
        } catch (IOException e) {
            problems.add(MISCLASSIFIED + " is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
            return;
        }
        if (n == null) n = MissingNode.getInstance();
        JsonNode shape = n.path("image_shape");
        if (!shape.isArray() || shape.size() < 2 || shape.get(0).asInt() < 1 || shape.get(1).asInt() < 1) {
            problems.add(MISCLASSIFIED + " has no valid image_shape [h, w]: examples are not drawn");
            return;
        }
        imageHeight = shape.get(0).asInt();
        imageWidth = shape.get(1).asInt();
        List<String> names = new ArrayList<>();
        for (JsonNode c : n.path("class_names")) names.add(c.asText());
        exampleClassNames = names;
        int bad = 0;
        for (JsonNode e : n.path("examples")) {
            JsonNode px = e.path("pixels");
            if (!px.isArray() || px.size() != imageHeight * imageWidth) {
                bad++;
                continue;
            }
            float[] p = new float[px.size()];
            for (int i = 0; i < p.length; i++) p[i] = (float) px.get(i).asDouble(0);
            examples.add(new Example(e.path("index").asInt(-1), e.path("true").asInt(-1), e.path("predicted").asInt(-1),
                    e.path("probability").asDouble(Double.NaN), p));
        }
        if (bad > 0) problems.add(MISCLASSIFIED + ": " + bad + " example(s) without " + imageHeight + "×" + imageWidth + " pixels were skipped");
    }

    /** A class label for an example: the misclassified file's names, else the run's, else the index. */
    String label(int c) {
        List<String> names = !exampleClassNames.isEmpty() ? exampleClassNames : classNames();
        return c >= 0 && c < names.size() ? names.get(c) : Integer.toString(c);
    }
}
