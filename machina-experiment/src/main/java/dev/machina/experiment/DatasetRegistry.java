package dev.machina.experiment;

import static dev.machina.experiment.Setting.bool;
import static dev.machina.experiment.Setting.character;
import static dev.machina.experiment.Setting.choice;
import static dev.machina.experiment.Setting.column;
import static dev.machina.experiment.Setting.fraction;
import static dev.machina.experiment.Setting.integer;
import static dev.machina.experiment.Setting.names;
import static dev.machina.experiment.Setting.nonNegative;
import static dev.machina.experiment.Setting.positive;

import dev.machina.data.CsvReader;
import dev.machina.data.Datasets;
import dev.machina.data.Sequences;
import dev.machina.data.Splits;
import dev.machina.data.TensorDataset;
import dev.machina.data.TrainTest;
import dev.machina.run.Provenance;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The datasets a spec's {@code data.dataset} can name: one entry each, with its settings and how
 * it is read. Every dataset also has the settings that split and transform it (test,
 * validation, stratify, transform, scale); {@link Prepared} applies those.
 */
final class DatasetRegistry {
    private DatasetRegistry() {}

    /**
     * A dataset as read, before the validation split and the input transform.
     *
     * @param ordered    examples are in time order: split by position, never shuffled across time
     * @param imageShape [h, w] when the examples are images, else null
     * @param vocabulary the characters of a text dataset, else null
     */
    record Loaded(TensorDataset train, TensorDataset test, Map<String, Object> identity, int[] imageShape, Sequences.Vocabulary vocabulary,
                  boolean ordered) {}

    /** Reads the dataset these settings describe. */
    interface Factory {
        Loaded load(Experiment e, Map<String, Object> a) throws IOException;
    }

    static final Component.Kind<Factory> DATASETS = Component.Kind.<Factory>of("dataset", "Datasets",
            Component.<Factory>of("digits", "the embedded UCI optical digits: 1,797 8×8 images, 10 classes", null,
                    settings(null, "standardize", 1 / 16.0), (e, a) -> {
                        TensorDataset all = Datasets.digits();
                        Splits.Split s = split(all, a, e.seed());
                        Map<String, Object> id = new LinkedHashMap<>();
                        id.put("source", "embedded UCI optical digits (1,797 examples), held-out test fraction " + a.get("test"));
                        return new Loaded(s.trainOf(all), s.validationOf(all), id, new int[] {8, 8}, null, false);
                    }),
            images("fashion-mnist", "Fashion-MNIST: 70,000 28×28 clothing images, 10 classes (apt-get install dataset-fashion-mnist, or machina datasets fetch)"),
            images("mnist", "MNIST: 70,000 28×28 handwritten digits (machina datasets fetch mnist)"),
            images("idx", "your own IDX files: a directory with the four files of an MNIST-style set"),
            Component.<Factory>of("csv", "your own CSV file: one example per row, a label column (classes, or with task: regression a target to predict)",
                    null, settings(required("the CSV file"), "standardize", null, concat(csvSettings(true), List.of(
                            Setting.of("task", choice("auto", "classification", "regression"), "auto",
                                    "auto: a label with a fractional number is a regression target (as scikit-learn's type_of_target), else classes")))),
                    (e, a) -> {
                        Path p = file(e, a, "CSV file");
                        String task = (String) a.get("task");
                        TensorDataset all = task.equals("regression") ? null : Prepared.csvReader(e.data()).read(p);
                        if (task.equals("regression") || task.equals("auto") && continuous(all.classNames())) {
                            all = Prepared.csvReaderBuilder(e.data()).regression(true).build().read(p);
                        }
                        Splits.Split s = split(all, a, e.seed());
                        return new Loaded(s.trainOf(all), s.validationOf(all), fileIdentity(p), null, null, false);
                    }),
            Component.<Factory>of("text", "a text file for a character-level language model: windows of seq_len characters, the target the next character",
                    null, settings(required("the text file"), "none", null,
                            Setting.of("seq_len", integer(1), 100, "characters per example"),
                            Setting.derived("stride", integer(1), d -> d.soFar().get("seq_len"), "seq_len", "characters between the starts of consecutive examples")),
                    (e, a) -> {
                        Path p = file(e, a, "text file");
                        Sequences.Text text = Sequences.characters(p, (Integer) a.get("seq_len"), (Integer) a.get("stride"));
                        Map<String, Object> id = fileIdentity(p);
                        id.put("characters", text.length());
                        id.put("vocabulary_size", text.vocabulary().size());
                        return ordered(e, text.dataset(), id, text.vocabulary());
                    }).withCheck((a, node) -> {
                        if (!"none".equals(a.get("transform"))) throw node.get("transform").error("text is read as character indices; use transform: none");
                    }),
            Component.<Factory>of("series", "a CSV of time series (one row a step): windows of past steps, the target the next horizon steps of the target columns",
                    null, settings(required("the CSV file"), "standardize", null, concat(windowSettings(),
                            List.of(Setting.of("targets", names(), List.of(), "the columns to forecast, by name, or by index among the kept columns (default: the last)")),
                            csvSettings(false))),
                    (e, a) -> {
                        Path p = file(e, a, "CSV file");
                        Experiment.Data d = e.data();
                        Tensor series = Prepared.csvReaderBuilder(d).noLabel().build().read(p).features();
                        int[] targets = targetColumns(e, d.strings("targets"), p, d, series.shape(1));
                        return ordered(e, windows(series, a, targets), fileIdentity(p), null);
                    }),
            Component.<Factory>of("spark", "a table Spark reads (Parquet or CSV, on any filesystem Spark reaches: file:, hdfs:, s3a:, …) for data-parallel training "
                            + "with train --spark; the training rows stay split between the workers as Spark's partitions hold them",
                    null, settings(required("the table: a Parquet file or directory, or CSV files (a path or URI Spark reads)"), "standardize", null,
                            Setting.of("format", choice("parquet", "csv"), "parquet", "how Spark reads the path"),
                            Setting.required("label", Setting.text(), "the label column, by name (its distinct values, sorted, are the classes)"),
                            Setting.of("features", names(), List.of(), "the feature columns, by name (default: every other column)"),
                            Setting.of("header", bool(), true, "CSV: the first line names the columns")),
                    (e, a) -> {
                        throw e.error("data.dataset", "spark is read by Apache Spark: train this spec with --spark MASTER (docs/SPARK.md)");
                    }).withCheck((a, node) -> {
                        if ("minmax".equals(a.get("transform"))) throw node.get("transform").error("a Spark table takes none, scale or standardize");
                    }),
            Component.<Factory>of("sine", "a generated series: sin(2π·t/50) + 0.5·sin(2π·t/17) + Gaussian noise, seeded by the spec's seed",
                    null, settings(null, "none", null, concat(windowSettings(), List.of(
                            Setting.of("length", integer(10), 2000, "steps generated"),
                            Setting.of("noise", nonNegative(), 0.05, "standard deviation of the noise")))),
                    (e, a) -> {
                        int length = (Integer) a.get("length");
                        Map<String, Object> id = new LinkedHashMap<>();
                        id.put("source", "generated: sin(2π·t/50) + 0.5·sin(2π·t/17) + N(0, " + a.get("noise") + "), " + length + " steps");
                        return ordered(e, windows(sine(length, OptimizerRegistry.num(a, "noise"), e.seed()), a, new int[] {0}), id, null);
                    }));

    private static Component<Factory> images(String name, String doc) {
        boolean own = name.equals("idx");
        return Component.of(name, doc, null, settings(own ? required("the directory of the four IDX files")
                : Setting.of("path", Setting.text(), null, "the directory of the four IDX files (default: where the dataset is installed)"),
                "scale", 1 / 255.0), (e, a) -> {
                    Path dir = a.get("path") == null ? null : Path.of((String) a.get("path"));
                    TrainTest tt = name.equals("fashion-mnist") ? Datasets.fashionMnist(dir) : Datasets.mnist(dir);
                    Map<String, Object> id = new LinkedHashMap<>();
                    if (dir != null) id.put("path", dir.toAbsolutePath().toString());
                    int[] fs = tt.train().featureShape();
                    return new Loaded(tt.train(), tt.test(), id, fs.length == 2 ? fs : null, null, false);
                });
    }

    /** Class names that are numbers, one of them with a fraction: the label is a quantity, not a class. */
    static boolean continuous(List<String> classNames) {
        boolean fraction = false;
        for (String c : classNames) {
            try {
                double v = Double.parseDouble(c);
                if (v != Math.rint(v)) fraction = true;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return fraction;
    }

    private static Setting required(String doc) {
        return Setting.required("path", Setting.text(), doc);
    }

    /**
     * The settings every dataset has, with this dataset's defaults, around its own.
     *
     * @param path  the path setting (null: the dataset reads no file)
     * @param scale the default factor of transform: scale (null: 1/max|x| of the training data)
     */
    private static List<Setting> settings(Setting path, String transform, Double scale, Setting... own) {
        return settings(path, transform, scale, List.of(own));
    }

    private static List<Setting> settings(Setting path, String transform, Double scale, List<Setting> own) {
        List<Setting> l = new ArrayList<>();
        if (path != null) l.add(path);
        l.add(Setting.of("test", fraction(0, 1, false), 0.2, "the fraction held out as the test set (datasets with their own test split keep it; ordered data: the end)"));
        l.add(Setting.of("validation", fraction(0, 1, false), 0.1, "the fraction of the training part held out for validation (0: none)"));
        l.add(Setting.of("stratify", bool(), true, "keep class proportions in the splits"));
        l.add(Setting.of("transform", choice("none", "scale", "minmax", "standardize"), transform,
                "fitted on the training part only and saved with the model: none, scale, minmax or standardize"));
        l.add(Setting.derived("scale", positive(), d -> "scale".equals(d.soFar().get("transform")) ? scale : null,
                scale == null ? "1/max|x|" : Setting.text(scale == 1 / 16.0 ? "1/16" : "1/255"), "the factor of transform: scale"));
        l.addAll(own);
        return l;
    }

    private static List<Setting> csvSettings(boolean label) {
        List<Setting> l = new ArrayList<>();
        l.add(label ? Setting.of("label", column(), "-1", "the label column, by name or index (-1: the last)")
                : Setting.of("label", column(), "-1", "not used: a series forecasts its targets (read so that older specs still load)"));
        l.add(Setting.of("header", Setting.boolOrAuto(), true,
                "the first row names the columns: true, false, or auto (a header when the first row has no number and the second has one)"));
        l.add(Setting.of("skip_rows", integer(0), 0, "lines to skip at the start of the file, before the header or the data"));
        l.add(Setting.of("comment", character(), null, "lines starting with this character are skipped (e.g. #)"));
        l.add(Setting.of("delimiter", character(), ",", "the field separator (tab for tabs)"));
        l.add(Setting.of("features", names(), List.of(), "the columns to use, by name or index (default: all but the label)"));
        l.add(Setting.of("drop", names(), List.of(), "columns to leave out, by name or index"));
        return l;
    }

    private static List<Setting> windowSettings() {
        return List.of(
                Setting.of("window", integer(1), 50, "past steps per example"),
                Setting.of("horizon", integer(1), 1, "future steps to predict"),
                Setting.of("stride", integer(1), 1, "steps between the starts of consecutive examples"));
    }

    @SafeVarargs
    private static List<Setting> concat(List<Setting>... parts) {
        List<Setting> l = new ArrayList<>();
        for (List<Setting> p : parts) l.addAll(p);
        return l;
    }

    private static Path file(Experiment e, Map<String, Object> a, String what) {
        Path p = Path.of((String) a.get("path"));
        if (!Files.isRegularFile(p)) throw e.error("data.path", what + " " + p + " does not exist");
        return p;
    }

    private static Map<String, Object> fileIdentity(Path p) throws IOException {
        Map<String, Object> id = new LinkedHashMap<>();
        id.put("path", p.toAbsolutePath().toString());
        id.put("sha256", Provenance.sha256(p));
        return id;
    }

    private static Splits.Split split(TensorDataset ds, Map<String, Object> a, long seed) {
        double fraction = OptimizerRegistry.num(a, "test");
        if ((Boolean) a.get("stratify") && ds.isClassification()) return Splits.stratified(ds.labels(), fraction, seed);
        return Splits.random(ds.size(), fraction, seed);
    }

    /** Ordered data: the test part is the end (no shuffling across time). */
    private static Loaded ordered(Experiment e, TensorDataset all, Map<String, Object> id, Sequences.Vocabulary vocab) {
        int n = all.size(), nTest = (int) Math.round(n * e.data().test());
        if (nTest == 0) throw e.error("data.test", "leaves no test examples out of " + n);
        return new Loaded(all.subset(Prepared.range(0, n - nTest)), all.subset(Prepared.range(n - nTest, n)), id, null, vocab, true);
    }

    private static TensorDataset windows(Tensor series, Map<String, Object> a, int[] targets) {
        return Sequences.windows(series, (Integer) a.get("window"), (Integer) a.get("horizon"), (Integer) a.get("stride"), targets);
    }

    /** A generated series of two sines plus Gaussian noise, seeded: [length, 1]. */
    static Tensor sine(int length, double noise, long seed) {
        Rng rng = Rng.forStream(seed, 0x53696e65L);
        float[] v = new float[length];
        for (int t = 0; t < length; t++) {
            v[t] = (float) (Math.sin(2 * Math.PI * t / 50) + 0.5 * Math.sin(2 * Math.PI * t / 17) + noise * rng.nextGaussian());
        }
        return Tensor.of(v, length, 1);
    }

    /** The file's columns the series keeps, in order: data.features (or all), minus data.drop. */
    private static List<Integer> kept(List<String> cols, Experiment.Data d) {
        java.util.function.Function<String, Integer> index = r -> r.matches("-?\\d+")
                ? (Integer.parseInt(r) < 0 ? cols.size() + Integer.parseInt(r) : Integer.parseInt(r)) : cols.indexOf(r);
        List<Integer> out = new ArrayList<>();
        if (d.features().isEmpty()) for (int c = 0; c < cols.size(); c++) out.add(c);
        else for (String f : d.features()) out.add(index.apply(f));
        for (String x : d.drop()) out.remove(index.apply(x));
        return out;
    }

    private static int[] targetColumns(Experiment e, List<String> names, Path file, Experiment.Data d, int columns) throws IOException {
        if (names.isEmpty()) return new int[] {columns - 1};
        String header = null;
        boolean hasHeader = d.header() != null ? d.header() : CsvReader.detectHeader(file, d.delimiter(), d.skipRows(), d.comment());
        try (var r = Files.newBufferedReader(file)) {
            for (int k = 0; k < d.skipRows(); k++) r.readLine();
            if (hasHeader) header = r.readLine();
        }
        List<String> cols = header == null ? List.of()
                : Arrays.stream(header.split(Pattern.quote(String.valueOf(d.delimiter())))).map(x -> x.trim().replace("\"", "")).toList();
        int[] out = new int[names.size()];
        for (int i = 0; i < out.length; i++) {
            String t = names.get(i);
            if (t.matches("-?\\d+")) {
                int c = Integer.parseInt(t);
                out[i] = c < 0 ? columns + c : c;
            } else {
                int inFile = cols.indexOf(t);
                if (inFile < 0) throw e.error("data.targets", "column '" + t + "' is not in " + file + " (columns: " + cols + ")");
                out[i] = kept(cols, d).indexOf(inFile);
                if (out[i] < 0) throw e.error("data.targets", "column '" + t + "' is left out by data.features or data.drop, so it cannot be forecast");
            }
            if (out[i] < 0 || out[i] >= columns) throw e.error("data.targets", "column " + t + " is outside the " + columns + " columns of " + file);
        }
        return out;
    }
}
