package dev.machina.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/** The test cluster itself: a Master and two Workers as JVMs of their own run a job, and a barrier stage with a task on each. */
@Tag("spark-cluster")
@Timeout(180)
class StandaloneClusterTest {
    static StandaloneCluster cluster;
    static JavaSparkContext jsc;

    @BeforeAll
    static void start() throws Exception {
        ClusterTests.assumeEnabled();
        cluster = StandaloneCluster.start(2, 90);
        jsc = new JavaSparkContext(ClusterTests.driverConf(new SparkConf().setMaster(cluster.masterUrl()).setAppName("cluster-test")));
    }

    @AfterAll
    static void stop() {
        if (jsc != null) jsc.stop();
        if (cluster != null) cluster.close();
    }

    @Test
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
    void aJobRunsOnTheExecutors() {
        List<Integer> xs = new ArrayList<>();
        for (int i = 1; i <= 100; i++) xs.add(i);
        int sum = jsc.parallelize(xs, 4).map(x -> x * x).reduce(Integer::sum);
        assertThat(sum).isEqualTo(338350);
        assertThat(cluster.executors()).as("executor JVMs started by the workers").hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void aBarrierStageRunsItsTwoTasksTogetherInTwoExecutors() {
        List<String> out = jsc.parallelize(List.of(0, 1), 2).rdd().barrier()
                .mapPartitions(new Gather(), false, ClassTag$.MODULE$.apply(String.class)).toJavaRDD().collect();
        assertThat(out).hasSize(2);
        // each task saw both tasks' process ids through allGather: two distinct executor JVMs
        assertThat(out.get(0)).isEqualTo(out.get(1));
        assertThat(out.get(0).split(",")).hasSize(2).doesNotHaveDuplicates();
    }

    /** Each barrier task gathers every task's process id. */
    static final class Gather extends AbstractFunction1<scala.collection.Iterator<Integer>, scala.collection.Iterator<String>> implements Serializable {
        @Override
        public scala.collection.Iterator<String> apply(scala.collection.Iterator<Integer> in) {
            BarrierTaskContext ctx = BarrierTaskContext.get();
            String[] all = ctx.allGather(String.valueOf(ProcessHandle.current().pid()));
            return CollectionConverters.asScala(List.of(String.join(",", List.of(all))).iterator());
        }
    }
}
