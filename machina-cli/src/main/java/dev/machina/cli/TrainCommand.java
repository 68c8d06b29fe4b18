package dev.machina.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.machina.cli.spec.Experiment;
import dev.machina.cli.spec.Prepared;
import dev.machina.cli.spec.Setup;
import dev.machina.data.DataLoader;
import dev.machina.data.TensorDataset;
import dev.machina.io.AtomicFiles;
import dev.machina.kernel.Parallel;
import dev.machina.metrics.ClassificationReport;
import dev.machina.nn.Module;
import dev.machina.run.RunDirectory;
import dev.machina.train.Callback;
import dev.machina.train.ConsoleProgress;
import dev.machina.train.Evaluator;
import dev.machina.train.History;
import dev.machina.train.LossFunction;
import dev.machina.train.RunRecorder;
import dev.machina.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
        if (run == null) {
            run = RunDirectory.create(runsDir, name != null ? name : exp.name());
            AtomicFiles.writeString(run.file("spec.yaml"), exp.resolvedYaml());
        }
        Setup setup = Setup.of(exp, data, run);
        TensorDataset train = data.train();
        Module model = setup.model();
        int classes = setup.classes(), vocab = setup.vocabulary();
        RunRecorder recorder = setup.recorder();
        DataLoader testLoader = setup.test();
        LossFunction loss = setup.loss();
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
        List<Callback> extra = new ArrayList<>();
        if (!progress.equals("none")) {
            extra.add(terminal ? new ProgressBar(console, setup.train().numBatches(), exp.training().batchSize()) : new ConsoleProgress(console));
        }
        Trainer trainer = new Trainer(setup.config(extra, run.checkpoints().resolve("last.safetensors")));
        DataLoader trainLoader = setup.train(), valLoader = setup.validation();

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
                run.writeTestResults(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(tr));
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
