package dev.machina.spark;

import dev.machina.experiment.SweepRunner;
import dev.machina.experiment.SweepSpec;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Sweeps on a Spark context the caller already has (a program that runs Spark jobs): every trial
 * is a Spark task, and {@code dir} ends up as {@code machina tune} leaves it, less the plots and
 * report.html, which the command draws (with machina-cli on the class path, {@code
 * machina report} or {@code RunReporter} write them). The context stays open.
 *
 * <pre>{@code
 * SweepSpec spec = SweepSpec.load(Path.of("examples/digits-sweep.yaml"), List.of());
 * Path dir = SweepRunner.createDir(Path.of("runs"), spec.name());
 * SweepRunner.Outcome o = SparkSweeps.run(spark, spec, dir);   // spark: a SparkSession
 * System.out.println(o.leaderboard().best());
 * }</pre>
 *
 * In {@code local[N]} mode Spark retries a failed task only when the master says so
 * ({@code local[N,2]}); on a cluster, {@code spark.task.maxFailures} (Spark's default 4) applies.
 */
public final class SparkSweeps {
    private SparkSweeps() {}

    public static SweepRunner.Outcome run(SparkSession spark, SweepSpec spec, Path dir) throws IOException {
        return run(JavaSparkContext.fromSparkContext(spark.sparkContext()), spec, dir, null);
    }

    public static SweepRunner.Outcome run(JavaSparkContext jsc, SweepSpec spec, Path dir) throws IOException {
        return run(jsc, spec, dir, null);
    }

    /** As {@link #run(JavaSparkContext, SweepSpec, Path)}, telling {@code listener} of every trial's start, epochs and end. */
    public static SweepRunner.Outcome run(JavaSparkContext jsc, SweepSpec spec, Path dir, SweepRunner.Listener listener) throws IOException {
        return new SweepRunner(spec, dir, SparkTrials.on(jsc), listener).run();
    }
}
