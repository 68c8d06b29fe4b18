package dev.machina.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.machina.cli.spec.Build;
import dev.machina.cli.spec.Experiment;
import dev.machina.cli.spec.Prepared;
import dev.machina.data.DataLoader;
import dev.machina.data.TensorDataset;
import dev.machina.io.AtomicFiles;
import dev.machina.kernel.Parallel;
import dev.machina.metrics.ClassificationReport;
import dev.machina.nn.Module;
import dev.machina.optim.Optimizer;
import dev.machina.run.RunDirectory;
import dev.machina.train.Callback;
import dev.machina.train.ConsoleProgress;
import dev.machina.train.EarlyStopping;
import dev.machina.train.Evaluator;
import dev.machina.train.History;
import dev.machina.train.LossFunction;
import dev.machina.train.LrScheduleCallback;
import dev.machina.train.Monitor;
import dev.machina.train.NanGuard;
import dev.machina.train.RunRecorder;
import dev.machina.train.Trainer;
import dev.machina.train.TrainerConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `machina train SPEC`: trains, evaluates on the test set, and leaves a run directory with a report. */
@Command(mixinStandardHelpOptions = true, name = "train", description = {"Train a model from a spec, test it, and write its run directory and report.",
    "Ctrl-C stops cleanly after the current batch; continue the run with --resume RUN_DIR."})
public final class TrainCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SPEC", description = "The experiment spec (YAML or JSON).")
    Path specFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a spec key, e.g. --set optimizer.lr=3e-4 (repeatable).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--name", description = "Run name (default: the spec's name).")
    String name;

    @Option(names = "--runs", defaultValue = "runs", description = "Directory that holds the runs (default: ${DEFAULT-VALUE}).")
    Path runsDir;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue an interrupted or stopped run from its last checkpoint.")
    Path resume;

    @Option(names = "--threads", description = "Kernel threads (default: all cores).")
    Integer threads;

    @Option(names = "--progress", defaultValue = "auto", description = "auto (a live bar on a terminal, lines otherwise), bar, lines or none.")
    String progress;

    @Option(names = "--no-report", description = "Do not write plots and report.html.")
    boolean noReport;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (threads != null) {
            if (threads < 1) throw new Main.UserError("--threads must be at least 1, got " + threads);
            Parallel.setThreads(threads);
        }
        if (!List.of("auto", "bar", "lines", "none").contains(progress)) {
            throw new Main.UserError("--progress must be auto, bar, lines or none, got '" + progress + "'");
        }
        Experiment exp;
        RunDirectory run;
        Path checkpoint = null;
        if (resume != null) {
            if (specFile != null) throw new Main.UserError("give either a SPEC or --resume RUN_DIR, not both (the run keeps its own spec)");
            for (String s : sets) {
                if (!s.startsWith("training.epochs=") && !s.startsWith("training.time_budget_s=")) {
                    throw new Main.UserError("--set " + s + ": a resumed run keeps its settings; only training.epochs and training.time_budget_s may change");
                }
            }
            try {
                run = RunDirectory.open(resume);
            } catch (IOException e) {
                throw new Main.UserError(e.getMessage());
            }
            Path resolved = run.file("spec.yaml");
            if (!Files.isRegularFile(resolved)) throw new Main.UserError(resume + " has no spec.yaml: it was not made by `machina train`");
            exp = Experiment.load(resolved, sets);
            checkpoint = run.checkpoints().resolve("last.safetensors");
            if (!Files.isRegularFile(checkpoint)) {
                throw new Main.UserError(resume + " has no checkpoint yet (checkpoints/last.safetensors): it stopped before its first epoch ended; train it again");
            }
        } else {
            if (specFile == null) throw new Main.UserError("missing SPEC: machina train SPEC.yaml (see examples/)");
            exp = Experiment.load(specFile, sets);
            run = null;
        }
        out.printf("machina: preparing %s (%s)%n", exp.name(), exp.data().dataset());
        out.flush();
        Prepared data = Prepared.of(exp);
        TensorDataset train = data.train();
        int classes = train.isClassification() ? train.numClasses() : 0;
        int vocab = data.vocabulary() == null ? 0 : data.vocabulary().size();
        int[] outShape = outputShape(train, data);
        Module model = Build.model(exp, train.featureShape(), classes, vocab, outShape);
        Optimizer opt = Build.optimizer(exp, model);
        LossFunction loss = Build.loss(exp, train);
        Experiment.Training t = exp.training();
        DataLoader trainLoader = DataLoader.builder(train).batchSize(t.batchSize()).shuffle(exp.seed()).build();
        DataLoader valLoader = data.validation() == null ? null : DataLoader.builder(data.validation()).batchSize(t.evalBatchSize()).build();
        DataLoader testLoader = DataLoader.builder(data.test()).batchSize(t.evalBatchSize()).build();

        if (run == null) {
            run = RunDirectory.create(runsDir, name != null ? name : exp.name());
            AtomicFiles.writeString(run.file("spec.yaml"), exp.resolvedYaml());
        }
        Map<String, String> meta = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        meta.put("spec", json.writeValueAsString(exp.resolved()));
        meta.put("class_names", json.writeValueAsString(data.classNames()));
        meta.put("feature_shape", json.writeValueAsString(train.featureShape()));
        meta.put("output_shape", json.writeValueAsString(outShape));
        meta.put("task", classes > 0 ? "classification" : vocab > 0 ? "language-model" : "regression");
        if (vocab > 0) meta.put("vocabulary", json.writeValueAsString(data.vocabulary().chars()));
        if (data.transform() != null) meta.put("transform", json.writeValueAsString(data.transform().state()));
        RunRecorder recorder = new RunRecorder(run, exp.resolved(), data.identity(), meta);

        List<Callback> cbs = new ArrayList<>();
        cbs.add(new NanGuard());
        LrScheduleCallback sched = Build.schedule(exp, opt, trainLoader.numBatches());
        if (sched != null) cbs.add(sched);
        EarlyStopping es = null;
        if (t.earlyStopping() != null) {
            Experiment.EarlyStop e = t.earlyStopping();
            if (valLoader == null && e.monitor().startsWith("val_")) {
                throw exp.error("training.early_stopping.monitor", "monitors " + e.monitor() + " but there is no validation set (data.validation is 0)");
            }
            es = new EarlyStopping(Monitor.of(e.monitor(), e.mode()), e.patience(), e.minDelta(), e.restoreBest());
            cbs.add(es);
        }
        boolean terminal = progress.equals("bar") || (progress.equals("auto") && ProgressBar.isTerminal());
        PrintStream console = new PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                out.write(new String(b, off, len, java.nio.charset.StandardCharsets.UTF_8));
            }

            @Override
            public void flush() {
                out.flush();
            }
        }, true, java.nio.charset.StandardCharsets.UTF_8);
        if (!progress.equals("none")) cbs.add(terminal ? new ProgressBar(console, trainLoader.numBatches(), t.batchSize()) : new ConsoleProgress(console));
        cbs.add(recorder);
        TrainerConfig.Builder cb = TrainerConfig.builder().epochs(t.epochs()).loss(loss).optimizer(opt).clipNorm(t.clipNorm())
                .clipValue(t.clipValue()).seed(exp.seed()).logEvery(t.logEvery()).callbacks(cbs)
                .checkpointFile(run.checkpoints().resolve("last.safetensors"));
        if (t.timeBudgetS() != null) cb.timeBudget(Duration.ofMillis((long) (t.timeBudgetS() * 1000)));
        Trainer trainer = new Trainer(cb.build());

        out.printf("machina: %s: %,d parameters, %d train / %d validation / %d test examples, %d threads%n", run.dir(),
                model.parameterCount(), train.size(), data.validation() == null ? 0 : data.validation().size(), data.test().size(),
                Parallel.threads());
        out.flush();
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            trainer.requestStop(Trainer.Status.INTERRUPTED, "interrupted by the user");
            try {
                done.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "machina-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        History h;
        try {
            h = checkpoint == null ? trainer.fit(model, trainLoader, valLoader) : trainer.resume(model, trainLoader, valLoader, checkpoint);
        } catch (RuntimeException e) {
            done.countDown();
            spec.commandLine().getErr().println("machina: the run failed: " + e.getMessage() + "\nmachina: run directory: " + run.dir());
            if (Main.debug(spec)) e.printStackTrace(spec.commandLine().getErr());
            return 1;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running and waits for `done`
            }
        }
        try {
            if (h.status() == Trainer.Status.INTERRUPTED) {
                out.printf("machina: interrupted after %d epoch(s); continue with: ./machina train --resume %s%n", h.size(), run.dir());
                return 1;
            }
            if (h.status() == Trainer.Status.FAILED) {
                spec.commandLine().getErr().println("machina: the run failed: " + h.reason() + "\nmachina: run directory: " + run.dir());
                return 1;
            }
            if (h.status() == Trainer.Status.STOPPED_EARLY) out.println("machina: stopped early: " + h.reason());
            if (classes > 0) {
                Evaluator.Predictions p = Evaluator.predict(model, testLoader);
                ClassificationReport report = ClassificationReport.of(p.labels(), p.predicted(), data.classNames(), p.probabilities());
                run.writeTestResults(report.toJson());
                recorder.putFinalMetric("test_accuracy", report.accuracy());
                if (data.imageShape() != null) writeMisclassified(run, data, p);
                out.println();
                out.println(report);
                out.printf(Locale.ROOT, "machina: test accuracy %.4f (%d examples)%n", report.accuracy(), p.labels().length);
            } else {
                Evaluator.Result r = Evaluator.evaluate(model, testLoader, loss);
                recorder.putFinalMetric("test_loss", r.loss());
                Map<String, Object> tr = new LinkedHashMap<>();
                tr.put("test_loss", r.loss());
                tr.put("examples", r.examples());
                tr.put("loss", vocab > 0 ? "cross-entropy per character (nats)" : "mean squared error");
                if (vocab > 0) tr.put("perplexity", Math.exp(r.loss()));
                run.writeTestResults(json.writerWithDefaultPrettyPrinter().writeValueAsString(tr));
                out.printf(Locale.ROOT, "machina: test loss %.4f%s (%d examples)%n", r.loss(),
                        vocab > 0 ? String.format(Locale.ROOT, ", perplexity %.2f", Math.exp(r.loss())) : "", r.examples());
            }
            if (!noReport) Reports.write(run.dir(), out);
            out.printf("machina: run directory %s%n", run.dir());
            return 0;
        } finally {
            done.countDown();
        }
    }

    /** What one example's output must be: [classes], [steps, vocabulary] for text, the target shape for regression. */
    static int[] outputShape(TensorDataset train, Prepared data) {
        if (train.isClassification()) return new int[] {train.numClasses()};
        if (data.vocabulary() != null) return new int[] {train.featureShape()[0], data.vocabulary().size()};
        return train.targetShape().length == 0 ? new int[] {1} : train.targetShape();
    }

    private static void writeMisclassified(RunDirectory run, Prepared data, Evaluator.Predictions p) throws IOException {
        int[] pred = p.predicted();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("image_shape", data.imageShape());
        m.put("class_names", data.classNames());
        List<Map<String, Object>> ex = new ArrayList<>();
        float[] probs = p.probabilities().data();
        int c = data.classNames().size(), f = data.test().features().size() / data.test().size();
        float[] feats = data.test().features().data();
        for (int i = 0; i < pred.length && ex.size() < 16; i++) {
            if (pred[i] == p.labels()[i]) continue;
            Map<String, Object> e = new LinkedHashMap<>();
            int idx = p.indices()[i];
            e.put("index", idx);
            e.put("true", p.labels()[i]);
            e.put("predicted", pred[i]);
            e.put("probability", probs[i * c + pred[i]]);
            e.put("pixels", java.util.Arrays.copyOfRange(feats, idx * f, idx * f + f));
            ex.add(e);
        }
        m.put("examples", ex);
        AtomicFiles.writeString(run.file("misclassified.json"), new ObjectMapper().writeValueAsString(m));
    }
}
