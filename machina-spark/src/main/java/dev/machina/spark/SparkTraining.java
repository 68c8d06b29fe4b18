package dev.machina.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.machina.experiment.ClusterBackend;
import dev.machina.experiment.Experiment;
import dev.machina.experiment.RunReporter;
import dev.machina.experiment.SpecRunner;
import dev.machina.experiment.UserError;
import dev.machina.io.AtomicFiles;
import dev.machina.kernel.Parallel;
import dev.machina.run.RunDirectory;
import dev.machina.train.Trainer;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaSparkContext;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Synchronous data-parallel training of a spec on Spark: {@code workers} tasks of one barrier
 * stage (gang-scheduled: all run at once or none) each train the same model on their part of
 * every global batch of {@code training.batch_size}, and sum their gradients over their own
 * connections ({@link RingAllReduce}; the addresses are exchanged once with the barrier's
 * {@code allGather}) before every step. Worker 0 records the run in the run directory, created
 * here on the driver; the test split and the report follow as for {@code machina train}.
 *
 * <p>When a worker is lost (its executor killed, its machine gone), Spark aborts the barrier
 * stage; the driver then starts the stage again, up to {@link #maxRestarts} times, and the
 * workers resume from the run's last checkpoint, so the weights end bit-identical to an
 * undisturbed run with the same number of workers. Failures of the training itself (bad data, a
 * NaN loss) are not retried.
 *
 * <p>The executors need no filesystem in common with the driver: every worker starts from a copy
 * of the run directory (a broadcast archive: the spec and record, on a restart the last checkpoint
 * and log), worker 0 trains in its copy and sends it to the driver after each epoch is recorded
 * ({@link RunLink}), and hands back the final one with its report.
 *
 * <pre>{@code
 * SparkTraining.Result r = SparkTraining.of(Experiment.load(Path.of("examples/digits-mlp.yaml")))
 *         .workers(2).runsDir(Path.of("runs")).run(JavaSparkContext.fromSparkContext(spark.sparkContext()));
 * }</pre>
 */
public final class SparkTraining {
    /**
     * @param status        the run's status (completed, stopped-early, failed, …)
     * @param restarts      how many times the workers were started again after a loss
     * @param syncMsPerStep the gradient exchange's mean time per step, worker 0's view (last epoch)
     * @param testResults   what test-results.json holds (empty when the run did not finish)
     */
    public record Result(Path dir, String status, String reason, int workers, int restarts, double syncMsPerStep,
                         Map<String, Object> testResults, Path reportFile) {}

    /** What a worker hands back to the driver. */
    record WorkerReport(int rank, String status, String reason, String userError, double syncMsPerStep, byte[] files) implements Serializable {}

    private final Experiment experiment;
    private int workers = 2;
    private Path runsDir = Path.of("runs");
    private String name;
    private int maxRestarts = 3;
    private Duration timeout = Duration.ofMinutes(5);
    private boolean report = true;
    private ClusterBackend.TrainListener listener = new ClusterBackend.TrainListener() {};
    private final String jobGroup = "machina-train-" + java.util.UUID.randomUUID();
    private volatile boolean stopping;
    private volatile JavaSparkContext running;

    private SparkTraining(Experiment experiment) {
        this.experiment = experiment;
    }

    public static SparkTraining of(Experiment experiment) {
        return new SparkTraining(experiment);
    }

    /** How many workers (Spark tasks, each with one task slot) train together; default 2. */
    public SparkTraining workers(int n) {
        if (n < 1) throw new UserError("--workers must be at least 1, got " + n);
        this.workers = n;
        return this;
    }

    public SparkTraining runsDir(Path dir) {
        this.runsDir = dir;
        return this;
    }

    public SparkTraining name(String name) {
        this.name = name == null ? null : SpecRunner.checkName(name);
        return this;
    }

    /** How many times lost workers are started again before the run is marked failed (default 3). */
    public SparkTraining maxRestarts(int n) {
        this.maxRestarts = n;
        return this;
    }

    /** How long a worker waits for a peer in any exchange before giving up (default 5 minutes). */
    public SparkTraining timeout(Duration t) {
        this.timeout = t;
        return this;
    }

    public SparkTraining report(boolean report) {
        this.report = report;
        return this;
    }

    public SparkTraining listener(ClusterBackend.TrainListener l) {
        this.listener = l == null ? new ClusterBackend.TrainListener() {} : l;
        return this;
    }

    /**
     * The Spark settings a context started for training gets unless told otherwise: after a lost
     * worker, the barrier stage waits (checking every 2 s, for up to 5 minutes) for the cluster to
     * have enough task slots again, e.g. while a Worker starts a new executor.
     */
    public static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("spark.app.name", "machina train");
        d.put("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "2s");
        d.put("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "150");
        return d;
    }

    /**
     * Stops the run (Ctrl-C; thread-safe): the workers' job is cancelled, they stop after their
     * batch, and the run is recorded as interrupted; {@code machina train --resume DIR} continues
     * it from its last checkpoint.
     */
    public void stop() {
        stopping = true;
        JavaSparkContext sc = running;
        if (sc != null) {
            try {
                sc.cancelJobGroup(jobGroup);
            } catch (RuntimeException stoppedAlready) {
                // Spark's own shutdown got there first: the job ends either way
            }
        }
    }

    /** Trains on the cluster {@code sc} is connected to; returns when the run has ended. */
    public Result run(JavaSparkContext sc) throws IOException {
        running = sc;
        if (!sc.sc().isLocal()) ShippedJars.addTo(sc);
        SparkData.Plan data = SparkData.isSparkTable(experiment) ? SparkData.plan(sc, experiment, workers) : null;
        RunDirectory run = RunDirectory.create(runsDir.toAbsolutePath(), name != null ? name : experiment.name());
        try {
            return train(sc, data, run);
        } catch (UserError e) {
            throw e; // recorded where it was raised
        } catch (IOException | RuntimeException | Error e) { // whatever else ends the run: run.json must not stay "running"
            markFailed(run.dir(), e.getMessage() == null ? e.toString() : e.getMessage());
            throw e;
        }
    }

    private Result train(JavaSparkContext sc, SparkData.Plan data, RunDirectory run) throws IOException {
        AtomicFiles.writeString(run.file("spec.yaml"), experiment.resolvedYaml());
        Map<String, Object> dist = new LinkedHashMap<>();
        dist.put("engine", "spark");
        dist.put("master", sc.master());
        dist.put("workers", workers);
        dist.put("spark_version", sc.version());
        run.record().set("distributed", new ObjectMapper().valueToTree(dist));
        run.record().put("status", "running");
        run.saveRecord();
        Path dir = run.dir();
        listener.started(dir, workers, this::stop);
        EpochTail tail = new EpochTail(run.file(RunDirectory.METRICS), listener);
        RunLink link = new RunLink(sc.sc().isLocal() ? "127.0.0.1" : sc.getConf().get("spark.driver.host", "127.0.0.1"), dir);
        Path checkpoint = run.checkpoints().resolve("last.safetensors");
        String specYaml = experiment.resolvedYaml();
        List<WorkerReport> reports = null;
        int restarts = 0, stuck = 0;
        while (reports == null) {
            int epochsBefore = epochsCompleted(dir);
            boolean resume = Files.isRegularFile(checkpoint);
            long token = System.nanoTime() ^ ((long) restarts << 48);
            try {
                if (stopping) throw new IllegalStateException("stopped before the workers started");
                // the run directory as it stands (spec, record; on a restart the last checkpoint and log): every worker starts from a copy
                org.apache.spark.broadcast.Broadcast<byte[]> snapshot = sc.broadcast(dev.machina.experiment.TrialOutcome.pack(dir));
                Link to = new Link(link.host(), link.port(), link.token(), snapshot);
                sc.setJobGroup(jobGroup, "machina train", true);
                ClassTag<WorkerReport> tag = ClassTag$.MODULE$.apply(WorkerReport.class);
                if (data == null) {
                    List<Integer> ranks = IntStream.range(0, workers).boxed().toList();
                    reports = new ArrayList<>(sc.parallelize(ranks, workers).rdd().barrier()
                            .mapPartitions(new Worker<Integer>(specYaml, to, resume, token, timeout.toMillis(), null), false, tag)
                            .toJavaRDD().collect());
                } else {
                    reports = new ArrayList<>(data.shards().rdd().barrier()
                            .mapPartitions(new Worker<scala.Tuple2<Long, float[]>>(specYaml, to, resume, token, timeout.toMillis(),
                                    data.shared()), false, tag)
                            .toJavaRDD().collect());
                }
            } catch (Exception e) { // SparkException (checked, though Scala does not declare it): the stage was aborted
                String reason = rootMessage(e);
                if (stopping || sc.sc().isStopped()) { // Ctrl-C (or Spark shut down under the run): not a lost worker
                    link.close();
                    tail.close();
                    markInterrupted(dir);
                    return new Result(dir, Trainer.Status.INTERRUPTED.label(), "interrupted by the user", workers, restarts, Double.NaN, Map.of(), null);
                }
                link.drainThenUnpack(null);
                // a lost worker costs an epoch at most; a failure that comes back before any epoch ends is the run's own
                stuck = epochsCompleted(dir) > epochsBefore ? 0 : stuck + 1;
                if (restarts >= maxRestarts || stuck >= 2) {
                    tail.close();
                    link.close();
                    String why = (stuck >= 2 ? "the workers failed twice without finishing an epoch" : "the workers failed " + (restarts + 1) + " times")
                            + "; last: " + reason;
                    markFailed(dir, why);
                    throw new UserError("data-parallel training of " + dir + " failed: " + why);
                }
                restarts++;
                boolean fromCheckpoint = Files.isRegularFile(checkpoint);
                if (!fromCheckpoint) clearForFreshStart(dir);
                RunDirectory.open(dir).log("workers lost (" + reason + "); starting them again"
                        + (fromCheckpoint ? " from the last checkpoint" : " from the start"));
                listener.restarting(restarts, reason, fromCheckpoint);
            }
        }
        reports.sort(Comparator.comparingInt(WorkerReport::rank));
        WorkerReport lead = reports.get(0);
        link.drainThenUnpack(lead.files());
        link.close();
        tail.close();
        if (lead.userError() != null) {
            markFailed(dir, lead.userError());
            throw new UserError(lead.userError());
        }
        RunDirectory done = RunDirectory.open(dir);
        ObjectNode d = (ObjectNode) done.record().get("distributed");
        d.put("restarts", restarts);
        d.put("sync_ms_per_step", lead.syncMsPerStep());
        done.saveRecord();
        Map<String, Object> tr = Map.of();
        Path reportFile = null;
        boolean finished = lead.status().equals(Trainer.Status.COMPLETED.label()) || lead.status().equals(Trainer.Status.STOPPED_EARLY.label());
        if (finished) {
            Path f = done.file("test-results.json");
            if (Files.isRegularFile(f)) tr = readMap(f);
            if (report) {
                var reporter = RunReporter.find();
                if (reporter.isPresent()) reportFile = reporter.get().write(dir);
            }
        }
        return new Result(dir, lead.status(), lead.reason(), workers, restarts, lead.syncMsPerStep(), tr, reportFile);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readMap(Path f) throws IOException {
        return new ObjectMapper().readValue(f.toFile(), Map.class);
    }

    private static void markFailed(Path dir, String why) {
        try {
            RunDirectory r = RunDirectory.open(dir);
            r.record().put("status", Trainer.Status.FAILED.label());
            r.record().put("error", why);
            r.saveRecord();
            r.log("failed: " + why);
        } catch (IOException | RuntimeException ignored) {
            // the message still reaches the caller
        }
    }

    private static int epochsCompleted(Path dir) {
        try {
            return RunDirectory.open(dir).record().path("epochs_completed").asInt(0);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static void markInterrupted(Path dir) {
        try {
            RunDirectory r = RunDirectory.open(dir);
            r.record().put("status", Trainer.Status.INTERRUPTED.label());
            r.record().put("stop_reason", "interrupted by the user");
            r.saveRecord();
            r.log("interrupted by the user");
        } catch (IOException | RuntimeException ignored) {
            // the caller still hears it
        }
    }

    /** Before starting again without a checkpoint: what the lost attempt wrote goes, the spec and run record stay. */
    private static void clearForFreshStart(Path dir) throws IOException {
        Set<String> keep = Set.of("spec.yaml", RunDirectory.RUN_JSON);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                if (keep.contains(p.getFileName().toString())) continue;
                try (Stream<Path> t = Files.walk(p)) {
                    for (Path q : t.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
                }
            }
        }
        Files.createDirectories(dir.resolve(RunDirectory.CHECKPOINTS));
    }

    /** The line of Spark's abort message that names the task's exception (else its first line), at most 300 characters. */
    static String rootMessage(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        String pick = m.lines().findFirst().orElse(m);
        for (String line : m.lines().toList()) {
            if (line.matches("[\\w$.]+(Exception|Error)(: .*)?")) {
                pick = line;
                break;
            }
        }
        return pick.length() > 300 ? pick.substring(0, 300) + "…" : pick;
    }

    /** Where worker 0 sends the run's files, and the run directory every worker starts from. */
    record Link(String host, int port, long token, org.apache.spark.broadcast.Broadcast<byte[]> snapshot) implements Serializable {}

    /**
     * One worker (runs on an executor): joins the ring, unpacks the run directory into a scratch
     * directory of its own, and trains its part there; worker 0 sends the run directory to the
     * driver after each epoch is recorded, and hands back the final one with its report.
     */
    static final class Worker<T> extends AbstractFunction1<Iterator<T>, Iterator<WorkerReport>> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String specYaml;
        private final Link link;
        private final boolean resume;
        private final long token, timeoutMs;
        private final org.apache.spark.broadcast.Broadcast<SparkData.Shared> shared; // a Spark table: the iterator holds this worker's rows

        Worker(String specYaml, Link link, boolean resume, long token, long timeoutMs,
               org.apache.spark.broadcast.Broadcast<SparkData.Shared> shared) {
            this.shared = shared;
            this.specYaml = specYaml;
            this.link = link;
            this.resume = resume;
            this.token = token;
            this.timeoutMs = timeoutMs;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Iterator<WorkerReport> apply(Iterator<T> rows) {
            BarrierTaskContext ctx = BarrierTaskContext.get();
            int rank = ctx.partitionId();
            WorkerReport report;
            Path scratch = null;
            try {
                scratch = Files.createTempDirectory("machina-run-");
                Path runDir = scratch.resolve("run");
                Files.createDirectories(runDir);
                RunLink.unpackOver(link.snapshot().value(), runDir);
                ServerSocket server = RingAllReduce.listen(host());
                String[] addresses;
                try {
                    addresses = ctx.allGather(RingAllReduce.address(server));
                } catch (RuntimeException e) {
                    server.close();
                    throw e;
                }
                try (RingAllReduce ring = RingAllReduce.connect(rank, List.of(addresses), server, token, Duration.ofMillis(timeoutMs));
                     RunLink.Sender sender = rank == 0 ? new RunLink.Sender(link.host(), link.port(), link.token()) : null) {
                    Experiment exp = Experiment.parse(runDir + "/spec.yaml", specYaml, List.of());
                    dev.machina.experiment.Prepared data = shared == null ? null
                            : SparkData.prepared(shared.value(), (Iterator<scala.Tuple2<Long, float[]>>) rows);
                    dev.machina.train.Callback ship = sender == null ? null : new dev.machina.train.Callback() {
                        @Override
                        public void onEpochEnd(dev.machina.train.TrainContext c, int epoch, Map<String, Double> logs) {
                            try {
                                sender.send(dev.machina.experiment.TrialOutcome.pack(runDir));
                            } catch (IOException e) {
                                throw new UncheckedIOException("worker 0 cannot send the run to the driver: " + e.getMessage(), e);
                            }
                        }
                    };
                    dev.machina.train.Callback cancelled = new dev.machina.train.Callback() { // the job was cancelled: stop after this batch
                        @Override
                        public void onBatchEnd(dev.machina.train.TrainContext c, long step, Map<String, Double> logs) {
                            if (ctx.isInterrupted()) c.requestStop(Trainer.Status.INTERRUPTED, "the Spark job was cancelled");
                        }
                    };
                    int threads = Math.max(1, Integer.parseInt(SparkEnv.get().conf().get("spark.task.cpus", "1")));
                    SpecRunner.Result r = Parallel.withThreads(threads, () -> {
                        try {
                            return SpecRunner.worker(exp, runDir, resume, ring, data, ship, cancelled);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                    Double sync = r.history().last() == null ? null : r.history().last().get("sync_ms_per_step");
                    report = new WorkerReport(rank, r.history().status().label(), r.history().reason(), null, sync == null ? Double.NaN : sync,
                            rank == 0 ? dev.machina.experiment.TrialOutcome.pack(runDir) : null);
                }
            } catch (UserError e) { // the spec or the data: the same on every attempt, so not retried
                report = new WorkerReport(rank, Trainer.Status.FAILED.label(), e.getMessage(), e.getMessage(), Double.NaN, null);
            } catch (IOException e) {
                throw new UncheckedIOException("worker " + rank + ": " + e.getMessage(), e);
            } finally {
                if (scratch != null) deleteQuietly(scratch);
            }
            return CollectionConverters.asScala(List.of(report).iterator());
        }

        private static void deleteQuietly(Path d) {
            try (Stream<Path> s = Files.walk(d)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            } catch (IOException | UncheckedIOException ignored) {
                // a temporary directory: the executor's cleanup takes what is left
            }
        }

        /** The address the other workers reach this executor at (Spark's own, e.g. from SPARK_LOCAL_IP). */
        private static String host() {
            String h = SparkEnv.get().blockManager().blockManagerId().host();
            return h == null || h.isBlank() ? "127.0.0.1" : h;
        }
    }

    /**
     * Follows worker 0's metrics.jsonl from the driver and passes each new epoch record to the
     * listener (the workers may be on other machines; the run directory is what they share).
     * After a restart the log is trimmed back to the checkpoint, and the epochs logged again are
     * passed again.
     */
    private static final class EpochTail implements AutoCloseable {
        private final Path file;
        private final ClusterBackend.TrainListener listener;
        private final Thread thread;
        private volatile boolean stop;
        private int lastEpoch;

        EpochTail(Path file, ClusterBackend.TrainListener listener) {
            this.file = file;
            this.listener = listener;
            this.thread = new Thread(this::follow, "machina-epoch-tail");
            thread.setDaemon(true);
            thread.start();
        }

        private void follow() {
            ObjectMapper json = new ObjectMapper();
            while (true) {
                boolean last = stop;
                try {
                    if (Files.isRegularFile(file)) {
                        int epoch = 0;
                        for (String line : Files.readAllLines(file)) {
                            if (!line.contains("\"type\":\"epoch\"")) continue;
                            epoch++;
                            if (epoch <= lastEpoch) continue;
                            Map<String, Double> logs = new LinkedHashMap<>();
                            json.readTree(line).properties().forEach(e -> {
                                if (e.getValue().isNumber()) logs.put(e.getKey(), e.getValue().asDouble());
                            });
                            lastEpoch = epoch;
                            listener.epoch(logs);
                        }
                        if (epoch < lastEpoch) lastEpoch = epoch; // trimmed on a resume
                    }
                } catch (IOException | RuntimeException e) {
                    // a line being written: read again next time
                }
                if (last) return;
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public void close() {
            stop = true;
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
