package dev.machina.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.machina.data.DataLoader;
import dev.machina.io.AtomicFiles;
import dev.machina.io.Checkpoint;
import dev.machina.metrics.ClassificationReport;
import dev.machina.metrics.RegressionMetrics;
import dev.machina.run.RunDirectory;
import dev.machina.train.Callback;
import dev.machina.train.Evaluator;
import dev.machina.train.GradientSync;
import dev.machina.train.History;
import dev.machina.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains an experiment into a run directory, exactly as {@code machina train} does: the data
 * prepared and split, the run directory with its resolved {@code spec.yaml}, run.json, metric log,
 * checkpoints and weights, then the test split evaluated ({@code test-results.json}, the test
 * metric in run.json, misclassified examples for images) and, when a {@link RunReporter} is on
 * the class path, plots and {@code report.html}.
 *
 * <pre>{@code
 * Experiment exp = Experiment.load(Path.of("examples/digits-mlp.yaml")).with("training.epochs", "5");
 * SpecRunner.Result r = SpecRunner.of(exp).runsDir(Path.of("runs")).run();
 * System.out.println(r.report().accuracy() + " in " + r.run().dir());
 * }</pre>
 */
public final class SpecRunner {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A regression run's test predictions, beside test-results.json. */
    public static final String TEST_PREDICTIONS = "test-predictions.csv";
    /** An image classifier's misclassified test examples (up to 16), beside test-results.json. */
    static final String MISCLASSIFIED = "misclassified.json";
    /** run.json's key for why the test split could not be evaluated (removed, with the earlier results, when an evaluation starts). */
    public static final String TEST_ERROR = "test_error";

    /** What a caller hears as the run goes (the command prints it). All methods are optional. */
    public interface Listener {
        /** Before the data is read. */
        default void preparing(Experiment experiment) {}

        /** The run directory exists and the trainer is about to start (keep it to stop it from another thread). */
        default void started(RunDirectory run, Setup setup, Trainer trainer) {}

        /** Something in the spec or the data that will train badly, said before training (also in log.txt). */
        default void warning(String message) {}

        /** Training has ended normally and the test split is about to be evaluated. */
        default void evaluating(RunDirectory run, Setup setup) {}
    }

    /**
     * @param report     the test classification report (null unless the task is classification, or the run did not finish)
     * @param testResults what test-results.json holds (empty when the run did not finish)
     * @param reportFile the report.html written, or null (no reporter on the class path, or it failed: see {@code reportError})
     */
    public record Result(RunDirectory run, Setup setup, History history, ClassificationReport report, Map<String, Object> testResults,
                         Path reportFile, String reportError) {
        public Path dir() {
            return run.dir();
        }

        /** True when training ended normally (completed or stopped early), so the test split was evaluated. */
        public boolean finished() {
            return history.status() == Trainer.Status.COMPLETED || history.status() == Trainer.Status.STOPPED_EARLY;
        }
    }

    private final Experiment experiment;
    private final RunDirectory resumeRun;
    private Path runsDir = Path.of("runs");
    private String name;
    private boolean writeReport = true;
    private final List<Callback> callbacks = new ArrayList<>();
    private Listener listener = new Listener() {};
    private GradientSync sync;
    private boolean fresh; // resumeRun is an existing, not yet trained run directory (data-parallel worker 0)
    private Path resumeFrom; // the checkpoint a scratch worker resumes from
    private Prepared given; // a data-parallel worker's data, prepared by whoever started it
    private final List<Callback> afterRecorder = new ArrayList<>();
    private boolean evaluateOnly; // resumeRun's training has ended: its saved model's test split is evaluated again, nothing trains
    private boolean trainMore; // resumeRun is given more epochs or time

    private SpecRunner(Experiment experiment, RunDirectory resumeRun) {
        this.experiment = experiment;
        this.resumeRun = resumeRun;
    }

    /** A new run of {@code experiment}. */
    public static SpecRunner of(Experiment experiment) {
        return new SpecRunner(experiment, null);
    }

    /**
     * Continues a run from its last checkpoint; the result is bit-identical to an uninterrupted run.
     *
     * A run whose training has ended (completed or stopped early) and that is not given more
     * epochs or time trains no more: its saved model (model.safetensors) is evaluated on the test
     * split again; nothing of its training is rewritten and its status stays. A run stopped by its
     * early stopping is finished: given more epochs or time it is refused ({@link UserError}), since
     * an uninterrupted run with them stops at the same epoch.
     *
     * @param sets only training.epochs and training.time_budget_s may change ("training.epochs=40"), and
     *             training.eval_batch_size when the run is only evaluated again (while training it would change the validation losses)
     */
    public static SpecRunner resume(Path runDir, List<String> sets) {
        for (String s : sets) {
            if (!s.startsWith("training.epochs=") && !s.startsWith("training.time_budget_s=") && !s.startsWith("training.eval_batch_size=")) {
                throw new UserError("--set " + s + ": a resumed run keeps its settings; only training.epochs, training.time_budget_s "
                        + "and training.eval_batch_size may change");
            }
        }
        RunDirectory run;
        try {
            run = RunDirectory.open(runDir);
        } catch (IOException e) {
            throw new UserError(e.getMessage());
        }
        boolean trainMore = sets.stream().anyMatch(s -> s.startsWith("training.time_budget_s=")) || moreEpochs(run, sets);
        boolean evaluateOnly = trainingEnded(run) && !trainMore;
        if (!evaluateOnly) {
            sets.stream().filter(s -> s.startsWith("training.eval_batch_size=")).findFirst().ifPresent(s -> {
                throw new UserError("--set " + s + ": training.eval_batch_size may change only when a run whose training has ended is evaluated "
                        + "again (" + runDir + " is " + run.record().path("status").asText("not finished")
                        + (trainMore ? " and is to train more" : "") + "): the validation losses depend on the evaluation batch, "
                        + "and a resumed run must match an uninterrupted one bit for bit");
            });
        }
        Path resolved = run.file("spec.yaml");
        if (!Files.isRegularFile(resolved)) {
            throw new UserError(runDir + " has no spec.yaml: only runs trained from a spec can be resumed");
        }
        if (!Files.isRegularFile(checkpoint(run))) {
            boolean epochLogged;
            try {
                epochLogged = Files.isRegularFile(run.file(RunDirectory.METRICS))
                        && Files.readAllLines(run.file(RunDirectory.METRICS)).stream().anyMatch(l -> l.contains("\"type\":\"epoch\""));
            } catch (IOException e) {
                epochLogged = false;
            }
            throw new UserError(runDir + " has no checkpoint yet (checkpoints/last.safetensors): " + (epochLogged
                    ? "its first epoch ended but the process was stopped before its checkpoint was saved"
                    : "it stopped before its first epoch ended") + "; train it again");
        }
        Experiment experiment = Experiment.load(resolved, sets);
        if (trainMore) refuseIfEarlyStopped(run, experiment);
        SpecRunner r = new SpecRunner(experiment, run);
        r.evaluateOnly = evaluateOnly;
        r.trainMore = trainMore;
        return r;
    }

    /**
     * Whether {@code sets} gives the run more epochs than it has trained. Fewer are refused
     * ({@link UserError}): the run's weights and records already hold later epochs. As many is no
     * change (an ended run is evaluated again). A value that is not a number is left to the spec's
     * own check.
     */
    private static boolean moreEpochs(RunDirectory run, List<String> sets) {
        String last = null;
        for (String s : sets) if (s.startsWith("training.epochs=")) last = s;
        if (last == null) return false;
        int epochs;
        try {
            epochs = Integer.parseInt(last.substring("training.epochs=".length()).trim());
        } catch (NumberFormatException e) {
            return true;
        }
        int done = run.record().path("epochs_completed").asInt(0);
        if (epochs < done) {
            throw new UserError("--set " + last + ": " + run.dir() + " has already trained " + done + " epochs; give more than " + done
                    + " to train further, or leave training.epochs out to evaluate it again");
        }
        return epochs > done;
    }

    /**
     * Refuses ({@link UserError}) to train more a run that its early stopping stopped: resumed, it
     * would train no further epoch. Read from its checkpoint's header (not its weights).
     */
    private static void refuseIfEarlyStopped(RunDirectory run, Experiment experiment) {
        Experiment.EarlyStop es = experiment.training().earlyStopping();
        if (es == null || !run.record().path("status").asText("").equals(Trainer.Status.STOPPED_EARLY.label())) return;
        Map<String, Map<String, Object>> callbacks;
        try {
            callbacks = Checkpoint.callbackStates(checkpoint(run));
        } catch (IOException e) {
            return; // the resume itself says what is wrong with the checkpoint
        }
        boolean fired = callbacks.entrySet().stream().anyMatch(e -> e.getKey().startsWith("EarlyStopping.")
                && dev.machina.train.callbacks.EarlyStopping.stopped(e.getValue(), es.patience()));
        if (!fired) return;
        throw new UserError(run.dir() + " was stopped by its early stopping after epoch " + run.record().path("epochs_completed").asInt()
                + ", so its training has ended (with more epochs or time it stops there too): evaluate it again with ./machina train --resume "
                + run.dir() + ", or train a new run with a larger training.early_stopping.patience (" + run.record().path("stop_reason").asText("") + ")");
    }

    /** Whether the run's training has ended (completed or stopped early), so resuming it evaluates the test split again. */
    private static boolean trainingEnded(RunDirectory run) {
        String status = run.record().path("status").asText("");
        return status.equals(Trainer.Status.COMPLETED.label()) || status.equals(Trainer.Status.STOPPED_EARLY.label());
    }

    /**
     * One worker of synchronous data-parallel training of the run in {@code runDir} (created,
     * with its spec.yaml and run.json, by whoever started the workers): worker 0 trains into it
     * exactly as {@link #run} does, from the start or, with {@code resume}, from its last
     * checkpoint, and evaluates the test split, without the report; the other workers train the
     * same steps on their parts of each batch in a scratch directory, deleted afterwards.
     * All workers need {@code runDir} readable (they resume from its checkpoint).
     */
    public static Result worker(Experiment experiment, Path runDir, boolean resume, GradientSync sync) throws IOException {
        return worker(experiment, runDir, resume, sync, null);
    }

    /**
     * As {@link #worker(Experiment, Path, boolean, GradientSync)}, with the data already prepared
     * (null: read as the spec says). When its training set is this worker's own shard
     * ({@link Setup#SHARDED}), each batch is {@code ⌈batch_size / workers⌉} of its examples.
     */
    public static Result worker(Experiment experiment, Path runDir, boolean resume, GradientSync sync, Prepared data) throws IOException {
        return worker(experiment, runDir, resume, sync, data, null);
    }

    /**
     * As {@link #worker(Experiment, Path, boolean, GradientSync, Prepared)}; worker 0 also runs
     * {@code afterRecord} (when not null) after the run's recorder, e.g. to send what it saved to
     * the machine that started the workers.
     */
    public static Result worker(Experiment experiment, Path runDir, boolean resume, GradientSync sync, Prepared data, Callback afterRecord)
            throws IOException {
        return worker(experiment, runDir, resume, sync, data, afterRecord, null);
    }

    /** As above; every worker also runs {@code watch} (when not null) before the recorder, e.g. to stop when its task is cancelled. */
    public static Result worker(Experiment experiment, Path runDir, boolean resume, GradientSync sync, Prepared data, Callback afterRecord,
                                Callback watch) throws IOException {
        Path checkpoint = runDir.resolve(RunDirectory.CHECKPOINTS).resolve("last.safetensors");
        if (resume && !Files.isRegularFile(checkpoint)) throw new UserError(runDir + " has no checkpoint to resume from");
        if (sync.rank() == 0) {
            SpecRunner r = new SpecRunner(experiment, RunDirectory.open(runDir));
            r.fresh = !resume;
            r.sync = sync;
            r.given = data;
            r.writeReport = false;
            if (afterRecord != null) r.afterRecorder.add(afterRecord);
            if (watch != null) r.callbacks.add(watch);
            return r.run();
        }
        Path scratch = Files.createTempDirectory("machina-worker-");
        try {
            SpecRunner r = new SpecRunner(experiment, RunDirectory.createAt(scratch.resolve("run"), experiment.name()));
            r.fresh = true;
            r.sync = sync;
            r.resumeFrom = resume ? checkpoint : null;
            r.given = data;
            r.writeReport = false;
            if (watch != null) r.callbacks.add(watch);
            return r.run();
        } finally {
            try (var s = Files.walk(scratch)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private static Path checkpoint(RunDirectory run) {
        return run.checkpoints().resolve("last.safetensors");
    }

    /** The directory that holds the runs (default {@code runs}); the run goes to {@code <runsDir>/<name>/<run-id>/}. */
    public SpecRunner runsDir(Path dir) {
        this.runsDir = dir;
        return this;
    }

    /** The run's name (default: the spec's). */
    public SpecRunner name(String name) {
        this.name = name == null ? null : checkName(name);
        return this;
    }

    /** A run or sweep name as given, or a UserError: it names a directory under the runs directory. */
    public static String checkName(String name) {
        if (!name.matches("[A-Za-z0-9._-]+") || name.matches("\\.+")) {
            throw new UserError("name '" + SpecNode.clip(name) + "': use letters, digits, '.', '_' or '-', not only dots (it names a directory under the runs directory)");
        }
        return name;
    }

    /** Whether to write plots and report.html (default true; needs a {@link RunReporter} on the class path). */
    public SpecRunner report(boolean report) {
        this.writeReport = report;
        return this;
    }

    /** An extra callback (progress display, pruning), run before the recorder. */
    public SpecRunner callback(Callback c) {
        callbacks.add(c);
        return this;
    }

    public SpecRunner listener(Listener l) {
        this.listener = l;
        return this;
    }

    public Experiment experiment() {
        return experiment;
    }

    /** The reporter's {@link RunReporter#prepare()} on a daemon thread: it never delays or fails the run. */
    private static void prepareReport() {
        RunReporter.find().ifPresent(r -> Thread.ofPlatform().name("machina-report-prepare").daemon().start(() -> {
            try {
                r.prepare();
            } catch (Throwable ignored) { // a report that cannot get ready is written (or fails) later, as without this
            }
        }));
    }

    /**
     * Trains, evaluates and records. A failure inside training is in the result's history (status
     * failed, run.json says so); bad data or settings throw {@link UserError} before anything runs,
     * as does a model whose {@link MemoryEstimate} does not fit the JVM's maximum heap.
     */
    @SuppressWarnings("unchecked")
    public Result run() throws IOException {
        listener.preparing(experiment);
        Prepared data;
        try {
            data = given != null ? given : Prepared.of(experiment);
        } catch (OutOfMemoryError e) {
            throw new IllegalStateException(MemoryEstimate.outOfMemory("preparing the data (the data and the copies made while splitting and "
                    + "transforming it)", "./machina train …"));
        }
        // refused before the model is built: one line with the estimate and the -Xmx to give (a run only evaluated again
        // does not train: its evaluation's own out-of-memory line says what to do)
        if (!evaluateOnly && !"false".equals(System.getProperty(MemoryEstimate.CHECK_PROPERTY))) {
            var estimate = MemoryEstimate.of(experiment, data);
            String refusal = estimate.isEmpty() ? null : estimate.get().refusal(Runtime.getRuntime().maxMemory());
            if (refusal != null) throw new UserError(refusal);
        }
        RunDirectory run = resumeRun;
        if (run == null) {
            run = RunDirectory.create(runsDir, name != null ? name : experiment.name());
            try {
                AtomicFiles.writeString(run.file("spec.yaml"), experiment.resolvedYaml());
            } catch (IOException e) {
                throw new IOException("cannot write " + run.file("spec.yaml") + ": " + e.getMessage(), e);
            }
        }
        java.io.Closeable lock;
        try {
            lock = run.lock(); // one process trains a run at a time
        } catch (IllegalStateException e) {
            throw new UserError(e.getMessage());
        }
        Setup setup;
        History h;
        ClassificationReport report = null;
        Map<String, Object> tr;
        try (lock) { // the test evaluation too: two processes must not write one run's results at once
            if (resumeRun != null && sync == null) {
                // run.json as it is now that this process holds the run: another may have trained or evaluated it since it was read
                boolean wasEvaluateOnly = evaluateOnly;
                run = RunDirectory.open(run.dir());
                if ((trainingEnded(run) && !trainMore) != wasEvaluateOnly) {
                    throw new UserError(run.dir() + " was changed by another process while this one started (it is now "
                            + run.record().path("status").asText("not finished") + "); run the command again");
                }
                if (trainMore) refuseIfEarlyStopped(run, experiment); // another process may have finished it since
            }
            if (evaluateOnly) {
                try {
                    setup = savedModel(run, data);
                    if (writeReport) prepareReport();
                    h = History.of(run.readHistory(), run.record().path("status").asText().equals(Trainer.Status.COMPLETED.label())
                            ? Trainer.Status.COMPLETED : Trainer.Status.STOPPED_EARLY, run.record().path("stop_reason").asText(""));
                } catch (OutOfMemoryError e) {
                    throw testOutOfMemory(run, experiment, data);
                }
            } else {
                try {
                    setup = Setup.of(experiment, data, run, sync);
                    for (String w : warnings(experiment, setup)) {
                        listener.warning(w);
                        run.log("warning: " + w);
                    }
                    Trainer trainer = new Trainer(setup.config(callbacks, afterRecorder, checkpoint(run)));
                    if (writeReport) prepareReport();
                    listener.started(run, setup, trainer);
                    Path from = resumeFrom != null ? resumeFrom : resumeRun != null && !fresh ? checkpoint(run) : null;
                    h = from == null
                        ? trainer.fit(setup.model(), setup.train(), setup.validation())
                        : trainer.resume(setup.model(), setup.train(), setup.validation(), from);
                } catch (OutOfMemoryError e) {
                    throw trainingOutOfMemory(run);
                }
                if (h.status() != Trainer.Status.COMPLETED && h.status() != Trainer.Status.STOPPED_EARLY || sync != null && sync.rank() != 0) {
                    return new Result(run, setup, h, null, Map.of(), null, null);
                }
            }
            try {
                clearTestResults(run); // an earlier evaluation's, which this one replaces
                listener.evaluating(run, setup);
                DataLoader test = setup.test();
                if (setup.classes() > 0) {
                    Evaluator.Predictions p = Evaluator.predict(setup.model(), test);
                    report = ClassificationReport.of(p.labels(), p.predicted(), data.classNames(), p.probabilities());
                    String json = report.toJson(); // once: the curves make it long
                    if (data.imageShape() != null) writeMisclassified(run, data, p);
                    run.writeTestResults(json); // last: test-results.json is there only when the whole evaluation is
                    setup.recorder().putFinalMetric("test_accuracy", report.accuracy());
                    tr = new JsonMap(json); // parsed when read: the curves make it long, and the report reads the file
                } else {
                    Evaluator.Result r = Evaluator.evaluate(setup.model(), test, setup.loss());
                    tr = new LinkedHashMap<>();
                    tr.put("test_loss", r.loss());
                    tr.put("examples", r.examples());
                    tr.put("loss", setup.vocabulary() > 0 ? "cross-entropy per character (nats)" : "mean squared error");
                    Map<String, Double> finals = new LinkedHashMap<>();
                    finals.put("test_loss", r.loss());
                    if (setup.vocabulary() > 0) {
                        tr.put("perplexity", Math.exp(r.loss()));
                        finals.put("test_perplexity", Math.exp(r.loss()));
                    } else {
                        // a regression: the errors in the targets' own units, over every predicted value, and the values themselves
                        var m = regression(run, setup, data);
                        tr.putAll(m.toMap());
                        finals.put("test_mse", m.mse());
                        finals.put("test_rmse", m.rmse());
                        finals.put("test_mae", m.mae());
                        if (!Double.isNaN(m.r2())) finals.put("test_r2", m.r2());
                    }
                    run.writeTestResults(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tr));
                    for (var f : finals.entrySet()) setup.recorder().putFinalMetric(f.getKey(), f.getValue());
                }
            } catch (OutOfMemoryError e) {
                throw testOutOfMemory(run, experiment, data);
            }
        }
        Path reportFile = null;
        String reportError = null;
        if (writeReport) {
            var reporter = RunReporter.find();
            if (reporter.isPresent()) {
                try {
                    reportFile = reporter.get().write(run.dir());
                } catch (IOException | RuntimeException e) { // the run itself is saved; the report can be written again
                    reportError = String.valueOf(e.getMessage());
                } catch (OutOfMemoryError e) {
                    reportError = MemoryEstimate.outOfMemory("drawing the report", "./machina report " + run.dir());
                    run.log("report not written: " + reportError);
                }
            }
        }
        return new Result(run, setup, h, report, tr, reportFile, reportError);
    }

    /**
     * The setup of a run whose training has ended, with the weights it saved (model.safetensors)
     * in its model: nothing of the run is written, and run.json keeps the configuration it was
     * trained with (a changed {@code eval_batch_size} only evaluates).
     */
    private Setup savedModel(RunDirectory run, Prepared data) throws IOException {
        var rec = run.record();
        var config = rec.get("config");
        var dataset = rec.get("dataset");
        sameData(run, dataset, data);
        Setup setup = Setup.of(experiment, data, run, null);
        if (config != null) rec.set("config", config);
        if (dataset != null) rec.set("dataset", dataset);
        Path weights = run.file(RunDirectory.MODEL);
        if (!Files.isRegularFile(weights)) throw new UserError(run.dir() + " has no " + RunDirectory.MODEL + " to evaluate");
        setup.model().loadStateDict(dev.machina.io.SafeTensors.read(weights).tensors());
        return setup;
    }

    /**
     * Refuses to evaluate a saved model on data other than what it was trained on: the prepared
     * data's SHA-256 ({@code sha256_data}, after splitting and transforming) must be run.json's.
     * The line names the parts of the identity that differ (the file's {@code sha256}, counts, classes).
     */
    private static void sameData(RunDirectory run, com.fasterxml.jackson.databind.JsonNode recorded, Prepared data) {
        if (recorded == null || !recorded.has("sha256_data")) return; // a record without it: nothing to compare
        var now = JSON.valueToTree(data.identity());
        if (recorded.get("sha256_data").equals(now.get("sha256_data"))) return;
        List<String> differ = new ArrayList<>();
        now.fieldNames().forEachRemaining(k -> {
            if (!k.equals("path") && !k.equals("sha256_data") && !now.get(k).equals(recorded.get(k))) differ.add(k);
        });
        differ.add("sha256_data");
        throw new UserError("cannot evaluate " + run.dir() + " again: its dataset " + recorded.path("name").asText("?")
                + (recorded.has("path") ? " (" + recorded.get("path").asText() + ")" : "") + " has changed since the run was trained ("
                + String.join(", ", differ) + " differ from run.json's); train a new run on the data as it is now");
    }

    /** Removes what an earlier evaluation of the test split wrote: its files, its final test metrics, its {@link #TEST_ERROR}. */
    private static void clearTestResults(RunDirectory run) throws IOException {
        for (String f : List.of(RunDirectory.TEST_RESULTS, TEST_PREDICTIONS, MISCLASSIFIED)) Files.deleteIfExists(run.file(f));
        var rec = run.record();
        if (rec.get("final_metrics") instanceof com.fasterxml.jackson.databind.node.ObjectNode fm) {
            List<String> old = new ArrayList<>();
            fm.fieldNames().forEachRemaining(k -> {
                if (k.startsWith("test_")) old.add(k);
            });
            fm.remove(old);
        }
        rec.remove(TEST_ERROR);
        run.saveRecord();
    }

    /**
     * The regression metrics of the test split, with every predicted value beside its target in
     * {@link #TEST_PREDICTIONS} (columns example, output, actual, predicted; for a series also
     * step, the position in the series of the value predicted), which the report draws.
     */
    private static RegressionMetrics regression(RunDirectory run, Setup setup, Prepared data) throws IOException {
        Evaluator.Predictions p = Evaluator.predict(setup.model(), setup.test());
        float[] pred = p.outputs().data(), targets = data.test().targets().data();
        int rows = p.indices().length, width = targets.length / Math.max(1, data.test().size());
        if (pred.length != rows * width) {
            throw new IllegalArgumentException("the model gives " + pred.length / Math.max(1, rows) + " values per example whose targets have " + width);
        }
        Map<String, Object> a = setup.experiment().data().args();
        boolean series = a.get("window") instanceof Integer && a.get("stride") instanceof Integer && a.get("horizon") instanceof Integer;
        int offset = data.train().size() + (data.validation() == null ? 0 : data.validation().size());
        float[] act = new float[pred.length];
        for (int i = 0; i < rows; i++) System.arraycopy(targets, p.indices()[i] * width, act, i * width, width);
        int stride = series ? (Integer) a.get("stride") : 0, window = series ? (Integer) a.get("window") : 0;
        int perStep = series ? width / (Integer) a.get("horizon") : 0; // outputs are step-major: width / horizon target columns per step ahead
        AtomicFiles.write(run.file(TEST_PREDICTIONS), out -> writePredictions(out, p.indices(), act, pred, width, series, offset, stride, window, perStep));
        return RegressionMetrics.of(pred, act);
    }

    /**
     * test-predictions.csv, streamed (one row per predicted value: the example, the output, for a
     * series the step in it, the target and the prediction), so that it costs a buffer, not a copy
     * of the file in memory.
     */
    static void writePredictions(java.io.OutputStream out, int[] examples, float[] actual, float[] predicted, int width, boolean series,
                                 int offset, int stride, int window, int perStep) throws IOException {
        var w = new java.io.BufferedWriter(new java.io.OutputStreamWriter(out, java.nio.charset.StandardCharsets.UTF_8), 1 << 16);
        w.write(series ? "example,output,step,actual,predicted\n" : "example,output,actual,predicted\n");
        for (int i = 0; i < examples.length; i++) {
            int ex = examples[i];
            for (int k = 0; k < width; k++) {
                w.write(ex + "," + k + ",");
                if (series) w.write((offset + ex) * stride + window + k / perStep + ",");
                w.write(actual[i * width + k] + "," + predicted[i * width + k] + "\n");
            }
        }
        w.flush();
    }

    /**
     * The run marked failed, and one line saying what to do: the model, its optimizer state and
     * its activations at the training and evaluation batch sizes do not fit the JVM's heap.
     */
    private IllegalStateException trainingOutOfMemory(RunDirectory run) {
        Experiment.Training t = experiment.training();
        boolean resumable = sync == null && Files.isRegularFile(checkpoint(run));
        String msg = MemoryEstimate.outOfMemory("training (the model, its optimizer state and its activations at training.batch_size "
                + t.batchSize() + ", and validation at training.eval_batch_size " + t.evalBatchSize() + ")",
                resumable ? "./machina train --resume " + run.dir() + " (which continues from its last checkpoint)" : "./machina train …")
                + ", or make the model, training.batch_size or training.eval_batch_size smaller";
        try {
            run.record().put("status", Trainer.Status.FAILED.label());
            run.record().put("error", msg);
            run.saveRecord();
            run.log("failed: " + msg);
        } catch (RuntimeException ignored) {
            // the record could not be written either; the message still goes to the caller
        }
        return new IllegalStateException(msg);
    }

    /**
     * One line for running out of memory while evaluating the test split after training: the
     * weights (model.safetensors) and the checkpoint are saved by then, the run keeps its status,
     * and {@code train --resume} on it evaluates again, with more heap or a smaller evaluation
     * batch. The line also goes to run.json ({@link #TEST_ERROR}) and log.txt.
     */
    private static TestEvaluationError testOutOfMemory(RunDirectory run, Experiment experiment, Prepared data) {
        int examples = data.test().size(), batch = Math.min(experiment.training().evalBatchSize(), examples);
        String resume = "./machina train --resume " + run.dir();
        String msg = "out of memory while evaluating the test split after training (" + examples + " examples, " + batch + " at a time): the JVM's "
                + "maximum heap is " + MemoryEstimate.size(Runtime.getRuntime().maxMemory()) + "; the trained model is saved (" + RunDirectory.MODEL
                + "): evaluate it with more heap (" + MemoryEstimate.moreHeap(resume) + ")"
                + (batch > 1 ? " or a smaller evaluation batch (" + resume + " --set training.eval_batch_size=" + Math.max(1, batch / 4) + ")" : "");
        try {
            run.record().put(TEST_ERROR, msg);
            run.saveRecord();
            run.log("test evaluation failed: " + msg);
        } catch (RuntimeException ignored) {
            // the record could not be written either; the message still goes to the caller
        }
        return new TestEvaluationError(msg);
    }

    /** What will train badly though it is valid: a softmax before cross-entropy, training data of one class. */
    static List<String> warnings(Experiment e, Setup setup) {
        List<String> w = new ArrayList<>();
        List<Experiment.Layer> layers = e.model();
        Experiment.Layer last = layers.get(layers.size() - 1);
        if (setup.classes() > 0 && e.loss().name().equals("cross_entropy") && (last.kind().equals("softmax") || last.kind().equals("log_softmax"))) {
            w.add(e.error(last.where(), "the model ends with " + last.kind() + ", but cross_entropy takes logits and applies log-softmax itself: "
                    + "remove this layer (predict still reports probabilities)").getMessage());
        }
        var train = setup.data().train();
        if (train.isClassification()) {
            long present = java.util.Arrays.stream(train.classCounts()).filter(c -> c > 0).count();
            if (present == 1) {
                w.add("the training data has a single class (" + setup.data().classNames().get(java.util.stream.IntStream.range(0, train.classCounts().length)
                        .filter(i -> train.classCounts()[i] > 0).findFirst().orElse(0)) + "): the model can only learn to predict it; check data.label");
            }
        }
        return w;
    }

    private static void writeMisclassified(RunDirectory run, Prepared data, Evaluator.Predictions p) {
        int[] pred = p.predicted();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("image_shape", data.imageShape());
        m.put("class_names", data.classNames());
        List<Map<String, Object>> ex = new ArrayList<>();
        float[] probs = p.probabilities().data();
        int c = data.classNames().size();
        for (int i = 0; i < pred.length && ex.size() < 16; i++) {
            if (pred[i] == p.labels()[i]) continue;
            Map<String, Object> e = new LinkedHashMap<>();
            int idx = p.indices()[i];
            e.put("index", idx);
            e.put("true", p.labels()[i]);
            e.put("predicted", pred[i]);
            e.put("probability", probs[i * c + pred[i]]);
            e.put("pixels", data.test().get(idx).features().data());
            ex.add(e);
        }
        m.put("examples", ex);
        try {
            AtomicFiles.writeString(run.file(MISCLASSIFIED), JSON.writeValueAsString(m));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
