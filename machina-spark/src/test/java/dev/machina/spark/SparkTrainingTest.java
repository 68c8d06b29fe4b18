package dev.machina.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.machina.experiment.Experiment;
import dev.machina.experiment.SpecRunner;
import dev.machina.io.SafeTensors;
import dev.machina.run.RunDirectory;
import dev.machina.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Data-parallel training in local mode: 2 workers as 2 task slots of this JVM. */
class SparkTrainingTest {
    static JavaSparkContext sc;

    /** digits, no dropout (so one process and 2 workers take the same steps), a global batch of 32. */
    static final String SPEC = """
            name: dp-digits
            seed: 42
            data: {dataset: digits, test: 0.2, validation: 0.1, transform: standardize}
            model: [{linear: 128}, relu, {linear: 10}]
            optimizer: {name: adam, lr: 2.0e-3}
            training: {epochs: 6, batch_size: 32}
            """;

    @BeforeAll
    static void start() {
        sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("machina-test").set("spark.ui.enabled", "false"));
    }

    @AfterAll
    static void stop() {
        if (sc != null) sc.stop();
    }

    static Map<String, Tensor> weights(Path run) throws Exception {
        return SafeTensors.read(run.resolve(RunDirectory.MODEL)).tensors();
    }

    static float maxAbsDiff(Map<String, Tensor> a, Map<String, Tensor> b) {
        assertThat(a.keySet()).isEqualTo(b.keySet());
        float m = 0;
        for (String k : a.keySet()) {
            float[] x = a.get(k).data(), y = b.get(k).data();
            for (int i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }

    @Test
    void twoWorkersTrainWhatOneProcessTrainsAndRepeatBitForBit(@TempDir Path tmp) throws Exception {
        Experiment exp = Experiment.parse("dp.yaml", SPEC, java.util.List.of());
        SpecRunner.Result single = SpecRunner.of(exp).runsDir(tmp.resolve("single")).report(false).run();
        SparkTraining.Result a = SparkTraining.of(exp).workers(2).runsDir(tmp.resolve("a")).report(false).run(sc);
        SparkTraining.Result b = SparkTraining.of(exp).workers(2).runsDir(tmp.resolve("b")).report(false).run(sc);

        assertThat(a.status()).isEqualTo("completed");
        assertThat(((Number) a.testResults().get("accuracy")).doubleValue()).isGreaterThanOrEqualTo(0.97);
        assertThat(maxAbsDiff(weights(a.dir()), weights(b.dir()))).isZero();
        // float rounding differs (each worker's gradient is its half's mean, weighted and summed): after 6 epochs,
        // 234 Adam steps, the largest difference is 9e-8 here; the stated bound is 1e-5 (docs/SPARK.md)
        assertThat(maxAbsDiff(weights(single.dir()), weights(a.dir()))).isLessThan(1e-5f);

        JsonNode run = new ObjectMapper().readTree(a.dir().resolve("run.json").toFile());
        assertThat(run.path("status").asText()).isEqualTo("completed");
        assertThat(run.path("distributed").path("workers").asInt()).isEqualTo(2);
        assertThat(run.path("distributed").path("master").asText()).isEqualTo("local[2]");
        assertThat(run.path("distributed").path("sync_ms_per_step").asDouble()).isPositive();
        // the run is an ordinary run: the same epochs logged as one process's
        assertThat(Files.readAllLines(a.dir().resolve("history.csv"))).hasSameSizeAs(Files.readAllLines(single.dir().resolve("history.csv")));
    }

    @Test
    void aBadSpecIsOneClearErrorNotARestartLoop(@TempDir Path tmp) throws Exception {
        String spec = SPEC.replace("dataset: digits,", "dataset: csv, path: /nonexistent/x.csv,");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> SparkTraining.of(Experiment.parse("dp.yaml", spec, java.util.List.of())).workers(2).runsDir(tmp).run(sc))
                .isInstanceOf(dev.machina.experiment.UserError.class).hasMessageContaining("x.csv");
        // the run directory it began says so
        try (var runs = Files.walk(tmp)) {
            Path record = runs.filter(p -> p.getFileName().toString().equals("run.json")).findFirst().orElseThrow();
            JsonNode rec = new ObjectMapper().readTree(record.toFile());
            assertThat(rec.path("status").asText()).isEqualTo("failed");
            assertThat(rec.path("error").asText()).contains("x.csv");
        }
    }

    @Test
    void stopRecordsTheRunInterruptedAndItContinuesInOneProcess(@TempDir Path tmp) throws Exception {
        Experiment exp = Experiment.parse("dp.yaml", SPEC.replace("epochs: 6", "epochs: 400"), java.util.List.of());
        java.util.concurrent.CountDownLatch twoEpochs = new java.util.concurrent.CountDownLatch(2);
        SparkTraining t = SparkTraining.of(exp).workers(2).runsDir(tmp).report(false).listener(new dev.machina.experiment.ClusterBackend.TrainListener() {
            @Override
            public void epoch(Map<String, Double> logs) {
                twoEpochs.countDown();
            }
        });
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            java.util.concurrent.Future<SparkTraining.Result> f = pool.submit(() -> t.run(sc));
            assertThat(twoEpochs.await(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            t.stop();
            SparkTraining.Result r = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo("interrupted");
            JsonNode rec = new ObjectMapper().readTree(r.dir().resolve("run.json").toFile());
            assertThat(rec.path("status").asText()).isEqualTo("interrupted");
            int done = rec.path("epochs_completed").asInt();
            assertThat(done).isBetween(1, 399);
            // the checkpoint is an ordinary one: the run continues in this process
            SpecRunner.Result more = SpecRunner.resume(r.dir(), java.util.List.of("training.epochs=" + (done + 1))).report(false).run();
            assertThat(more.history().status().label()).isEqualTo("completed");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theReasonGivenIsTheTasksException() {
        String m = "Job aborted due to stage failure: Could not recover from a failed barrier ResultStage.\n"
                + "java.lang.IllegalArgumentException: regression needs targets\n\tat dev.machina.X.y(X.java:1)";
        assertThat(SparkTraining.rootMessage(new RuntimeException(m))).isEqualTo("java.lang.IllegalArgumentException: regression needs targets");
        assertThat(SparkTraining.rootMessage(new RuntimeException("no exception line here"))).isEqualTo("no exception line here");
    }
}
