package dev.machina.experiment;

import dev.machina.data.CsvReader;
import dev.machina.data.DataFormatException;
import dev.machina.data.DatasetNotFoundException;
import dev.machina.data.Datasets;
import dev.machina.data.FeatureTransform;
import dev.machina.data.MinMaxScaler;
import dev.machina.data.Scale;
import dev.machina.data.Sequences;
import dev.machina.tensor.Tensor;
import dev.machina.data.Splits;
import dev.machina.data.Standardizer;
import dev.machina.data.TensorDataset;
import dev.machina.data.TrainTest;
import dev.machina.run.Provenance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The data of an experiment, ready to train on: train / validation / test sets with the input
 * transform fitted on the training part only, the class names, and the dataset's identity.
 *
 * @param transform null when the spec says none
 * @param imageShape [h, w] when the inputs are images (for drawing misclassified examples), else null
 */
public record Prepared(TensorDataset train, TensorDataset validation, TensorDataset test, FeatureTransform transform,
                       List<String> classNames, Map<String, Object> identity, int[] imageShape, Sequences.Vocabulary vocabulary) {

    public static Prepared of(Experiment e) {
        return of(e, null);
    }

    /** As {@link #of(Experiment)}, applying {@code fixed} (a transform fitted earlier) instead of fitting one. */
    public static Prepared of(Experiment e, FeatureTransform fixed) {
        Experiment.Data d = e.data();
        TensorDataset train, test;
        Map<String, Object> id = new LinkedHashMap<>();
        id.put("name", d.dataset());
        int[] image = null;
        Sequences.Vocabulary vocab = null;
        try {
            switch (d.dataset()) {
                case "digits" -> {
                    TensorDataset all = Datasets.digits();
                    Splits.Split s = split(all, d.test(), d.stratify(), e.seed());
                    train = s.trainOf(all);
                    test = s.validationOf(all);
                    id.put("source", "embedded UCI optical digits (1,797 examples), held-out test fraction " + d.test());
                    image = new int[] {8, 8};
                }
                case "fashion-mnist", "mnist", "idx" -> {
                    Path dir = d.path() == null ? null : Path.of(d.path());
                    TrainTest tt = d.dataset().equals("fashion-mnist") ? Datasets.fashionMnist(dir) : Datasets.mnist(dir);
                    train = tt.train();
                    test = tt.test();
                    int[] fs = train.featureShape();
                    if (fs.length == 2) image = fs;
                    if (dir != null) id.put("path", dir.toAbsolutePath().toString());
                }
                case "csv" -> {
                    Path p = Path.of(d.path());
                    if (!Files.isRegularFile(p)) throw e.error("data.path", "CSV file " + p + " does not exist");
                    TensorDataset all = csvReader(d).read(p);
                    Splits.Split s = split(all, d.test(), d.stratify(), e.seed());
                    train = s.trainOf(all);
                    test = s.validationOf(all);
                    id.put("path", p.toAbsolutePath().toString());
                    id.put("sha256", Provenance.sha256(p));
                }
                case "text", "series", "sine" -> {
                    TensorDataset all;
                    Experiment.Sequence q = d.sequence();
                    if (d.dataset().equals("text")) {
                        Path p = Path.of(d.path());
                        if (!Files.isRegularFile(p)) throw e.error("data.path", "text file " + p + " does not exist");
                        Sequences.Text text = Sequences.characters(p, q.seqLen(), q.stride());
                        all = text.dataset();
                        vocab = text.vocabulary();
                        id.put("path", p.toAbsolutePath().toString());
                        id.put("sha256", Provenance.sha256(p));
                        id.put("characters", text.length());
                        id.put("vocabulary_size", vocab.size());
                    } else {
                        Tensor series;
                        int[] targets;
                        if (d.dataset().equals("sine")) {
                            series = sine(q.length(), q.noise(), e.seed());
                            targets = new int[] {0};
                            id.put("source", "generated: sin(2π·t/50) + 0.5·sin(2π·t/17) + N(0, " + q.noise() + "), " + q.length() + " steps");
                        } else {
                            Path p = Path.of(d.path());
                            if (!Files.isRegularFile(p)) throw e.error("data.path", "CSV file " + p + " does not exist");
                            CsvReader.Builder b = CsvReader.builder().header(d.header()).delimiter(d.delimiter()).noLabel();
                            if (!d.features().isEmpty()) b.featureColumns(d.features().toArray(new String[0]));
                            if (!d.drop().isEmpty()) b.dropColumns(d.drop().toArray(new String[0]));
                            TensorDataset table = b.build().read(p);
                            series = table.features();
                            targets = targetColumns(e, q.targets(), p, d, series.shape(1));
                            id.put("path", p.toAbsolutePath().toString());
                            id.put("sha256", Provenance.sha256(p));
                        }
                        all = Sequences.windows(series, q.window(), q.horizon(), q.stride(), targets);
                    }
                    // ordered data: the test part is the end, validation just before it (no shuffling across time)
                    int n = all.size(), nTest = (int) Math.round(n * d.test());
                    train = all.subset(range(0, n - nTest));
                    test = all.subset(range(n - nTest, n));
                    if (nTest == 0) throw e.error("data.test", "leaves no test examples out of " + n);
                }
                default -> throw e.error("data.dataset", "unknown dataset " + d.dataset());
            }
        } catch (UserError ex) {
            throw ex;
        } catch (DatasetNotFoundException | DataFormatException ex) {
            throw new UserError(ex.getMessage(), ex);
        } catch (java.io.IOException ex) {
            throw new UserError("cannot read data: " + ex.getMessage(), ex);
        } catch (IllegalArgumentException ex) {
            throw new UserError("data: " + ex.getMessage(), ex);
        }
        TensorDataset validation = null;
        if (d.validation() > 0 && e.sequential()) {
            int n = train.size(), nVal = (int) Math.round(n * d.validation());
            validation = train.subset(range(n - nVal, n));
            train = train.subset(range(0, n - nVal));
        } else if (d.validation() > 0) {
            Splits.Split s = split(train, d.validation(), d.stratify(), e.seed() + 1);
            validation = s.validationOf(train);
            train = s.trainOf(train);
        }
        FeatureTransform tf = fixed != null ? fixed : switch (d.transform()) {
            case "none" -> null;
            case "scale" -> Scale.by(d.scale() != null ? d.scale() : 1.0 / maxAbs(train));
            case "minmax" -> MinMaxScaler.fit(train.features());
            default -> Standardizer.fit(train.features());
        };
        if (tf != null) {
            train = tf.apply(train);
            if (validation != null) validation = tf.apply(validation);
            test = tf.apply(test);
        }
        id.put("sha256_data", Provenance.sha256(concat(train, validation, test), null));
        id.put("train", train.size());
        id.put("validation", validation == null ? 0 : validation.size());
        id.put("test", test.size());
        id.put("feature_shape", train.featureShape());
        List<String> names = train.isClassification() ? train.classNames() : new java.util.ArrayList<>();
        id.put("class_names", names);
        if (train.isClassification()) id.put("class_counts_train", train.classCounts());
        if (vocab != null) names = vocab.chars();
        return new Prepared(train, validation, test, tf, names, id, image, vocab);
    }

    /** A CSV reader set up as the spec's data section says (header, delimiter, label, feature columns). */
    public static CsvReader csvReader(Experiment.Data d) {
        CsvReader.Builder b = CsvReader.builder().header(d.header()).delimiter(d.delimiter());
        if (d.label().matches("-?\\d+")) b.labelColumn(Integer.parseInt(d.label()));
        else b.labelColumn(d.label());
        if (!d.features().isEmpty()) b.featureColumns(d.features().toArray(new String[0]));
        if (!d.drop().isEmpty()) b.dropColumns(d.drop().toArray(new String[0]));
        return b.build();
    }

    static int[] range(int from, int to) {
        int[] r = new int[Math.max(0, to - from)];
        for (int i = 0; i < r.length; i++) r[i] = from + i;
        return r;
    }

    /** A generated series of two sines plus Gaussian noise, seeded: [length, 1]. */
    static Tensor sine(int length, double noise, long seed) {
        dev.machina.tensor.Rng rng = dev.machina.tensor.Rng.forStream(seed, 0x53696e65L);
        float[] v = new float[length];
        for (int t = 0; t < length; t++) {
            v[t] = (float) (Math.sin(2 * Math.PI * t / 50) + 0.5 * Math.sin(2 * Math.PI * t / 17) + noise * rng.nextGaussian());
        }
        return Tensor.of(v, length, 1);
    }

    private static int[] targetColumns(Experiment e, List<String> names, Path file, Experiment.Data d, int columns) {
        if (names.isEmpty()) return new int[] {columns - 1};
        String header = null;
        try (var r = Files.newBufferedReader(file)) {
            header = d.header() ? r.readLine() : null;
        } catch (java.io.IOException ex) {
            throw new UserError("cannot read " + file + ": " + ex.getMessage());
        }
        List<String> cols = header == null ? List.of() : java.util.Arrays.stream(header.split(java.util.regex.Pattern.quote(String.valueOf(d.delimiter()))))
                .map(x -> x.trim().replace("\"", "")).toList();
        int[] out = new int[names.size()];
        for (int i = 0; i < out.length; i++) {
            String t = names.get(i);
            if (t.matches("-?\\d+")) {
                int c = Integer.parseInt(t);
                out[i] = c < 0 ? columns + c : c;
            } else {
                out[i] = cols.indexOf(t);
                if (out[i] < 0) throw e.error("data.targets", "column '" + t + "' is not in " + file + " (columns: " + cols + ")");
            }
            if (out[i] < 0 || out[i] >= columns) throw e.error("data.targets", "column " + t + " is outside the " + columns + " columns of " + file);
        }
        return out;
    }

    private static Splits.Split split(TensorDataset ds, double fraction, boolean stratify, long seed) {
        if (stratify && ds.isClassification()) return Splits.stratified(ds.labels(), fraction, seed);
        return Splits.random(ds.size(), fraction, seed);
    }

    private static double maxAbs(TensorDataset ds) {
        double m = 0;
        for (float v : ds.features().data()) m = Math.max(m, Math.abs(v));
        return m == 0 ? 1 : m;
    }

    /** Hash input: features then labels of the three parts, so any change of data or split changes it. */
    private static float[] concat(TensorDataset... parts) {
        int n = 0;
        for (TensorDataset p : parts) if (p != null) n += p.features().size() + (p.isClassification() ? p.size() : 0);
        float[] out = new float[n];
        int o = 0;
        for (TensorDataset p : parts) {
            if (p == null) continue;
            float[] f = p.features().data();
            System.arraycopy(f, 0, out, o, f.length);
            o += f.length;
            if (p.isClassification()) for (int l : p.labels()) out[o++] = l;
        }
        return out;
    }
}
