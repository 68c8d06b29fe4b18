package dev.machina.spark;

import dev.machina.data.FeatureTransform;
import dev.machina.data.Scale;
import dev.machina.data.Standardizer;
import dev.machina.data.TensorDataset;
import dev.machina.experiment.Experiment;
import dev.machina.experiment.Prepared;
import dev.machina.experiment.Setup;
import dev.machina.experiment.UserError;
import dev.machina.tensor.Tensor;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import scala.Tuple2;

/**
 * A spec's {@code data: {dataset: spark, …}} table, read by Spark for data-parallel training. On
 * the driver: the columns are checked, the rows split at random (seeded) into train, validation and
 * test, the classes and the input transform's statistics computed by Spark over the training rows,
 * and the validation and test rows collected (every worker evaluates them whole, so every worker
 * decides early stopping alike). The training rows never reach the driver: numbered in table
 * order, they are dealt out to the workers' partitions (row {@code i} to worker {@code i mod N}),
 * each partition padded to the same size with repeated rows, as PyTorch's DistributedSampler
 * pads, so every worker takes the same number of steps.
 */
final class SparkData {
    private SparkData() {}

    /** What every worker gets besides its shard (broadcast once). */
    record Shared(List<String> classNames, int features, float[][] validation, int[] validationLabels, float[][] test, int[] testLabels,
                  Map<String, Object> transform, long trainRows, int shardSize, Map<String, Object> identity) implements Serializable {}

    /** The training shards (one partition per worker, keyed by row number) and what goes with them. */
    record Plan(JavaPairRDD<Long, float[]> shards, Broadcast<Shared> shared) {}

    static boolean isSparkTable(Experiment e) {
        return e.data().dataset().equals("spark");
    }

    static Plan plan(JavaSparkContext sc, Experiment e, int workers) {
        Experiment.Data d = e.data();
        SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
        String path = d.path(), format = String.valueOf(d.args().getOrDefault("format", "parquet"));
        Dataset<Row> df;
        try {
            df = format.equals("csv") ? spark.read().option("header", String.valueOf(d.header())).option("inferSchema", "true").csv(path)
                    : spark.read().parquet(path);
        } catch (RuntimeException ex) {
            throw new UserError("data.path: Spark cannot read " + path + " as " + format + ": " + firstLine(ex));
        }
        List<String> cols = Arrays.asList(df.columns());
        String label = d.label();
        if (!cols.contains(label)) throw e.error("data.label", "column '" + label + "' is not in " + path + " (columns: " + cols + ")");
        List<String> feats = new ArrayList<>(d.features());
        if (feats.isEmpty()) for (String c : cols) if (!c.equals(label)) feats.add(c);
        for (String f : feats) {
            if (!cols.contains(f)) throw e.error("data.features", "column '" + f + "' is not in " + path + " (columns: " + cols + ")");
            StructField field = df.schema().apply(f);
            if (!(field.dataType() instanceof NumericType)) {
                throw e.error("data.features", "column '" + f + "' of " + path + " holds " + field.dataType().simpleString() + ", not numbers");
            }
        }
        Column[] select = new Column[feats.size() + 1];
        for (int i = 0; i < feats.size(); i++) select[i] = functions.col(feats.get(i)).cast("double");
        select[feats.size()] = functions.col(label).cast("string");
        Dataset<Row> table = df.select(select).na().drop();

        List<String> classes = new ArrayList<>();
        for (Row r : table.select(functions.col(label)).distinct().collectAsList()) classes.add(r.getString(0));
        boolean numeric = classes.stream().allMatch(c -> c.matches("-?\\d+(\\.\\d+)?([eE]-?\\d+)?"));
        classes.sort(numeric ? Comparator.comparingDouble(Double::parseDouble) : Comparator.naturalOrder());
        if (classes.size() < 2) throw e.error("data.label", "column '" + label + "' of " + path + " has " + classes.size() + " distinct value(s): a classifier needs 2 or more");

        double t = d.test(), v = d.validation();
        Dataset<Row>[] parts = table.randomSplit(new double[] {(1 - t) * (1 - v), (1 - t) * v, t}, e.seed());
        Dataset<Row> train = parts[0];
        int f = feats.size();
        Map<String, Object> transform = transform(d, train, feats);
        long n = train.count();
        if (n == 0) throw e.error("data", path + " leaves no training rows");
        int shard = (int) ((n + workers - 1) / workers);
        List<Row> vr = parts[1].collectAsList(), tr = parts[2].collectAsList();
        float[][] val = features(vr, f), test = features(tr, f);
        if (test.length == 0) throw e.error("data.test", "leaves no test rows of " + path);

        Map<String, Object> id = new LinkedHashMap<>();
        id.put("name", "spark");
        id.put("path", path);
        id.put("format", format);
        id.put("columns", feats);
        id.put("label", label);
        id.put("train", n);
        id.put("validation", val.length);
        id.put("test", test.length);
        id.put("workers", workers);
        id.put("rows_per_worker", shard);
        id.put(Setup.SHARDED, true);
        Shared shared = new Shared(classes, f, val, labels(vr, f, classes), test, labels(tr, f, classes), transform, n, shard, id);
        Broadcast<Shared> b = sc.broadcast(shared);

        long padded = (long) shard * workers;
        List<String> cls = List.copyOf(classes);
        JavaPairRDD<Long, float[]> shards = train.javaRDD().zipWithIndex().flatMapToPair(p -> {
            float[] row = new float[f + 1];
            Row r = p._1();
            for (int i = 0; i < f; i++) row[i] = (float) r.getDouble(i);
            row[f] = cls.indexOf(r.getString(f));
            List<Tuple2<Long, float[]>> out = new ArrayList<>(2);
            for (long k = p._2(); k < padded; k += n) out.add(new Tuple2<>(k, row)); // rows n … padded-1 repeat the first ones
            return out.iterator();
        }).partitionBy(new ByRowNumber(workers));
        return new Plan(shards, b);
    }

    /** A worker's data: its shard (the rows of its partition, in row-number order) and the shared parts, with the transform applied. */
    static Prepared prepared(Shared s, scala.collection.Iterator<Tuple2<Long, float[]>> rows) {
        List<Tuple2<Long, float[]>> mine = new ArrayList<>();
        while (rows.hasNext()) mine.add(rows.next());
        mine.sort(Comparator.comparingLong(Tuple2::_1));
        int f = s.features();
        float[] x = new float[mine.size() * f];
        int[] y = new int[mine.size()];
        for (int i = 0; i < mine.size(); i++) {
            float[] r = mine.get(i)._2();
            System.arraycopy(r, 0, x, i * f, f);
            y[i] = (int) r[f];
        }
        TensorDataset train = TensorDataset.classification(Tensor.of(x, mine.size(), f), y, s.classNames());
        TensorDataset val = s.validation().length == 0 ? null : dataset(s.validation(), s.validationLabels(), s);
        TensorDataset test = dataset(s.test(), s.testLabels(), s);
        FeatureTransform tf = s.transform() == null ? null : FeatureTransform.fromState(s.transform());
        if (tf != null) {
            train = tf.apply(train);
            if (val != null) val = tf.apply(val);
            test = tf.apply(test);
        }
        Map<String, Object> id = new LinkedHashMap<>(s.identity());
        id.put("feature_shape", new int[] {f});
        id.put("class_names", s.classNames());
        return new Prepared(train, val, test, tf, s.classNames(), id, null, null);
    }

    private static TensorDataset dataset(float[][] rows, int[] labels, Shared s) {
        float[] x = new float[rows.length * s.features()];
        for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, x, i * s.features(), s.features());
        return TensorDataset.classification(Tensor.of(x, rows.length, s.features()), labels, s.classNames());
    }

    private static Map<String, Object> transform(Experiment.Data d, Dataset<Row> train, List<String> feats) {
        String kind = d.transform();
        if (kind.equals("none")) return null;
        Column[] aggs = new Column[2 * feats.size()];
        for (int i = 0; i < feats.size(); i++) {
            Column c = functions.col(feats.get(i));
            aggs[2 * i] = kind.equals("scale") ? functions.max(functions.abs(c)) : functions.avg(c);
            aggs[2 * i + 1] = functions.stddev_pop(c);
        }
        Row r = train.agg(aggs[0], Arrays.copyOfRange(aggs, 1, aggs.length)).first();
        if (kind.equals("scale")) {
            if (d.scale() != null) return Scale.by(d.scale()).state();
            double m = 0;
            for (int i = 0; i < feats.size(); i++) m = Math.max(m, r.isNullAt(2 * i) ? 0 : r.getDouble(2 * i));
            return Scale.by(m == 0 ? 1 : 1 / m).state();
        }
        double[] mean = new double[feats.size()], std = new double[feats.size()];
        for (int i = 0; i < feats.size(); i++) {
            mean[i] = r.isNullAt(2 * i) ? 0 : r.getDouble(2 * i);
            std[i] = r.isNullAt(2 * i + 1) ? 0 : r.getDouble(2 * i + 1);
        }
        Map<String, Object> st = new LinkedHashMap<>();
        st.put("type", "standardize");
        st.put("mean", Arrays.stream(mean).boxed().toList());
        st.put("std", Arrays.stream(std).boxed().toList());
        return Standardizer.fromState(st).state();
    }

    private static float[][] features(List<Row> rows, int f) {
        float[][] out = new float[rows.size()][f];
        for (int i = 0; i < rows.size(); i++) for (int j = 0; j < f; j++) out[i][j] = (float) rows.get(i).getDouble(j);
        return out;
    }

    private static int[] labels(List<Row> rows, int f, List<String> classes) {
        int[] out = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) out[i] = classes.indexOf(rows.get(i).getString(f));
        return out;
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** Row number {@code k} goes to worker {@code k mod N}. */
    static final class ByRowNumber extends Partitioner {
        private final int n;

        ByRowNumber(int n) {
            this.n = n;
        }

        @Override
        public int numPartitions() {
            return n;
        }

        @Override
        public int getPartition(Object key) {
            return (int) Math.floorMod((Long) key, (long) n);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ByRowNumber b && b.n == n;
        }

        @Override
        public int hashCode() {
            return n;
        }
    }
}
