package dev.machina.cli;

import dev.machina.ui.UiServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `machina ui`: the runs dashboard in the browser, until Ctrl-C. */
@Command(mixinStandardHelpOptions = true, name = "ui",
        description = "Serve a read-only dashboard of the runs (table, curves that update live, compare, sweeps) and print its URL.")
final class UiCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--runs", defaultValue = "runs", paramLabel = "DIR", description = "The runs directory (default: ${DEFAULT-VALUE}).")
    Path runs;

    @Option(names = "--port", defaultValue = "8765", paramLabel = "P", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "H",
            description = "Address to bind (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 lets anyone on the network read the runs).")
    String host;

    /** The warning for a server other machines can reach, or null when it listens on this machine only. */
    static String exposure(String host, int port, java.nio.file.Path runs) {
        if (host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1")) return null;
        return "machina: warning: listening on " + host + ": anyone who can reach this machine on port " + port + " can read every run under " + runs;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be between 0 and 65535, got " + port);
        if (!java.nio.file.Files.isDirectory(runs)) {
            throw new IllegalArgumentException(runs + " is not a directory (train a run first: ./machina train examples/digits-mlp.yaml, or pass --runs DIR)");
        }
        UiServer ui = UiServer.start(runs, host, port);
        String warning = exposure(host, ui.uri().getPort(), ui.runsDir());
        if (warning != null) err.println(warning);
        out.println("machina ui: the runs under " + ui.runsDir() + " at " + ui.uri() + " (Ctrl-C stops)");
        out.flush();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ui.close();
            stop.countDown();
        }));
        stop.await();
        return 0;
    }
}
