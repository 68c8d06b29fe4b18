package dev.machina.experiment;

import dev.machina.data.CsvReader;
import dev.machina.data.DataFormatException;
import dev.machina.data.DatasetNotFoundException;
import dev.machina.data.FeatureTransform;
import dev.machina.data.MinMaxScaler;
import dev.machina.data.Scale;
import dev.machina.data.Sequences;
import dev.machina.data.Splits;
import dev.machina.data.Standardizer;
import dev.machina.data.TensorDataset;
import dev.machina.run.Provenance;
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
        DatasetRegistry.Loaded loaded;
        try {
            loaded = DatasetRegistry.DATASETS.get(d.dataset()).factory().load(e, d.args());
        } catch (UserError ex) {
            throw ex;
        } catch (DatasetNotFoundException | DataFormatException ex) {
            throw new UserError(ex.getMessage(), ex);
        } catch (java.io.IOException ex) {
            throw new UserError("cannot read data: " + ex.getMessage(), ex);
        } catch (IllegalArgumentException ex) {
            throw new UserError("data: " + ex.getMessage(), ex);
        }
        TensorDataset train = loaded.train(), test = loaded.test();
        Map<String, Object> id = new LinkedHashMap<>();
        id.put("name", d.dataset());
        id.putAll(loaded.identity());
        TensorDataset validation = null;
        if (d.validation() > 0 && loaded.ordered()) {
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
        id.put("sha256_data", sha256(train, validation, test));
        id.put("train", train.size());
        id.put("validation", validation == null ? 0 : validation.size());
        id.put("test", test.size());
        id.put("feature_shape", train.featureShape());
        List<String> names = train.isClassification() ? train.classNames() : new java.util.ArrayList<>();
        id.put("class_names", names);
        if (train.isClassification()) id.put("class_counts_train", train.classCounts());
        Sequences.Vocabulary vocab = loaded.vocabulary();
        if (vocab != null) names = vocab.chars();
        return new Prepared(train, validation, test, tf, names, id, loaded.imageShape(), vocab);
    }

    /** A CSV reader set up as the spec's data section says (header, delimiter, label, feature columns). */
    public static CsvReader csvReader(Experiment.Data d) {
        return csvReaderBuilder(d).build();
    }

    /** The builder of {@link #csvReader}, to change a setting (e.g. the header, or the classes labels map to). */
    public static CsvReader.Builder csvReaderBuilder(Experiment.Data d) {
        CsvReader.Builder b = CsvReader.builder().delimiter(d.delimiter()).skipRows(d.skipRows());
        if (d.header() == null) b.headerAuto();
        else b.header(d.header());
        if (d.comment() != null) b.comment(d.comment());
        if (d.label().matches("-?\\d+")) b.labelColumn(Integer.parseInt(d.label()));
        else b.labelColumn(d.label());
        return b.featureColumnRefs(d.features()).dropColumnRefs(d.drop());
    }

    static int[] range(int from, int to) {
        int[] r = new int[Math.max(0, to - from)];
        for (int i = 0; i < r.length; i++) r[i] = from + i;
        return r;
    }

    private static Splits.Split split(TensorDataset ds, double fraction, boolean stratify, long seed) {
        if (stratify && ds.isClassification()) return Splits.stratified(ds.labels(), fraction, seed);
        return Splits.random(ds.size(), fraction, seed);
    }

    private static double maxAbs(TensorDataset ds) {
        double[] m = {0};
        forEachFeature(ds, v -> m[0] = Math.max(m[0], Math.abs(v)));
        return m[0] == 0 ? 1 : m[0];
    }

    /** Every feature value of {@code ds} in order; a dataset held as bytes is turned into floats a block of rows at a time. */
    private static void forEachFeature(TensorDataset ds, FloatConsumer f) {
        if (!ds.holdsBytes()) {
            for (float v : ds.features().data()) f.accept(v);
            return;
        }
        for (int from = 0; from < ds.size(); from += 1024) {
            for (float v : ds.gather(range(from, Math.min(ds.size(), from + 1024))).features().data()) f.accept(v);
        }
    }

    private interface FloatConsumer {
        void accept(float v);
    }

    /**
     * SHA-256 of the features then the labels (as floats) of each part, so any change of data or
     * split changes it: {@link Provenance#sha256(float[], int[])} of the parts laid end to end,
     * fed to the digest as it goes rather than copied into one array first.
     */
    static String sha256(TensorDataset... parts) {
        try {
            var md = java.security.MessageDigest.getInstance("SHA-256");
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(1 << 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (TensorDataset p : parts) {
                if (p == null) continue;
                if (!p.holdsBytes()) {
                    put(md, bb, p.features().data());
                } else {
                    for (int from = 0; from < p.size(); from += 1024) put(md, bb, p.gather(range(from, Math.min(p.size(), from + 1024))).features().data());
                }
                if (p.isClassification()) {
                    int[] labels = p.labels();
                    float[] asFloats = new float[labels.length];
                    for (int i = 0; i < labels.length; i++) asFloats[i] = labels[i];
                    put(md, bb, asFloats);
                }
            }
            md.update(bb.array(), 0, bb.position());
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Appends {@code values} as little-endian floats, a buffer's worth at a time (a bulk copy, not a call a value: fast while still interpreted). */
    private static void put(java.security.MessageDigest md, java.nio.ByteBuffer bb, float[] values) {
        for (int i = 0; i < values.length; ) {
            if (bb.remaining() < Float.BYTES) {
                md.update(bb.array(), 0, bb.position());
                bb.clear();
            }
            int n = Math.min(values.length - i, bb.remaining() / Float.BYTES);
            bb.asFloatBuffer().put(values, i, n);
            bb.position(bb.position() + n * Float.BYTES);
            i += n;
        }
    }
}
