package dev.machina.spark;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Assumptions;

/** Settings shared by the tests that start Spark. */
final class ClusterTests {
    private ClusterTests() {}

    /** {@code -Dmachina.spark.cluster=false} skips the tests that start a standalone cluster (tag spark-cluster). */
    static void assumeEnabled() {
        Assumptions.assumeFalse("false".equals(System.getProperty("machina.spark.cluster")),
                "standalone-cluster tests skipped (-Dmachina.spark.cluster=false)");
    }

    /** A driver on 127.0.0.1 without the web UI (tests run beside other builds). */
    static SparkConf driverConf(SparkConf c) {
        return c.set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1").set("spark.ui.enabled", "false")
                .set("spark.executor.memory", "512m");
    }
}
