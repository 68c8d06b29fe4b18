package dev.machina.spark;

import dev.machina.experiment.ClusterBackend;
import dev.machina.experiment.Experiment;
import dev.machina.experiment.TrialExecutor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Apache Spark as Machina's {@link ClusterBackend} ({@code --spark MASTER}), registered with
 * {@link java.util.ServiceLoader} in META-INF/services. {@link #trials} starts a Spark context on
 * {@code master} and runs each sweep trial as a Spark task ({@link SparkTrials}); {@link #train}
 * trains one model on a barrier stage of workers ({@link SparkTraining}).
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

    @Override
    public TrainResult train(String master, Map<String, String> conf, Experiment experiment, int workers, Path runsDir, String name,
                             TrainListener listener) throws IOException {
        Map<String, String> c = new LinkedHashMap<>();
        // training's defaults, each below a spark.* system property of the same name (as Machina's other defaults are)
        SparkTraining.defaults().forEach((k, v) -> {
            if (System.getProperty(k) == null) c.put(k, v);
        });
        c.putAll(conf);
        try (SparkTrials spark = SparkTrials.start(master, c)) {
            var sc = spark.context();
            SparkTraining.Result r = SparkTraining.of(experiment).workers(workers > 0 ? workers : sc.defaultParallelism()).runsDir(runsDir)
                    .name(name).listener(listener).run(sc);
            return new TrainResult(r.dir(), r.status(), r.reason(), r.workers(), r.restarts(), r.syncMsPerStep(), r.testResults(), r.reportFile());
        }
    }
}
