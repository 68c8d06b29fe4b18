package dev.machina.cli;

import static dev.machina.report.Charts.shorten;

import dev.machina.experiment.SweepRunner;
import dev.machina.experiment.UserError;
import dev.machina.run.Numbers;
import dev.machina.run.RunInfo;
import dev.machina.run.Runs;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
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

    static String param(RunInfo r, String key) {
        return Numbers.format(r.flatConfig().getOrDefault(key, "—"));
    }

    static RunInfo load(String run, Path root) {
        try {
            return RunInfo.require(Runs.find(root, run));
        } catch (IOException | IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
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
            String f = "%-20s %-18s %-14s %-8s %9s %6s %6s %9s %9s %8s%n";
            out.printf(f, "name", "run", "status", "optim", "lr", "batch", "epochs", "best val", "test acc", "time");
            for (RunInfo r : runs) {
                out.printf(f, shorten(r.name(), 20), shorten(r.id(), 18), r.status(), param(r, "optimizer.name"), param(r, "optimizer.lr"),
                        param(r, "training.batch_size"), r.epochs().size(), Numbers.format(r.best("val_accuracy")),
                        Numbers.format(r.testAccuracy()), Numbers.format(r.durationSeconds()) + "s");
            }
            for (RunInfo r : runs) for (String p : r.problems()) out.println("note: " + r.dir() + ": " + p);
            List<Path> sweeps;
            try (var s = Files.walk(dir, 3)) {
                sweeps = s.filter(p -> Files.isRegularFile(p.resolve(SweepRunner.SWEEP_JSON))).sorted().toList();
            }
            if (!sweeps.isEmpty()) out.printf("%nsweeps (their trials: machina runs list SWEEP_DIR):%n");
            for (Path s : sweeps) out.printf("  %-40s %d trials%n", s, Runs.list(s.resolve("trials")).size());
            return 0;
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "show", description = "One run: status, configuration, per-epoch metrics and test results.")
    static final class Show implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "RUN", description = "A run directory, or a run id or a unique prefix of one (or of NAME/ID).")
        String run;

        @Option(names = "--runs", defaultValue = "runs", paramLabel = "DIR", description = "Where to look a run id up (default: runs).")
        Path root;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            RunInfo r = load(run, root);
            out.printf("%s/%s  %s%n", r.name(), r.id(), r.status());
            out.printf("started %s, %s%n", r.startTime().isEmpty() ? "—" : r.startTime(), Numbers.format(r.durationSeconds()) + " s");
            String reason = r.record().path("stop_reason").asText(r.record().path("error").asText(""));
            if (!reason.isEmpty()) out.println("reason: " + reason);
            if (r.record().path("model").hasNonNull("table")) out.print("\nmodel:\n" + r.record().path("model").path("table").asText());
            out.printf("%nconfiguration:%n");
            for (Map.Entry<String, String> e : r.flatConfig().entrySet()) out.printf("  %-32s %s%n", e.getKey(), Numbers.format(e.getValue()));
            if (!r.epochs().isEmpty()) {
                out.println();
                out.printf("%6s %10s %10s %10s %10s %10s%n", "epoch", "train_loss", "train_acc", "val_loss", "val_acc", "lr");
                for (Map<String, Double> e : r.epochs()) {
                    Object[] cells = Stream.of("epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr")
                            .map(k -> Numbers.format(e.getOrDefault(k, Double.NaN))).toArray();
                    out.printf("%6s %10s %10s %10s %10s %10s%n", cells);
                }
            }
            out.printf("%ntest accuracy: %s%n", Numbers.format(r.testAccuracy()));
            for (String p : r.problems()) out.println("note: " + p);
            return 0;
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "compare", description = "Side by side: the settings that differ and the key metrics of two or more runs.")
    static final class Compare implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0..*", arity = "2..*", paramLabel = "RUN", description = "Run directories, or run ids or unique prefixes of them.")
        List<String> names;

        @Option(names = "--runs", defaultValue = "runs", paramLabel = "DIR", description = "Where to look run ids up (default: runs).")
        Path root;

        @Option(names = "--all", description = "Show every setting, not only those that differ.")
        boolean all;

        @Option(names = "--plot", paramLabel = "PNG", description = "Also write the validation curves of the runs, overlaid, to this PNG (and an SVG beside it).")
        Path plot;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<RunInfo> runs = names.stream().map(n -> load(n, root)).toList();
            Runs.Comparison c = Runs.compare(runs);
            List<List<String>> rows = new ArrayList<>(List.of(runs.stream().map(r -> r.name() + "/" + r.id()).toList()));
            List<String> keys = new ArrayList<>(List.of(""));
            for (var e : c.config().entrySet()) {
                if (!all && !c.differing().contains(e.getKey())) continue;
                keys.add(e.getKey());
                rows.add(e.getValue().stream().map(Numbers::format).toList());
            }
            int settings = rows.size();
            for (var e : c.metrics().entrySet()) {
                keys.add(e.getKey());
                rows.add(e.getValue().stream().map(Numbers::format).toList());
            }
            int w = Math.max(10, Math.min(32, rows.stream().flatMap(List::stream).mapToInt(String::length).max().orElse(10)));
            for (int i = 0; i < rows.size(); i++) {
                if (i == 1) out.println(all ? "settings:" : "settings that differ:");
                if (i == settings) {
                    if (!all && settings == 1) out.println("  (none: the runs have the same settings)");
                    out.println("metrics:");
                }
                StringBuilder sb = new StringBuilder(String.format("  %-28s", shorten(keys.get(i), 28)));
                for (String v : rows.get(i)) sb.append(String.format(" %" + w + "s", shorten(v, w)));
                out.println(sb.toString().stripTrailing());
            }
            if (plot != null) Reports.comparePlot(runs.stream().map(RunInfo::dir).toList(), plot, out);
            return 0;
        }
    }
}
