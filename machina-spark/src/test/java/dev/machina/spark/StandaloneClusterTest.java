package dev.machina.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.experiment.SweepRunner;
import dev.machina.experiment.SweepSpec;
import dev.machina.experiment.TrialExecutor;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import scala.reflect.ClassTag$;

/**
 * On a standalone cluster (a Master and two Workers as JVMs of their own, one class-wide): a job,
 * a barrier stage with a task on each worker, a sweep equal to the local one, and a sweep that
 * loses an executor JVM mid-trial.
 */
@Tag("spark-cluster")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the executor kill last
@Timeout(180)
class StandaloneClusterTest {
    static StandaloneCluster cluster;
    static JavaSparkContext jsc;

    @BeforeAll
    static void start() throws Exception {
        ClusterTests.assumeEnabled();
        cluster = StandaloneCluster.start(2, 90);
        jsc = new JavaSparkContext(ClusterTests.driverConf(new SparkConf().setMaster(cluster.masterUrl()).setAppName("cluster-test")
                .set("spark.task.maxFailures", "2")));
    }

    @AfterAll
    static void stop() {
        if (jsc != null) jsc.stop();
        if (cluster != null) cluster.close();
    }

    @Test
    @Order(1)
    void twoWorkersRegistered() throws Exception {
        int alive = 0;
        for (var w : cluster.status().path("workers")) {
            if (w.path("state").asText().equals("ALIVE")) {
                alive++;
                assertThat(w.path("cores").asInt()).isEqualTo(1);
                assertThat(w.path("memory").asInt()).isEqualTo(1024);
            }
        }
        assertThat(alive).isEqualTo(2);
    }

    @Test
    @Order(2)
    void aJobRunsOnTheExecutors() {
        List<Integer> xs = new ArrayList<>();
        for (int i = 1; i <= 100; i++) xs.add(i);
        int sum = jsc.parallelize(xs, 4).map(TinyJobs.SQUARE).reduce(TinyJobs.SUM);
        assertThat(sum).isEqualTo(338350);
        assertThat(cluster.executors()).as("executor JVMs started by the workers").hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    @Order(3)
    void aBarrierStageRunsItsTwoTasksTogetherInTwoExecutors() {
        List<String> out = jsc.parallelize(List.of(0, 1), 2).rdd().barrier()
                .mapPartitions(new TinyJobs.Gather(), false, ClassTag$.MODULE$.apply(String.class)).toJavaRDD().collect();
        assertThat(out).hasSize(2);
        // each task saw both tasks' process ids through allGather: two distinct executor JVMs
        assertThat(out.get(0)).isEqualTo(out.get(1));
        assertThat(out.get(0).split(",")).hasSize(2).doesNotHaveDuplicates();
    }

    @Test
    @Order(4)
    void aSweepOnTheClusterIsTheLocalSweep(@TempDir Path tmp) throws Exception {
        SweepSpec spec = SweepFixtures.grid();
        SweepRunner.Outcome local = SweepFixtures.run(spec, tmp.resolve("local"), TrialExecutor.threads(1));
        // Machina's jars are not in the workers' Spark home: the driver ships them (ShippedJars)
        SweepRunner.Outcome spark = SparkSweeps.run(jsc, spec, SweepRunner.createDir(tmp.resolve("spark"), spec.name()));
        SweepFixtures.assertSameSweep(local.dir(), spark.dir());
    }

    @Test
    @Order(5)
    void anExecutorKilledMidTrialReRunsItsTrialWithoutADuplicate(@TempDir Path tmp) throws Exception {
        SweepSpec spec = SweepSpec.parse("long.yaml", SweepFixtures.BASE.formatted("long", 12) + """
                space:
                  optimizer.lr: [0.0003, 0.001, 0.003, 0.01]
                """, null, List.of());
        SweepRunner.Outcome local = SweepFixtures.run(spec, tmp.resolve("local"), TrialExecutor.threads(1));
        Map<Integer, Integer> starts = new ConcurrentHashMap<>();
        CountDownLatch twoTraining = new CountDownLatch(2);
        SweepRunner.Listener l = new SweepRunner.Listener() {
            @Override
            public void epoch(int trial, int epoch, double value, double best) {
                if (epoch == 2) twoTraining.countDown();
            }

            @Override
            public void started(int trial, Map<String, Object> params, int epochs) {
                starts.merge(trial, 1, Integer::sum);
            }
        };
        Path dir = SweepRunner.createDir(tmp.resolve("spark"), spec.name());
        CompletableFuture<SweepRunner.Outcome> run = CompletableFuture.supplyAsync(() -> {
            try {
                return SparkSweeps.run(jsc, spec, dir, l);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        assertThat(twoTraining.await(120, TimeUnit.SECONDS)).as("two trials training").isTrue();
        List<ProcessHandle> executors = cluster.executors();
        assertThat(executors).isNotEmpty();
        executors.get(0).destroyForcibly(); // kill -9 of one executor JVM, mid-trial
        SweepRunner.Outcome o = run.get(180, TimeUnit.SECONDS);
        assertThat(starts.values().stream().mapToInt(Integer::intValue).sum()).as("a trial started again: " + starts).isGreaterThan(4);
        SweepFixtures.assertSameSweep(local.dir(), o.dir());
    }
}
