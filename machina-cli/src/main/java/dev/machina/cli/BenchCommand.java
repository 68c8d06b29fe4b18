package dev.machina.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * `machina bench tune-parallel`, the one benchmark still in the command-line tool: it drives the
 * sweep engine. Every other benchmark is in machina-bench ({@code dev.machina.bench.BenchMain});
 * the launcher sends {@code ./machina bench …} there and only {@code bench tune-parallel} here.
 */
@Command(mixinStandardHelpOptions = true, name = "bench",
        description = {"The sweep benchmark (tune-parallel). The other benchmarks (gemm, e2e, scale, …) are in machina-bench: "
            + "`./machina bench --help`."},
        subcommands = {dev.machina.cli.tune.TuneParallelBench.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
