package dev.machina.cli;

import dev.machina.data.DatasetFetchException;
import dev.machina.data.DatasetFetcher;
import dev.machina.data.DatasetInfo;
import dev.machina.data.Datasets;
import dev.machina.data.RemoteDataset;
import dev.machina.experiment.UserError;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** `machina datasets list|fetch`. */
@Command(mixinStandardHelpOptions = true, name = "datasets", description = "Built-in datasets: where they are, and fetching them.",
        subcommands = {DatasetsCommand.ListSets.class, DatasetsCommand.Fetch.class})
final class DatasetsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(mixinStandardHelpOptions = true, name = "list", description = "Known datasets, where each was found, and its size.")
    static final class ListSets implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-15s %-10s %-50s %s%n", "name", "size", "location", "");
            for (DatasetInfo i : Datasets.listKnown()) {
                out.printf("%-15s %-10s %-50s %s%n", i.name(), i.found() ? mib(i.bytes()) : "—",
                        i.found() ? i.location() : "not found", i.found() ? "" : i.howToGet());
            }
            return 0;
        }
    }

    static String mib(long bytes) {
        return bytes < 0 ? "?" : String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    @Command(mixinStandardHelpOptions = true, name = "fetch", description = {"Download a dataset from its canonical address, verify the published checksums,",
        "and write it atomically into ~/.machina/datasets/NAME (or --dir)."})
    static final class Fetch implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME", description = "fashion-mnist or mnist")
        String name;

        @Option(names = "--dir", description = "Directory that receives NAME/ (default: ~/.machina/datasets).")
        Path dir;

        @Option(names = "--base-url", description = "A mirror to download from instead of the canonical address.")
        URI baseUrl;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            RemoteDataset ds;
            try {
                ds = RemoteDataset.byName(name);
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
            if (baseUrl != null) ds = ds.withBaseUrl(baseUrl);
            long[] last = {0};
            DatasetFetcher.Progress bar = (file, done, total) -> {
                long now = System.nanoTime();
                if (now - last[0] < 200_000_000L && done != total) return;
                last[0] = now;
                String pct = total > 0 ? String.format(Locale.ROOT, "%3.0f%%", 100.0 * done / total) : "";
                out.printf("\r%-32s %s %s   ", file, pct, mib(done));
                if (done == total) out.println();
                out.flush();
            };
            DatasetFetcher f = dir == null ? new DatasetFetcher(bar) : new DatasetFetcher(dir, bar);
            try {
                Path where = f.fetch(ds);
                out.println("machina: " + name + " is in " + where);
                return 0;
            } catch (DatasetFetchException e) {
                throw new UserError(e.getMessage());
            }
        }
    }
}
