package dev.machina.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.machina.io.AtomicFiles;
import dev.machina.kernel.Parallel;
import dev.machina.run.RunDirectory;
import dev.machina.run.RunInfo;
import dev.machina.train.Trainer;
import dev.machina.train.callbacks.Pruner;
import dev.machina.tune.Asha;
import dev.machina.tune.Leaderboard;
import dev.machina.tune.MedianPruner;
import dev.machina.tune.TrialResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Runs a sweep: every trial of the plan as an ordinary run directory
 * {@code <sweep-dir>/trials/<NNN>/} (tagged in run.json with the sweep, trial number and
 * parameters), {@code parallel} at a time in this JVM with the kernel threads shared out
 * ({@link Parallel#withThreads}), pruned by ASHA or the median rule when the spec says so. After
 * every trial the leaderboard files are rewritten; at the end {@code best.yaml} is written.
 *
 * <p>Resuming: a trial whose run.json says completed, stopped-early, pruned or failed is kept
 * (its per-epoch values are replayed into the pruner so later decisions see them); any other
 * trial (running when the sweep was killed, interrupted, or never started) is deleted and run
 * again from its first epoch. Trial i has the same parameters on resume (grid order or the seeded
 * stream of trial i).
 */
public final class SweepRunner {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    public static final String SWEEP_YAML = "sweep.yaml", SWEEP_JSON = "sweep.json", LEADERBOARD_CSV = "leaderboard.csv",
            LEADERBOARD_JSON = "leaderboard.json", BEST_YAML = "best.yaml";
    /** Where trials trained elsewhere are unpacked before they are renamed into trials/ (removed when the sweep ends). */
    static final String INCOMING = ".incoming";

    /** What the live display hears; called from the trial threads. */
    public interface Listener {
        default void started(int trial, Map<String, Object> params, int epochs) {}

        default void epoch(int trial, int epoch, double value, double best) {}

        default void finished(TrialResult result) {}
    }

    /**
     * @param leaderboard  every trial run or kept, ranked
     * @param plannedEpochs the epochs the trials that ran would have run without pruning
     * @param notRun        trials not started (time budget reached or the sweep was stopped)
     */
    public record Outcome(Path dir, Leaderboard leaderboard, long plannedEpochs, int notRun, boolean interrupted) {}

    private final SweepSpec spec;
    private final Path dir;
    private final int parallel;
    private final TrialExecutor executor;
    private final Listener listener;
    private final List<Map<String, Object>> plan;
    private final Pruner pruner;
    private final Map<Integer, TrialResult> results = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> planned = new ConcurrentHashMap<>();
    private final Map<String, Prepared> dataCache = new ConcurrentHashMap<>();
    private final Set<Trainer> live = ConcurrentHashMap.newKeySet();
    private final AtomicInteger notRun = new AtomicInteger();
    private volatile boolean stopping;

    /** A sweep whose trials run {@code parallel} at a time on threads of this JVM. */
    public SweepRunner(SweepSpec spec, Path dir, int parallel, Listener listener) {
        this(spec, dir, TrialExecutor.threads(parallel), listener);
    }

    /** A sweep whose trials run on {@code executor}. */
    public SweepRunner(SweepSpec spec, Path dir, TrialExecutor executor, Listener listener) {
        this.spec = spec;
        this.dir = dir;
        this.executor = executor;
        this.parallel = executor.parallelism();
        this.listener = listener == null ? new Listener() {} : listener;
        this.plan = spec.plan();
        int maxEpochs = spec.base().training().epochs();
        boolean max = spec.objective().maximize();
        if (spec.halving() != null) this.pruner = new Asha(spec.halving().minEpochs(), spec.halving().reductionFactor(), maxEpochs, max);
        else if (spec.pruner().name().equals("median")) this.pruner = new MedianPruner(spec.pruner().warmupEpochs(), spec.pruner().minTrials(), max);
        else this.pruner = Pruner.NONE;
    }

    /** A new sweep directory {@code runs/<name>/<yyyyMMdd-HHmmss>[-N]}. */
    public static Path createDir(Path runs, String name) throws IOException {
        Path parent = Files.createDirectories(runs.resolve(name));
        String base = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        for (int i = 0; ; i++) {
            Path d = parent.resolve(i == 0 ? base : base + "-" + i);
            try {
                return Files.createDirectory(d);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // another sweep started in the same second
            }
        }
    }

    public List<Map<String, Object>> plan() {
        return plan;
    }

    public Pruner pruner() {
        return pruner;
    }

    /** Stops: no new trials start; running ones stop after their batch (status interrupted). Thread-safe. */
    public void stop() {
        stopping = true;
        for (Trainer t : live) t.requestStop(Trainer.Status.INTERRUPTED, "the sweep was interrupted");
    }

    public Outcome run() throws IOException {
        Files.createDirectories(dir.resolve("trials"));
        if (!Files.exists(dir.resolve(SWEEP_YAML))) AtomicFiles.writeString(dir.resolve(SWEEP_YAML), spec.storedYaml());
        writeSweepJson();
        TrialOutcome.deleteTree(dir.resolve(INCOMING)); // trials half unpacked when the sweep was killed
        resumeFinished();
        long deadline = spec.timeBudgetS() == null ? Long.MAX_VALUE : System.nanoTime() + (long) (spec.timeBudgetS() * 1e9);
        List<TrialExecutor.Trial> todo = new ArrayList<>();
        for (int i = 0; i < plan.size(); i++) {
            if (results.containsKey(i)) continue;
            int trial = i;
            RemoteTrial remote = new RemoteTrial(trial, deadline);
            todo.add(new TrialExecutor.Trial(trial, plan.get(trial), trialDir(trial), () -> {
                if (remote.begin()) runTrial(trial);
            }, remote));
        }
        try {
            executor.execute(todo);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
        }
        TrialOutcome.deleteTree(dir.resolve(INCOMING));
        Leaderboard lb = writeLeaderboard();
        writeBest(lb);
        long plannedEpochs = 0;
        for (int i : results.keySet()) plannedEpochs += planned.getOrDefault(i, spec.base().training().epochs());
        boolean interrupted = stopping || results.values().stream().anyMatch(r -> r.status().equals(TrialResult.INTERRUPTED));
        return new Outcome(dir, lb, plannedEpochs, notRun.get(), interrupted);
    }

    public static String trialDirName(int trial) {
        return String.format("%03d", trial);
    }

    private Path trialDir(int trial) {
        return dir.resolve("trials").resolve(trialDirName(trial));
    }

    private void runTrial(int trial) {
        Map<String, Object> params = plan.get(trial);
        List<Double> values = new ArrayList<>();
        boolean max = spec.objective().maximize();
        SweepTrial.Hooks hooks = new SweepTrial.Hooks() {
            @Override
            public void started(int epochs) {
                listener.started(trial, params, epochs);
            }

            @Override
            public void epoch(int epoch, double value) {
                values.add(value);
                listener.epoch(trial, epoch, value, best(values, max)[0]);
            }

            @Override
            public void trainer(Trainer t) {
                live.add(t);
                if (stopping) t.requestStop(Trainer.Status.INTERRUPTED, "the sweep was interrupted");
            }

            @Override
            public void ended(Trainer t) {
                live.remove(t);
            }
        };
        SweepTrial.Ran r = SweepTrial.train(spec, dir.getFileName().toString(), trial, params, trialDir(trial), pruner, hooks, this::prepared);
        record(trial, r.status(), r.error(), r.values(), r.plannedEpochs(), r.seconds());
    }

    /** Enters a finished trial in the results and rewrites the leaderboard. */
    private void record(int trial, String status, String error, List<Double> values, int plannedEpochs, double seconds) {
        double[] b = best(values, spec.objective().maximize());
        planned.put(trial, plannedEpochs);
        TrialResult r = new TrialResult(trial, plan.get(trial), status, b[0], (int) b[1], values.size(), seconds, error,
                dir.relativize(trialDir(trial)).toString());
        results.put(trial, r);
        listener.finished(r);
        try {
            writeLeaderboard();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** A trial as an executor that trains it in another process sees it (see {@link TrialExecutor.Remote}). */
    private final class RemoteTrial implements TrialExecutor.Remote {
        private final int trial;
        private final long deadline;
        private final List<Double> values = new ArrayList<>();
        private boolean counted;

        RemoteTrial(int trial, long deadline) {
            this.trial = trial;
            this.deadline = deadline;
        }

        @Override
        public TrialTask task() {
            return TrialTask.of(spec, dir.getFileName().toString(), trial, plan.get(trial));
        }

        @Override
        public synchronized boolean begin() {
            if (!stopping && System.nanoTime() <= deadline) return true;
            if (!counted) notRun.incrementAndGet();
            counted = true;
            return false;
        }

        @Override
        public synchronized void started(int epochs) {
            values.clear(); // a retried task starts over
            listener.started(trial, plan.get(trial), epochs);
        }

        @Override
        public Pruner.Decision report(int epoch, double value) {
            double best;
            synchronized (this) {
                while (values.size() >= epoch) values.removeLast();
                values.add(value);
                best = best(values, spec.objective().maximize())[0];
            }
            listener.epoch(trial, epoch, value, best);
            return pruner.report(trial, epoch, value);
        }

        @Override
        public boolean stopping() {
            return stopping;
        }

        @Override
        public void finish(TrialOutcome o) throws IOException {
            if (!o.ran()) return;
            if (!place(tmp -> o.unpack(tmp))) return;
            record(trial, o.status(), o.error(), o.valueList(), o.plannedEpochs(), o.seconds());
        }

        @Override
        public void fail(String reason) throws IOException {
            Map<String, Object> params = plan.get(trial);
            int epochs = spec.base().training().epochs();
            String yaml = null;
            try {
                Experiment e = spec.trial(params);
                epochs = e.training().epochs();
                yaml = e.resolvedYaml();
            } catch (RuntimeException rejected) {
                // the trial's spec was rejected: its run.json says why the task failed, and no spec.yaml
            }
            String specYaml = yaml;
            boolean placed = place(tmp -> {
                RunDirectory run = RunDirectory.createAt(tmp, spec.name());
                if (specYaml != null) AtomicFiles.writeString(run.file("spec.yaml"), specYaml);
                run.record().set("sweep", JSON.valueToTree(SweepTrial.tag(spec, dir.getFileName().toString(), trial, params)));
                run.record().put("status", "failed");
                run.record().put("error", reason);
                run.saveRecord();
            });
            if (placed) record(trial, TrialResult.FAILED, reason, List.of(), epochs, 0);
        }

        /** Writes the trial's directory under a temporary name beside the sweep, then renames it into place; false if it was there. */
        private boolean place(IoConsumer<Path> write) throws IOException {
            Path target = trialDir(trial);
            synchronized (SweepRunner.this) {
                if (results.containsKey(trial) || Files.exists(target)) return false;
            }
            Path box = dir.resolve(INCOMING).resolve(java.util.UUID.randomUUID().toString()), tmp = box.resolve(trialDirName(trial));
            try {
                write.accept(tmp);
                synchronized (SweepRunner.this) {
                    if (results.containsKey(trial) || Files.exists(target)) return false;
                    Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    AtomicFiles.syncDirectory(target.getParent());
                }
                return true;
            } finally {
                TrialOutcome.deleteTree(box);
            }
        }
    }

    private interface IoConsumer<T> {
        void accept(T t) throws IOException;
    }

    /** {best value, its 1-based epoch}; {NaN, 0} when there is none. */
    static double[] best(List<Double> values, boolean maximize) {
        double best = Double.NaN;
        int at = 0;
        for (int i = 0; i < values.size(); i++) {
            double v = values.get(i);
            if (Double.isNaN(v)) continue;
            if (Double.isNaN(best) || (maximize ? v > best : v < best)) {
                best = v;
                at = i + 1;
            }
        }
        return new double[] {best, at};
    }

    /** The data once per distinct data section and seed (trials usually share it; it is read-only). */
    private Prepared prepared(Experiment e) {
        String key = dataKey(e);
        synchronized (dataCache) {
            Prepared p = dataCache.get(key);
            if (p == null) {
                p = Prepared.of(e);
                dataCache.put(key, p);
            }
            return p;
        }
    }

    /** What identifies a trial's prepared data: its data section and seed. */
    static String dataKey(Experiment e) {
        try {
            return JSON.writeValueAsString(e.resolved().get("data")) + "#" + e.seed();
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private void resumeFinished() throws IOException {
        String metric = spec.objective().metric();
        boolean max = spec.objective().maximize();
        for (int i = 0; i < plan.size(); i++) {
            Path d = trialDir(i);
            if (!Files.exists(d)) continue;
            RunInfo info = RunInfo.load(d);
            String st = info.record().path("status").asText("");
            String status = switch (st) {
                case "completed", "stopped-early" -> TrialResult.DONE;
                case "pruned" -> TrialResult.PRUNED;
                case "failed" -> TrialResult.FAILED;
                default -> null;
            };
            if (status == null) {
                deleteTree(d); // unfinished: run again from the start
                continue;
            }
            List<Double> values = new ArrayList<>();
            for (Map<String, Double> e : info.epochs()) values.add(e.getOrDefault(metric, Double.NaN));
            for (int k = 0; k < values.size(); k++) pruner.record(i, k + 1, values.get(k));
            double[] b = best(values, max);
            JsonNode rec = info.record();
            String error = rec.path("error").asText(rec.path("stop_reason").asText(""));
            planned.put(i, rec.path("config").path("training").path("epochs").asInt(spec.base().training().epochs()));
            results.put(i, new TrialResult(i, plan.get(i), status, b[0], (int) b[1], values.size(), rec.path("duration_s").asDouble(0),
                    error, dir.relativize(d).toString()));
            listener.finished(results.get(i));
        }
    }

    private static void deleteTree(Path d) throws IOException {
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    private void writeSweepJson() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", spec.name());
        m.put("sweep_id", dir.getFileName().toString());
        m.put("strategy", spec.strategy());
        m.put("sampler", spec.sampler());
        m.put("objective", spec.objective().metric());
        m.put("mode", spec.objective().mode());
        m.put("trials", plan.size());
        m.put("seed", spec.seed());
        m.put("parallel", parallel);
        if (spec.halving() != null) {
            m.put("min_epochs", spec.halving().minEpochs());
            m.put("reduction_factor", spec.halving().reductionFactor());
            m.put("rungs", ((Asha) pruner).rungs());
        }
        m.put("pruner", spec.halving() != null ? "asha" : spec.pruner().name());
        List<Map<String, Object>> dims = new ArrayList<>();
        for (var d : spec.space().dimensions()) {
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("key", d.key());
            dm.put("kind", d.getClass().getSimpleName());
            dm.put("log_scale", d.logScale());
            dims.add(dm);
        }
        m.put("space", dims);
        m.put(Files.exists(dir.resolve(SWEEP_JSON)) ? "resumed_at" : "start_time", Instant.now().toString());
        if (Files.exists(dir.resolve(SWEEP_JSON))) {
            JsonNode old = JSON.readTree(dir.resolve(SWEEP_JSON).toFile());
            if (old.has("start_time")) m.put("start_time", old.get("start_time").asText());
        }
        AtomicFiles.writeString(dir.resolve(SWEEP_JSON), JSON.writeValueAsString(m) + "\n");
    }

    private synchronized Leaderboard writeLeaderboard() throws IOException {
        Leaderboard lb = Leaderboard.of(spec.objective(), new ArrayList<>(results.values()));
        AtomicFiles.writeString(dir.resolve(LEADERBOARD_CSV), lb.csv());
        AtomicFiles.writeString(dir.resolve(LEADERBOARD_JSON), JSON.writeValueAsString(lb.describe()) + "\n");
        return lb;
    }

    private void writeBest(Leaderboard lb) throws IOException {
        TrialResult best = lb.best();
        if (best == null) return;
        Experiment e = spec.trial(best.params());
        String header = String.format(java.util.Locale.ROOT, "# The best trial of sweep %s/%s: trial %d, %s = %s at epoch %d (%s).%n"
                + "# Train it with: ./machina train %s%n", spec.name(), dir.getFileName(), best.trial(), spec.objective().metric(),
                best.objective(), best.objectiveEpoch(), best.status(), dir.resolve(BEST_YAML));
        AtomicFiles.writeString(dir.resolve(BEST_YAML), header + e.resolvedYaml());
    }
}
