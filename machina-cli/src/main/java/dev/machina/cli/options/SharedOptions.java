package dev.machina.cli.options;

import dev.machina.experiment.UserError;
import dev.machina.kernel.Parallel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options of the commands that start runs ({@code train}, {@code tune}), written once and
 * mixed in. {@code --debug} is {@code Main}'s, inherited by every command.
 */
public final class SharedOptions {
    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a spec key, e.g. --set optimizer.lr=3e-4 (repeatable).")
    public List<String> sets = new ArrayList<>();

    @Option(names = "--name", description = "Name of the run or sweep, its directory under --runs (default: the spec's name).")
    public String name;

    @Option(names = "--runs", defaultValue = "runs", description = "Directory that holds the runs (default: ${DEFAULT-VALUE}).")
    public Path runsDir;

    @Option(names = "--threads", description = "Kernel threads (default: all cores).")
    public Integer threads;

    /** Sets the kernel threads when --threads was given; call before any kernel runs. */
    public void applyThreads() {
        if (threads == null) return;
        if (threads < 1) throw new UserError("--threads must be at least 1, got " + threads);
        Parallel.setThreads(threads);
    }
}
