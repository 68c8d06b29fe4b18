package dev.machina.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.experiment.Experiment;
import dev.machina.run.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel training on a standalone cluster (a Master and two Workers, 1 core each, as JVMs
 * of their own): the accuracy of local training, and an executor killed mid-run (kill -9) costs
 * a restart from the last checkpoint, not a bit of the result.
 */
@Tag("spark-cluster")
@Timeout(300)
class SparkTrainingClusterTest {
    static StandaloneCluster cluster;
    static JavaSparkContext jsc;

    /** digits-mlp with dropout, long enough (12 epochs of batches of 16) to kill an executor in the middle. */
    static final String SPEC = """
            name: dp-cluster
            seed: 42
            data: {dataset: digits, test: 0.2, validation: 0.1, transform: standardize}
            model: [{linear: 256}, relu, {dropout: 0.2}, {linear: 128}, relu, {dropout: 0.2}, {linear: 10}]
            optimizer: {name: adam, lr: 1.0e-3}
            schedule: {name: cosine}
            training: {epochs: 12, batch_size: 16}
            """;

    @BeforeAll
    static void start() throws Exception {
        ClusterTests.assumeEnabled();
        cluster = StandaloneCluster.start(2, 90);
        SparkConf conf = ClusterTests.driverConf(new SparkConf().setMaster(cluster.masterUrl()).setAppName("training-cluster-test"));
        for (Map.Entry<String, String> e : SparkTraining.defaults().entrySet()) conf.set(e.getKey(), e.getValue());
        jsc = new JavaSparkContext(conf);
    }

    @AfterAll
    static void stop() {
        if (jsc != null) jsc.stop();
        if (cluster != null) cluster.close();
    }

    static List<String> epochLines(Path run) throws Exception {
        List<String> out = new ArrayList<>();
        for (String l : Files.readAllLines(run.resolve(RunDirectory.METRICS))) {
            if (l.contains("\"type\":\"epoch\"")) out.add(l.replaceAll("\"(epoch_time_s|samples_per_s|sync_ms_per_step|time|duration_s)\":[^,}]*", ""));
        }
        return out;
    }

    @Test
    void aKilledExecutorCostsARestartNotABit(@TempDir Path tmp) throws Exception {
        Experiment exp = Experiment.parse("dp.yaml", SPEC, List.of());
        SparkTraining.Result calm = SparkTraining.of(exp).workers(2).runsDir(tmp.resolve("calm")).report(false).run(jsc);
        assertThat(calm.status()).isEqualTo("completed");
        assertThat(calm.restarts()).isZero();
        assertThat(((Number) calm.testResults().get("accuracy")).doubleValue()).isGreaterThanOrEqualTo(0.97);

        // the same run; once its third epoch's checkpoint is saved, one executor JVM is killed
        Path runs = tmp.resolve("killed");
        Thread killer = new Thread(() -> {
            try {
                long end = System.nanoTime() + 120_000_000_000L;
                while (System.nanoTime() < end) {
                    try (var dirs = Files.walk(runs)) {
                        Path m = dirs.filter(p -> p.getFileName().toString().equals(RunDirectory.METRICS)).findFirst().orElse(null);
                        if (m != null && Files.readAllLines(m).stream().filter(l -> l.contains("\"type\":\"epoch\"")).count() >= 3) {
                            Thread.sleep(150); // into epoch 4: its checkpoint of epoch 3 is written right after the epoch line
                            ProcessHandle victim = cluster.executors().get(0);
                            victim.destroyForcibly();
                            return;
                        }
                    } catch (java.io.IOException | java.io.UncheckedIOException notYet) {
                        // the directory is being created
                    }
                    Thread.sleep(20);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Files.createDirectories(runs);
        killer.start();
        SparkTraining.Result hit = SparkTraining.of(exp).workers(2).runsDir(runs).report(false).run(jsc);
        killer.join();
        assertThat(hit.status()).isEqualTo("completed");
        assertThat(hit.restarts()).as("restarts after the kill").isGreaterThanOrEqualTo(1);
        assertThat(SparkTrainingTest.maxAbsDiff(SparkTrainingTest.weights(calm.dir()), SparkTrainingTest.weights(hit.dir()))).isZero();
        assertThat(epochLines(hit.dir())).isEqualTo(epochLines(calm.dir()));
        assertThat(hit.testResults().get("accuracy")).isEqualTo(calm.testResults().get("accuracy"));
        assertThat(Files.readString(hit.dir().resolve(RunDirectory.LOG))).contains("workers lost");
    }
}
