package dev.machina.cli.tune;

import dev.machina.cli.options.SharedOptions;
import dev.machina.report.ReportWriter;
import dev.machina.report.SweepReport;
import dev.machina.experiment.ClusterBackend;
import dev.machina.experiment.SpecRunner;
import dev.machina.experiment.SweepRunner;
import dev.machina.experiment.SweepSpec;
import dev.machina.experiment.TrialExecutor;
import dev.machina.experiment.UserError;
import dev.machina.kernel.Parallel;
import dev.machina.tune.Asha;
import dev.machina.tune.Dimension;
import dev.machina.tune.Leaderboard;
import dev.machina.tune.TrialResult;
import java.io.IOException;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** `machina tune SWEEP.yaml`: runs a hyperparameter sweep and leaves its leaderboard, best spec, plots and report. */
@Command(mixinStandardHelpOptions = true, name = "tune", description = {
    "Run a hyperparameter sweep: grid, random or successive halving (ASHA) over any spec keys.",
    "Writes runs/<sweep>/<id>/ with trials/<NNN>/ run directories, leaderboard.csv/.json, best.yaml,",
    "plots/ and report.html. Ctrl-C stops cleanly; continue with --resume SWEEP_DIR."})
public final class TuneCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    SharedOptions common;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SWEEP", description = "The sweep spec (YAML or JSON).")
    Path sweepFile;
    @Option(names = "--trials", description = "Number of trials (random and halving; caps a grid).")
    Integer trials;
    @Option(names = "--parallel", description = "Trials run at once in this JVM, sharing the cores (default: the spec's, else 1).")
    Integer parallel;
    @Option(names = "--spark", paramLabel = "MASTER", description = "Run each trial as an Apache Spark task: local[N] or spark://HOST:PORT (docs/SPARK.md).")
    String spark;
    @Option(names = "--resume", paramLabel = "SWEEP_DIR", description = "Continue a sweep: finished trials are kept, unfinished ones run again.")
    Path resume;
    @Option(names = "--progress", defaultValue = "auto", description = "auto (a live table on a terminal, a line per trial event otherwise), table, lines or none.")
    String progress;
    @Option(names = "--trial-reports", defaultValue = "3", description = "Write report.html for this many of the best trials (default: ${DEFAULT-VALUE}; 0 = none).")
    int trialReports;
    @Option(names = "--no-report", description = "Do not write plots and report.html for the sweep (nor trial reports).")
    boolean noReport;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!List.of("auto", "table", "lines", "none").contains(progress)) {
            throw new UserError("--progress must be auto, table, lines or none, got '" + progress + "'");
        }
        if (trials != null && trials < 1) throw new UserError("--trials must be at least 1, got " + trials);
        if (parallel != null && parallel < 1) throw new UserError("--parallel must be at least 1, got " + parallel);
        if (trialReports < 0) throw new UserError("--trial-reports must be >= 0, got " + trialReports);
        common.applyThreads();
        List<String> all = new ArrayList<>(common.sets);
        if (trials != null) all.add("trials=" + trials);
        SweepSpec sweep;
        Path dir;
        if (resume != null) {
            if (sweepFile != null) throw new UserError("give either a SWEEP file or --resume SWEEP_DIR, not both (the sweep keeps its own spec)");
            for (String s : common.sets) {
                if (!s.matches("\\s*(trials|parallel|time_budget_s)\\s*=.*")) {
                    throw new UserError("--set " + s + ": a resumed sweep keeps its settings; only trials, parallel and time_budget_s may change");
                }
            }
            Path stored = resume.resolve(SweepRunner.SWEEP_YAML);
            if (!Files.isRegularFile(stored)) throw new UserError(resume + " is not a sweep directory: it has no " + SweepRunner.SWEEP_YAML);
            sweep = SweepSpec.load(stored, all);
            dir = resume;
        } else {
            if (sweepFile == null) throw new UserError("missing SWEEP: machina tune SWEEP.yaml (see examples/digits-sweep.yaml)");
            sweep = SweepSpec.load(sweepFile, all);
            dir = null;
        }
        if (spark != null && parallel != null) throw new UserError("--parallel is for trials in this JVM; with --spark, Spark's task slots decide");
        int par = parallel != null ? parallel : sweep.parallel();
        TrialExecutor executor = spark == null ? TrialExecutor.threads(par) : ClusterBackend.require("spark", "--spark").trials(spark, Map.of());
        if (dir == null) dir = SweepRunner.createDir(common.runsDir, SpecRunner.checkName(common.name != null ? common.name : sweep.name()));
        boolean table = progress.equals("table") || (progress.equals("auto") && SweepTable.isTerminal());
        SweepTable view = progress.equals("none") ? null : new SweepTable(out, table, sweep.objective().metric(), sweep.objective().maximize());
        SweepRunner runner = new SweepRunner(sweep, dir, executor, view);
        out.printf("machina: sweep %s: %s, %d trial(s), %d at a time (%s), objective %s (%s)%n", sweep.name(), describe(sweep, runner),
                runner.plan().size(), executor.parallelism(), spark != null ? "Spark tasks on " + spark : Math.max(1, Parallel.threads() / par)
                + " kernel thread(s) each", sweep.objective().metric(), sweep.objective().mode());
        out.printf("machina: sweep directory %s%n", dir);
        out.flush();

        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            runner.stop();
            try {
                done.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "machina-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        SweepRunner.Outcome o;
        try {
            o = runner.run();
        } finally {
            executor.close();
            if (view != null) view.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook waits for `done`
            }
        }
        try {
            return finish(out, sweep, runner, o);
        } finally {
            done.countDown();
        }
    }

    private int finish(PrintWriter out, SweepSpec sweep, SweepRunner runner, SweepRunner.Outcome o) {
        Leaderboard lb = o.leaderboard();
        out.println();
        out.print(leaderboardText(lb, 10));
        long ran = lb.totalEpochs();
        Map<String, String> summary = new LinkedHashMap<>();
        summary.put("strategy", describe(sweep, runner));
        summary.put("objective", sweep.objective().metric() + " (" + sweep.objective().mode() + ")");
        summary.put("trials", lb.ranked().size() + " run of " + runner.plan().size() + " planned" + count(lb));
        String saving = o.interrupted() ? ran + " epochs run (interrupted)"
                : String.format(Locale.ROOT, "%d epochs run of %d without pruning (%.0f%% saved)", ran, o.plannedEpochs(),
                        o.plannedEpochs() == 0 ? 0.0 : 100.0 * (o.plannedEpochs() - ran) / o.plannedEpochs());
        summary.put("epochs", saving);
        out.println("machina: " + saving);
        if (o.notRun() > 0) out.printf("machina: %d trial(s) not started (%s)%n", o.notRun(), o.interrupted() ? "interrupted" : "time budget reached");
        TrialResult best = lb.best();
        if (best != null) {
            summary.put("best", "trial " + SweepRunner.trialDirName(best.trial()) + ": " + SweepTable.num(best.objective()) + " — " + SweepTable.params(best.params()));
            out.printf("machina: best trial %s: %s %s at epoch %d — %s%n", SweepRunner.trialDirName(best.trial()), sweep.objective().metric(),
                    SweepTable.num(best.objective()), best.objectiveEpoch(), SweepTable.params(best.params()));
            out.printf("machina: its spec: %s (train it with ./machina train %s)%n", o.dir().resolve(SweepRunner.BEST_YAML), o.dir().resolve(SweepRunner.BEST_YAML));
        }
        if (!noReport) {
            int written = 0;
            for (TrialResult t : lb.ranked()) {
                if (written >= trialReports || Double.isNaN(t.objective())) break;
                try {
                    ReportWriter.write(o.dir().resolve(t.runDir()));
                    written++;
                } catch (IOException | RuntimeException e) {
                    out.println("machina: warning: no report for trial " + t.trial() + ": " + e.getMessage());
                }
            }
            List<SweepReport.Param> params = new ArrayList<>();
            for (Dimension d : sweep.space().dimensions()) params.add(new SweepReport.Param(d.key(), d.logScale()));
            try {
                SweepReport.Result r = SweepReport.write(o.dir(), "Sweep " + sweep.name() + " / " + o.dir().getFileName(), lb, params, summary, 5);
                out.printf("machina: report %s (%d plots, PNG and SVG, in %s)%n", r.html(), r.plots().size(), o.dir().resolve("plots"));
            } catch (IOException | RuntimeException e) {
                out.println("machina: warning: could not write the sweep report: " + e.getMessage());
            }
        }
        out.printf("machina: leaderboard %s%n", o.dir().resolve(SweepRunner.LEADERBOARD_CSV));
        if (o.interrupted()) out.printf("machina: interrupted; continue with: ./machina tune --resume %s%n", o.dir());
        return o.interrupted() || best == null ? 1 : 0;
    }

    private static String count(Leaderboard lb) {
        Map<String, Integer> n = new LinkedHashMap<>();
        for (TrialResult t : lb.ranked()) n.merge(t.status(), 1, Integer::sum);
        return n.isEmpty() ? "" : " (" + n.toString().replaceAll("[{}]", "").replace("=", ": ") + ")";
    }

    static String describe(SweepSpec s, SweepRunner r) {
        return switch (s.strategy()) {
            case "halving" -> "successive halving (ASHA; " + s.sampler() + " sampling; rungs at " + ((Asha) r.pruner()).rungs()
                    + " epochs; reduction factor " + s.halving().reductionFactor() + ")";
            default -> s.strategy() + (s.pruner().name().equals("median") ? " with the median pruning rule (warm-up " + s.pruner().warmupEpochs() + " epochs)" : "");
        };
    }

    /** The leaderboard's first {@code max} rows as a text table. */
    static String leaderboardText(Leaderboard lb, int max) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-4s %-5s %-9s %-12s %-6s %-8s %s%n", "rank", "trial", "status", lb.objective().metric(), "epochs", "seconds", "parameters"));
        int rank = 1;
        for (TrialResult t : lb.ranked()) {
            if (rank > max) {
                sb.append("… ").append(lb.ranked().size() - max).append(" more in leaderboard.csv\n");
                break;
            }
            sb.append(String.format(Locale.ROOT, "%-4d %-5s %-9s %-12s %-6d %-8.1f %s%n", rank++, SweepRunner.trialDirName(t.trial()), t.status(),
                    SweepTable.num(t.objective()), t.epochs(), t.seconds(), SweepTable.params(t.params())));
        }
        return sb.toString();
    }
}
