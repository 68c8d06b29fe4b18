package dev.machina.cli;

import dev.machina.Machina;
import dev.machina.cli.report.ReportCommand;
import dev.machina.experiment.UserError;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The `machina` command. Exit codes: 0 success, 1 a run failed, 2 bad usage or bad input.
 * Errors print as one line without a stack trace unless {@code --debug} is given.
 */
@Command(name = "machina", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Deep learning on the JVM: train, evaluate and compare models.",
        subcommands = {TrainCommand.class, EvalCommand.class, PredictCommand.class, GenerateCommand.class, ExportCommand.class, RunsCommand.class, ReportCommand.class,
            dev.machina.cli.tune.TuneCommand.class, UiCommand.class, DatasetsCommand.class, Main.Info.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Option(names = "--debug", description = "Show stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean debug;

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command (main, and tests in-process) and flushes both writers; returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            Throwable e = ex;
            if (debug) e.printStackTrace(cmd.getErr());
            if (e instanceof UserError) {
                cmd.getErr().println("machina: " + UserError.oneLine(e.getMessage()));
                return 2;
            }
            if (e instanceof IllegalArgumentException || e instanceof java.io.UncheckedIOException
                    || e instanceof java.io.IOException || e instanceof IllegalStateException) {
                cmd.getErr().println("machina: " + UserError.oneLine(e.getMessage()) + (debug ? "" : " (use --debug for details)"));
                return 2;
            }
            cmd.getErr().println("machina: failed: " + UserError.oneLine(e.toString()) + (debug ? "" : " (use --debug for details)"));
            return 1;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
                ex.getCommandLine().getErr().println("machina: " + ex.getMessage() + "; did you mean '"
                        + String.join("' or '", u.getSuggestions().stream().limit(3).toList()) + "'?");
                return 2;
            }
            ex.getCommandLine().getErr().println("machina: " + ex.getMessage());
            ex.getCommandLine().getErr().println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return 2;
        });
        int code = cl.execute(args);
        out.flush(); // print, unlike println and printf, leaves text in the writer, and System.exit would drop it
        err.flush();
        return code;
    }

    /** True when --debug was given anywhere on the command line. */
    static boolean debug(CommandLine.Model.CommandSpec spec) {
        CommandLine c = spec.commandLine();
        while (c.getParent() != null) c = c.getParent();
        return ((Main) c.getCommand()).debug;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"machina " + Machina.version()};
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "info", description = "Print the version, Java, cores, kernel provider and threads.")
    static final class Info implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            for (Map.Entry<String, String> e : Machina.runtimeInfo().entrySet()) out.printf("%-15s %s%n", e.getKey(), e.getValue());
        }
    }
}
