package dev.machina.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.machina.data.Datasets;
import dev.machina.data.TensorDataset;
import dev.machina.experiment.Experiment;
import dev.machina.experiment.SpecRunner;
import dev.machina.experiment.UserError;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `data: {dataset: spark}`: a Parquet or CSV table read by Spark, its training rows split between the workers' partitions. */
class SparkTableTest {
    static JavaSparkContext sc;
    @TempDir
    static Path tables;
    static Path parquet, csv;

    @BeforeAll
    static void start() {
        sc = new JavaSparkContext(ClusterTests.driverConf(new SparkConf().setMaster("local[2]").setAppName("machina-table-test")));
        // the digits as a table: 64 pixel columns and a label column of class names
        TensorDataset d = Datasets.digits();
        List<StructField> fields = new ArrayList<>();
        for (int i = 0; i < 64; i++) fields.add(DataTypes.createStructField("p" + i, DataTypes.DoubleType, false));
        fields.add(DataTypes.createStructField("digit", DataTypes.StringType, false));
        List<Row> rows = new ArrayList<>();
        float[] x = d.features().data();
        String[] names = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};
        for (int r = 0; r < d.size(); r++) {
            Object[] v = new Object[65];
            for (int i = 0; i < 64; i++) v[i] = (double) x[r * 64 + i];
            v[64] = names[d.labels()[r]];
            rows.add(RowFactory.create(v));
        }
        SparkSession spark = SparkSession.builder().sparkContext(sc.sc()).getOrCreate();
        Dataset<Row> df = spark.createDataFrame(rows, new StructType(fields.toArray(new StructField[0]))).repartition(3);
        parquet = tables.resolve("digits.parquet");
        csv = tables.resolve("digits-csv");
        df.write().parquet(parquet.toString());
        df.write().option("header", "true").csv(csv.toString());
    }

    @AfterAll
    static void stop() {
        if (sc != null) sc.stop();
    }

    static Experiment spec(String data) {
        return Experiment.parse("table.yaml", """
                name: table
                seed: 9
                data: %s
                model: [{linear: 64}, relu, {linear: 10}]
                optimizer: {name: adam, lr: 3.0e-3}
                training: {epochs: 8, batch_size: 32}
                """.formatted(data), List.of());
    }

    @Test
    void aParquetTableTrainsOnShardsAndRepeatsBitForBit(@TempDir Path tmp) throws Exception {
        Experiment exp = spec("{dataset: spark, path: " + parquet + ", label: digit, test: 0.2, validation: 0.1}");
        SparkTraining.Result a = SparkTraining.of(exp).workers(2).runsDir(tmp.resolve("a")).report(false).run(sc);
        SparkTraining.Result b = SparkTraining.of(exp).workers(2).runsDir(tmp.resolve("b")).report(false).run(sc);
        assertThat(a.status()).isEqualTo("completed");
        assertThat(((Number) a.testResults().get("accuracy")).doubleValue()).isGreaterThanOrEqualTo(0.93);
        assertThat(SparkTrainingTest.maxAbsDiff(SparkTrainingTest.weights(a.dir()), SparkTrainingTest.weights(b.dir()))).isZero();
        JsonNode run = new ObjectMapper().readTree(a.dir().resolve("run.json").toFile());
        JsonNode ds = run.path("dataset");
        assertThat(ds.path("name").asText()).isEqualTo("spark");
        long train = ds.path("train").asLong();
        assertThat(train + ds.path("validation").asLong() + ds.path("test").asLong()).isEqualTo(1797);
        assertThat(ds.path("rows_per_worker").asLong()).isEqualTo((train + 1) / 2);
        // class names come from the label column, sorted
        assertThat(new ObjectMapper().readTree(a.dir().resolve("test-results.json").toFile()).toString()).contains("\"seven\"");
    }

    @Test
    void aCsvTableToo(@TempDir Path tmp) throws Exception {
        Experiment exp = spec("{dataset: spark, format: csv, path: " + csv + ", label: digit, transform: scale}");
        SparkTraining.Result r = SparkTraining.of(exp).workers(2).runsDir(tmp).report(false).run(sc);
        assertThat(r.status()).isEqualTo("completed");
        assertThat(((Number) r.testResults().get("accuracy")).doubleValue()).isGreaterThanOrEqualTo(0.9);
    }

    @Test
    void wrongColumnsAndLocalTrainingAreClearErrors(@TempDir Path tmp) {
        assertThatThrownBy(() -> SparkTraining.of(spec("{dataset: spark, path: " + parquet + ", label: class}")).workers(2).runsDir(tmp).run(sc))
                .isInstanceOf(UserError.class).hasMessageContaining("'class' is not in").hasMessageContaining("digit");
        assertThatThrownBy(() -> SparkTraining.of(spec("{dataset: spark, path: " + parquet + ", label: digit, features: [p1, q7]}")).workers(2)
                .runsDir(tmp).run(sc)).isInstanceOf(UserError.class).hasMessageContaining("'q7'");
        assertThatThrownBy(() -> SpecRunner.of(spec("{dataset: spark, path: " + parquet + ", label: digit}")).runsDir(tmp).run())
                .isInstanceOf(UserError.class).hasMessageContaining("--spark");
    }
}
