package dev.machina.spark;

import dev.machina.experiment.ClusterBackend;
import dev.machina.experiment.TrialExecutor;
import java.util.Map;

/**
 * Apache Spark as Machina's {@link ClusterBackend} ({@code --spark MASTER}), registered with
 * {@link java.util.ServiceLoader} in META-INF/services. {@link #trials} starts a Spark context on
 * {@code master} and runs each sweep trial as a Spark task ({@link SparkTrials}).
 */
public final class SparkBackend implements ClusterBackend {
    @Override
    public String name() {
        return "spark";
    }

    /**
     * @param master {@code local[N]}, {@code local[*]}, {@code spark://HOST:PORT}, or any master URL Spark accepts
     * @param conf   Spark settings ({@code spark.*}) over {@link SparkTrials}' defaults, and Machina's own {@code machina.*} ones
     */
    @Override
    public TrialExecutor trials(String master, Map<String, String> conf) {
        return SparkTrials.start(master, conf);
    }
}
