package dev.machina.experiment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * A cluster engine that runs Machina's work on other processes or machines, found with {@link
 * ServiceLoader} so that nothing below it (and not the command line) depends on the engine:
 * machina-spark registers {@code dev.machina.spark.SparkBackend} (name {@code spark}). A program
 * without that module on its class path never loads the engine; {@link #require} then says how
 * to get it.
 */
public interface ClusterBackend {
    /** The name users select it by ({@code --spark} selects {@code spark}). */
    String name();

    /**
     * An executor that runs each sweep trial as a task of the cluster at {@code master}
     * ({@code local[N]}, {@code spark://HOST:PORT}, …). It owns the connection it opens: close it
     * after the sweep.
     *
     * @param conf engine settings on top of the backend's defaults (Spark: {@code spark.*} keys)
     */
    TrialExecutor trials(String master, Map<String, String> conf);

    /**
     * What a data-parallel run left: its run directory (an ordinary run), how it ended, and its
     * test results (empty unless it finished).
     *
     * @param restarts how many times lost workers were started again (from the last checkpoint)
     */
    record TrainResult(Path dir, String status, String reason, int workers, int restarts, double syncMsPerStep,
                       Map<String, Object> testResults, Path reportFile) {}

    /** What the caller hears while a data-parallel run goes. */
    interface TrainListener {
        /** The run directory exists; {@code workers} workers are starting; {@code stop} stops the run (thread-safe, e.g. on Ctrl-C). */
        default void started(Path runDir, int workers, Runnable stop) {}

        /** An epoch ended (the values worker 0 logged). */
        default void epoch(Map<String, Double> logs) {}

        /** Workers were lost and start again. */
        default void restarting(int attempt, String reason, boolean fromCheckpoint) {}
    }

    /**
     * Trains {@code experiment} by synchronous data parallelism on {@code workers} tasks of the
     * cluster at {@code master} (0 = every task slot it has) into a new run directory under
     * {@code runsDir}, named {@code name} (null: the spec's), then tests it and writes its report.
     */
    TrainResult train(String master, Map<String, String> conf, Experiment experiment, int workers, Path runsDir, String name,
                      TrainListener listener) throws IOException;

    /** The backend called {@code name} on the class path, if any. */
    static Optional<ClusterBackend> find(String name) {
        for (ClusterBackend b : ServiceLoader.load(ClusterBackend.class)) if (b.name().equals(name)) return Optional.of(b);
        return Optional.empty();
    }

    /** The backend called {@code name}; a {@link UserError} naming {@code option} and how to get the module when it is absent. */
    static ClusterBackend require(String name, String option) {
        return find(name).orElseThrow(() -> new UserError(option + " needs the machina-" + name + " module, which is not on the class path: "
                + "run through ./machina (it builds the module the first time " + option + " is given), or put machina-" + name
                + ".jar and its lib/ folder on the class path (docs/SPARK.md)"));
    }
}
