package dev.machina.cli;

import dev.machina.experiment.UserError;
import dev.machina.run.RunInfo;
import dev.machina.run.Runs;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** `machina runs list|show|compare`: what past runs did and how they differ. */
@Command(mixinStandardHelpOptions = true, name = "runs", description = "List, show and compare runs.",
        subcommands = {RunsCommand.ListRuns.class, RunsCommand.Show.class, RunsCommand.Compare.class})
final class RunsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static String fmt(double v, String f) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, f, v);
    }

    static String param(RunInfo r, String key) {
        return r.flatConfig().getOrDefault(key, "—");
    }

    @Command(mixinStandardHelpOptions = true, name = "list", description = "A table of the runs under DIR (default: runs), newest first.")
    static final class ListRuns implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", arity = "0..1", defaultValue = "runs", paramLabel = "DIR")
        Path dir;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            List<RunInfo> runs = Runs.list(dir);
            if (runs.isEmpty()) {
                out.println("no runs under " + dir + " (train one: ./machina train examples/digits-mlp.yaml)");
                return 0;
            }
            String f = "%-20s %-18s %-16s %-9s %-10s %6s %6s %9s %9s %8s%n";
            out.printf(f, "name", "run", "status", "optim", "lr", "batch", "epochs", "best val", "test acc", "time");
            for (RunInfo r : runs) {
                out.printf(f, cut(r.name(), 20), r.id(), r.status(), param(r, "optimizer.name"), param(r, "optimizer.lr"),
                        param(r, "training.batch_size"), r.epochs().size(), fmt(r.best("val_accuracy"), "%.4f"),
                        fmt(r.testAccuracy(), "%.4f"), fmt(r.durationSeconds(), "%.1fs"));
            }
            for (RunInfo r : runs) for (String p : r.problems()) out.println("note: " + r.dir() + ": " + p);
            return 0;
        }
    }

    static String cut(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    @Command(mixinStandardHelpOptions = true, name = "show", description = "One run: status, configuration, per-epoch metrics and test results.")
    static final class Show implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "RUN_DIR")
        Path dir;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            RunInfo r;
            try {
                r = RunInfo.require(dir);
            } catch (IOException e) {
                throw new UserError(e.getMessage());
            }
            out.printf("%s/%s  %s%n", r.name(), r.id(), r.status());
            out.printf("started %s, %s%n", r.startTime().isEmpty() ? "—" : r.startTime(), fmt(r.durationSeconds(), "%.1f s"));
            String reason = r.record().path("stop_reason").asText(r.record().path("error").asText(""));
            if (!reason.isEmpty()) out.println("reason: " + reason);
            if (r.record().path("model").hasNonNull("table")) out.print("\nmodel:\n" + r.record().path("model").path("table").asText());
            out.println();
            out.println("configuration:");
            for (Map.Entry<String, String> e : r.flatConfig().entrySet()) out.printf("  %-32s %s%n", e.getKey(), e.getValue());
            if (!r.epochs().isEmpty()) {
                out.println();
                out.printf("%6s %10s %10s %10s %10s %10s%n", "epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr");
                for (Map<String, Double> e : r.epochs()) {
                    out.printf("%6s %10s %10s %10s %10s %10s%n", fmt(e.getOrDefault("epoch", Double.NaN), "%.0f"),
                            fmt(e.getOrDefault("train_loss", Double.NaN), "%.4f"), fmt(e.getOrDefault("train_accuracy", Double.NaN), "%.4f"),
                            fmt(e.getOrDefault("val_loss", Double.NaN), "%.4f"), fmt(e.getOrDefault("val_accuracy", Double.NaN), "%.4f"),
                            fmt(e.getOrDefault("lr", Double.NaN), "%.2e"));
                }
            }
            out.println();
            out.println("test accuracy: " + fmt(r.testAccuracy(), "%.4f"));
            for (String p : r.problems()) out.println("note: " + p);
            return 0;
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "compare", description = "Side by side: the settings that differ and the key metrics of two or more runs.")
    static final class Compare implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0..*", arity = "2..*", paramLabel = "RUN_DIR")
        List<Path> dirs;

        @Option(names = "--all", description = "Show every setting, not only those that differ.")
        boolean all;

        @Option(names = "--plot", paramLabel = "PNG", description = "Also write the validation curves of the runs, overlaid, to this PNG (and an SVG beside it).")
        Path plot;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<RunInfo> runs = new ArrayList<>();
            for (Path d : dirs) {
                try {
                    runs.add(RunInfo.require(d));
                } catch (IOException e) {
                    throw new UserError(e.getMessage());
                }
            }
            Runs.Comparison c = Runs.compare(runs);
            int w = 14;
            StringBuilder head = new StringBuilder(String.format("%-30s", ""));
            for (RunInfo r : runs) head.append(String.format(" %" + w + "s", cut(r.name() + "/" + r.id(), w)));
            out.println(head);
            out.println(all ? "settings:" : "settings that differ:");
            for (var e : c.config().entrySet()) {
                if (!all && !c.differing().contains(e.getKey())) continue;
                StringBuilder sb = new StringBuilder(String.format("  %-28s", cut(e.getKey(), 28)));
                for (String v : e.getValue()) sb.append(String.format(" %" + w + "s", cut(v, w)));
                out.println(sb);
            }
            if (!all && c.differing().isEmpty()) out.println("  (none: the runs have the same settings)");
            out.println("metrics:");
            for (var e : c.metrics().entrySet()) {
                StringBuilder sb = new StringBuilder(String.format("  %-28s", e.getKey()));
                for (double v : e.getValue()) sb.append(String.format(" %" + w + "s", fmt(v, e.getKey().equals("epochs") ? "%.0f" : "%.4f")));
                out.println(sb);
            }
            if (plot != null) Reports.comparePlot(dirs, plot, out);
            return 0;
        }
    }
}
