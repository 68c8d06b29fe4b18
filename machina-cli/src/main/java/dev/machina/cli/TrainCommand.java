package dev.machina.cli;

import dev.machina.cli.options.SharedOptions;
import dev.machina.experiment.ClusterBackend;
import dev.machina.experiment.Experiment;
import dev.machina.experiment.Prepared;
import dev.machina.experiment.Setup;
import dev.machina.experiment.SpecRunner;
import dev.machina.experiment.TestEvaluationError;
import dev.machina.experiment.UserError;
import dev.machina.kernel.Parallel;
import dev.machina.nn.Summary;
import dev.machina.run.RunDirectory;
import dev.machina.train.History;
import dev.machina.train.Trainer;
import dev.machina.train.callbacks.ConsoleProgress;
import java.io.PrintWriter;
import java.nio.file.Path;
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

    @CommandLine.Mixin
    SharedOptions common;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SPEC", description = "The experiment spec (YAML or JSON).")
    Path specFile;

    @Option(names = "--resume", paramLabel = "RUN_DIR", description = "Continue an interrupted or stopped run from its last checkpoint.")
    Path resume;

    @Option(names = "--progress", defaultValue = "auto", description = "auto (a live bar on a terminal, lines otherwise), bar, lines or none.")
    String progress;

    @Option(names = "--no-report", description = "Do not write plots and report.html.")
    boolean noReport;
    @Option(names = "--spark", paramLabel = "MASTER", description = "Train data-parallel on Apache Spark: local[N] or spark://HOST:PORT (docs/SPARK.md).")
    String spark;
    @Option(names = "--workers", description = "With --spark: the workers training together (default: Spark's default parallelism, its task slots once executors registered).")
    int workers;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        common.applyThreads();
        if (!List.of("auto", "bar", "lines", "none").contains(progress)) {
            throw new UserError("--progress must be auto, bar, lines or none, got '" + progress + "'");
        }
        if (spark != null) return sparkTrain(out);
        if (workers != 0) throw new UserError("--workers is for data-parallel training on Spark: give --spark MASTER too");
        SpecRunner runner;
        if (resume != null) {
            if (specFile != null) throw new UserError("give either a SPEC or --resume RUN_DIR, not both (the run keeps its own spec)");
            runner = SpecRunner.resume(resume, common.sets);
        } else {
            if (specFile == null) throw new UserError("missing SPEC: machina train SPEC.yaml (see examples/)");
            runner = SpecRunner.of(Experiment.load(specFile, common.sets)).runsDir(common.runsDir).name(common.name);
        }
        Experiment exp = runner.experiment();
        boolean terminal = progress.equals("bar") || (progress.equals("auto") && ProgressBar.isTerminal());
        CountDownLatch done = new CountDownLatch(1);
        Trainer[] trainer = new Trainer[1];
        RunDirectory[] run = new RunDirectory[1];
        Thread hook = new Thread(() -> {
            Trainer t = trainer[0];
            if (t != null) t.requestStop(Trainer.Status.INTERRUPTED, "interrupted by the user");
            try {
                done.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "machina-interrupt");
        ProgressBar bar = progress.equals("none") || !terminal ? null : new ProgressBar(out, 1, exp.training().batchSize());
        runner.report(!noReport).listener(new SpecRunner.Listener() {
            @Override
            public void preparing(Experiment e) {
                out.printf("machina: preparing %s (%s)%n", e.name(), e.data().dataset());
                out.flush();
            }

            @Override
            public void warning(String message) {
                spec.commandLine().getErr().println("machina: warning: " + message);
            }

            @Override
            public void evaluating(RunDirectory r, Setup setup) {
                if (run[0] != null) return; // trained here: the epochs said so
                run[0] = r;
                out.printf("machina: %s: training has ended (%s); evaluating the test split again%n", r.dir(), r.record().path("status").asText());
                out.flush();
            }

            @Override
            public void started(RunDirectory r, Setup setup, Trainer t) {
                trainer[0] = t;
                run[0] = r;
                if (bar != null) bar.batchesPerEpoch(setup.train().numBatches());
                Prepared data = setup.data();
                out.printf("machina: %s: %,d parameters, %d train / %d validation / %d test examples, %d threads%n", r.dir(),
                        setup.model().parameterCount(), data.train().size(), data.validation() == null ? 0 : data.validation().size(),
                        data.test().size(), Parallel.threads());
                out.print(Summary.table(setup.model(), data.train().featureShape()));
                out.flush();
                Runtime.getRuntime().addShutdownHook(hook);
            }
        });
        if (!progress.equals("none")) {
            runner.callback(bar != null ? bar : new ConsoleProgress(out));
        }
        SpecRunner.Result result;
        try {
            result = runner.run();
        } catch (RuntimeException | java.io.IOException e) {
            done.countDown(); // a Ctrl-C arriving now must not wait for a run that has ended
            if (e instanceof UserError u) throw u;
            // training ended and the run is kept; only its test split is missing, and the message says how to evaluate it again
            spec.commandLine().getErr().println("machina: " + (e instanceof TestEvaluationError ? "" : "the run failed: ") + e.getMessage()
                    + (run[0] == null ? "" : "\nmachina: run directory: " + run[0].dir()));
            if (Main.debug(spec)) e.printStackTrace(spec.commandLine().getErr());
            return 1;
        } finally {
            if (run[0] != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // Ctrl-C: the hook is running and waits for `done`
                }
            }
        }
        try {
            History h = result.history();
            Path dir = result.dir();
            if (h.status() == Trainer.Status.INTERRUPTED) {
                out.printf("machina: interrupted after %d epoch(s); continue with: ./machina train --resume %s%n", h.size(), dir);
                return 1;
            }
            if (h.status() == Trainer.Status.FAILED) {
                spec.commandLine().getErr().println("machina: the run failed: " + h.reason() + "\nmachina: run directory: " + dir);
                return 1;
            }
            if (h.status() == Trainer.Status.STOPPED_EARLY) out.println("machina: stopped early: " + h.reason());
            Map<String, Object> tr = result.testResults();
            if (result.report() != null) {
                out.println();
                out.println(result.report());
                out.printf(Locale.ROOT, "machina: test accuracy %.4f (%d examples)%n", result.report().accuracy(), result.setup().data().test().size());
            } else {
                double loss = ((Number) tr.get("test_loss")).doubleValue();
                out.printf(Locale.ROOT, "machina: test loss %.4f%s (%s examples)%n", loss,
                        tr.containsKey("perplexity") ? String.format(Locale.ROOT, ", perplexity %.2f", Math.exp(loss)) : "", tr.get("examples"));
            }
            if (result.reportFile() != null) {
                out.printf("machina: report %s (%d plots, PNG and SVG, in %s)%n", result.reportFile(), Reports.plotCount(dir), dir.resolve("plots"));
            } else if (result.reportError() != null) {
                String again = "./machina report " + dir;
                out.println("machina: warning: could not write the report: " + result.reportError()
                        + (result.reportError().contains(again) ? "" : " (try: " + again + ")"));
            }
            out.printf("machina: run directory %s%n", dir);
            return 0;
        } finally {
            done.countDown();
        }
    }

    /** {@code --spark}: the same run, trained by workers on Spark (worker 0 records it); the summary as for a local run. */
    private int sparkTrain(PrintWriter out) throws Exception {
        if (resume != null || specFile == null) throw new UserError("--spark trains a SPEC: machina train SPEC.yaml --spark MASTER (a lost worker resumes by itself)");
        Experiment exp = Experiment.load(specFile, common.sets);
        CountDownLatch done = new CountDownLatch(1);
        Thread[] hook = new Thread[1];
        ClusterBackend.TrainResult r;
        try {
            r = ClusterBackend.require("spark", "--spark").train(spark, Map.of(), exp, workers, common.runsDir, common.name, new ClusterBackend.TrainListener() {
                @Override public void started(Path dir, int n, Runnable stop) {
                    out.printf("machina: %s: %d workers on Spark %s%n", dir, n, spark);
                    out.flush();
                    hook[0] = new Thread(() -> { // Ctrl-C: the workers stop, the run is recorded interrupted
                        stop.run();
                        try {
                            done.await(60, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }, "machina-interrupt");
                    Runtime.getRuntime().addShutdownHook(hook[0]);
                }
                @Override public void epoch(Map<String, Double> logs) {
                    StringBuilder b = new StringBuilder("machina: epoch " + logs.getOrDefault("epoch", 0.0).intValue());
                    logs.forEach((k, v) -> b.append(k.matches("epoch|step|type") ? "" : ", " + k + " " + dev.machina.run.Numbers.format(v)));
                    out.println(b);
                    out.flush();
                }
                @Override public void restarting(int attempt, String reason, boolean fromCheckpoint) {
                    out.printf("machina: workers lost (%s); restart %d %s%n", reason, attempt, fromCheckpoint ? "from the last checkpoint" : "from the start");
                    out.flush();
                }
            });
        } finally {
            if (hook[0] != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook[0]);
                } catch (IllegalStateException shuttingDown) {
                    // Ctrl-C: the hook waits for `done`
                }
            }
        }
        try {
            if (r.status().equals("interrupted")) {
                out.printf("machina: interrupted; continue in this process with: ./machina train --resume %s%n", r.dir());
                return 1;
            }
            return sparkSummary(out, r);
        } finally {
            done.countDown();
        }
    }

    private int sparkSummary(PrintWriter out, ClusterBackend.TrainResult r) {
        if (!r.status().equals("completed") && !r.status().equals("stopped-early")) {
            spec.commandLine().getErr().println("machina: the run " + r.status() + ": " + r.reason() + "\nmachina: run directory: " + r.dir());
            return 1;
        }
        Object acc = r.testResults().get("accuracy");
        out.println(acc != null ? String.format(Locale.ROOT, "machina: test accuracy %.4f", ((Number) acc).doubleValue())
                : String.format(Locale.ROOT, "machina: test loss %.4f", ((Number) r.testResults().getOrDefault("test_loss", Double.NaN)).doubleValue()));
        out.printf(Locale.ROOT, "machina: gradient exchange %.2f ms per step; report %s%nmachina: run directory %s%n", r.syncMsPerStep(), r.reportFile(), r.dir());
        return 0;
    }
}
