package dev.machina.spark;

import dev.machina.experiment.TrialExecutor;
import dev.machina.experiment.TrialOutcome;
import dev.machina.experiment.TrialTask;
import dev.machina.experiment.UserError;
import dev.machina.kernel.Parallel;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;

/**
 * Runs each sweep trial as one Spark task, one job per trial (submitted together, so Spark runs
 * as many at once as it has task slots, in trial order). The task gets the trial's portable form
 * ({@link TrialTask}), trains it in a temporary directory of its executor with
 * {@code spark.task.cpus} kernel threads, and returns its outcome with the run directory's files
 * as the task result; the driver unpacks them beside the sweep and renames them into place
 * ({@link TrialExecutor.Remote#finish}). Progress and pruning go over a {@link SweepLink} to the
 * driver, where the sweep's one pruner decides as in a local asynchronous sweep.
 *
 * <p>A task that throws (or whose executor is lost) is retried by Spark up to
 * {@code spark.task.maxFailures} attempts (2 by default here; in {@code local[N]} the master
 * becomes {@code local[N,2]}, Spark's local form of the same setting); when every attempt fails
 * the trial is recorded as failed with Spark's reason. Only a task's result makes a trial
 * directory, and only the first one for a trial, so a retried task never makes two.
 */
public final class SparkTrials implements TrialExecutor {
    /** Machina's setting (not Spark's) that fails trial tasks on purpose, for tests: {@code "3@1,5"} fails trial 3's first attempt and every attempt of trial 5. */
    public static final String FAIL_TRIALS = "machina.test.failTrials";
    private static final Pattern LOCAL = Pattern.compile("local(\\[(\\d+|\\*)(,\\d+)?])?");
    private static final Pattern SPARK_FAILURE = Pattern.compile("failed (\\d+) times?, most recent failure: Lost task \\S+ in stage \\S+ \\([^)]*\\)(?: \\([^)]*\\))?: (.*)");

    private final JavaSparkContext jsc;
    private final boolean owned;
    private final String failTrials;

    private SparkTrials(JavaSparkContext jsc, boolean owned, String failTrials) {
        this.jsc = jsc;
        this.owned = owned;
        this.failTrials = failTrials == null ? "" : failTrials;
        if (!jsc.sc().isLocal()) ShippedJars.addTo(jsc);
    }

    /** Trials on a Spark context the caller owns (and stops); local mode retries a task only when its master says so ({@code local[N,F]}). */
    public static SparkTrials on(JavaSparkContext jsc) {
        return new SparkTrials(jsc, false, jsc.getConf().get(FAIL_TRIALS, ""));
    }

    /**
     * A new Spark context on {@code master}; {@link #close()} stops it. Its settings: {@code conf},
     * then {@code spark.*} Java system properties, then {@link #defaults()}.
     */
    public static SparkTrials start(String master, Map<String, String> conf) {
        // Spark's logging, unless configured otherwise: before any Spark class logs (SparkConf does), which fixes log4j's set-up
        if (System.getProperty("log4j2.configurationFile") == null && System.getProperty("log4j.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "classpath:dev/machina/spark/log4j2.properties");
        }
        SparkConf sc = new SparkConf(); // reads the spark.* system properties
        for (var e : conf.entrySet()) if (!e.getKey().startsWith("machina.")) sc.set(e.getKey(), e.getValue());
        for (var e : defaults().entrySet()) sc.setIfMissing(e.getKey(), e.getValue());
        String m = master.strip();
        Matcher local = LOCAL.matcher(m);
        if (local.matches()) {
            if (System.getenv("SPARK_LOCAL_IP") == null) { // everything in this JVM: keep Spark's sockets on the loopback interface
                sc.setIfMissing("spark.driver.host", "127.0.0.1");
                sc.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
            }
            // local mode ignores spark.task.maxFailures; local[N,F] is its way of saying it
            if (local.group(3) == null) m = "local[" + (local.group(2) == null ? "1" : local.group(2)) + "," + sc.get("spark.task.maxFailures") + "]";
        } else if (!m.matches("(spark|mesos|k8s)://.+|yarn")) {
            throw new UserError("--spark: '" + master + "' is not a Spark master: expected local[N] (N threads of this JVM), local[*], "
                    + "spark://HOST:PORT (a standalone cluster), yarn or k8s://URL");
        }
        sc.setMaster(m);
        JavaSparkContext jsc;
        try {
            jsc = new JavaSparkContext(sc);
        } catch (RuntimeException e) {
            throw new UserError("--spark " + master + ": cannot start Spark: " + e.getMessage(), e);
        }
        return new SparkTrials(jsc, true, conf.get(FAIL_TRIALS));
    }

    /** The same executor, failing the trial tasks {@code spec} names on purpose ({@link #FAIL_TRIALS}). */
    SparkTrials failing(String spec) {
        return new SparkTrials(jsc, owned, spec);
    }

    /** What {@link #start} sets unless its {@code conf} or a {@code spark.*} system property says otherwise. */
    public static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("spark.app.name", "machina sweep");
        d.put("spark.task.maxFailures", "2");
        // the kernels recurse through autograd graphs: Machina's own launcher gives every JVM 4 MB stacks
        d.put("spark.executor.extraJavaOptions", "-Xss4m");
        return d;
    }

    public JavaSparkContext context() {
        return jsc;
    }

    @Override
    public int parallelism() {
        return jsc.defaultParallelism();
    }

    @Override
    public void execute(List<Trial> trials) throws InterruptedException {
        Map<Integer, Remote> remotes = new HashMap<>();
        for (Trial t : trials) remotes.put(t.number(), t.remote());
        String host = jsc.sc().isLocal() ? "127.0.0.1" : jsc.getConf().get("spark.driver.host", "127.0.0.1");
        int threads = jsc.getConf().getInt("spark.task.cpus", 1);
        String group = "machina-sweep-" + UUID.randomUUID();
        Throwable[] error = new Throwable[1];
        try (SweepLink link = new SweepLink(host, remotes); ExecutorService waiters = Executors.newVirtualThreadPerTaskExecutor()) {
            jsc.setJobGroup(group, "machina sweep", true);
            for (Trial t : trials) {
                TrialTask task = t.remote().task();
                Task spec = new Task(task, link.host(), link.port(), link.token(), threads, failAttempts(failTrials, task.trial()));
                jsc.setJobDescription("trial " + task.trial());
                JavaFutureAction<List<TrialOutcome>> f = jsc.parallelize(List.of(spec), 1).map(new RunTrial()).collectAsync();
                waiters.submit(() -> {
                    try {
                        collect(f, t.remote());
                    } catch (Throwable e) {
                        synchronized (error) {
                            if (error[0] == null) error[0] = e;
                        }
                        jsc.sc().cancelJobGroup(group);
                    }
                    return null;
                });
            }
            waiters.shutdown();
            while (!waiters.awaitTermination(1, TimeUnit.SECONDS)) {
                // waits for every trial's job
            }
        } catch (InterruptedException e) {
            jsc.sc().cancelJobGroup(group);
            throw e;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            jsc.clearJobGroup();
        }
        boolean stopped = false;
        for (Trial t : trials) stopped |= t.remote().stopping();
        if (error[0] == null && !stopped && jsc.sc().isStopped()) {
            throw new IllegalStateException("Spark stopped before the sweep ended (see its messages above); the trials it finished are kept: "
                    + "continue with machina tune --resume");
        }
        if (error[0] instanceof RuntimeException re) throw re;
        if (error[0] instanceof Error er) throw er;
        if (error[0] != null) throw new IllegalStateException(error[0].getMessage(), error[0]);
    }

    private void collect(JavaFutureAction<List<TrialOutcome>> f, Remote remote) throws IOException, InterruptedException {
        TrialOutcome o;
        try {
            o = f.get().get(0);
        } catch (ExecutionException e) {
            // the sweep was stopped (Ctrl-C stops Spark too), or Spark itself stopped: not the trial's failure; a resume runs it
            if (remote.stopping() || jsc.sc().isStopped()) return;
            remote.fail(reason(e.getCause() == null ? e : e.getCause()));
            return;
        } catch (java.util.concurrent.CancellationException e) {
            return;
        }
        remote.finish(o);
    }

    /** Spark's reason for a failed job, in one line: "Spark task failed 2 times; last: java.lang.X: message". */
    static String reason(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        String first = m.lines().findFirst().orElse(m);
        Matcher x = SPARK_FAILURE.matcher(first);
        if (x.find()) return "Spark task failed " + x.group(1) + " time(s); last: " + x.group(2).strip();
        return "Spark: " + first.strip();
    }

    /** Which attempts of {@code trial} fail on purpose ({@link #FAIL_TRIALS}): -1 none, 0 every one, n the first n. */
    static int failAttempts(String spec, int trial) {
        if (spec == null || spec.isBlank()) return -1;
        for (String part : spec.split(",")) {
            String[] p = part.strip().split("@");
            if (Integer.parseInt(p[0].strip()) == trial) return p.length > 1 ? Integer.parseInt(p[1].strip()) : 0;
        }
        return -1;
    }

    /** Stops the Spark context when this executor started it. */
    @Override
    public void close() {
        if (owned) jsc.stop();
    }

    /** What one trial's task carries to its executor. */
    record Task(TrialTask trial, String host, int port, String token, int threads, int failAttempts) implements Serializable {}

    /** The task: trains the trial on the executor, talking to the driver over the link. */
    static final class RunTrial implements Function<Task, TrialOutcome> {
        @Override
        public TrialOutcome call(Task t) throws Exception {
            int attempt = TaskContext.get() == null ? 0 : TaskContext.get().attemptNumber();
            if (t.failAttempts() == 0 || attempt < t.failAttempts()) {
                throw new IllegalStateException("trial " + t.trial().trial() + " attempt " + (attempt + 1) + " failed on purpose (" + FAIL_TRIALS + ")");
            }
            try (SweepLink.Client link = new SweepLink.Client(t.host(), t.port(), t.token(), t.trial().trial())) {
                if (!link.begin()) return TrialOutcome.notRun(t.trial().trial());
                Path work = Path.of(System.getProperty("java.io.tmpdir"));
                return Parallel.withThreads(Math.max(1, t.threads()), () -> {
                    try {
                        return t.trial().train(work, link);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
            }
        }
    }
}
