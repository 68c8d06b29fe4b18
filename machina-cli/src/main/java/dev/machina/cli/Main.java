package dev.machina.cli;

import dev.machina.Machina;
import dev.machina.experiment.MemoryEstimate;
import dev.machina.experiment.UserError;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The `machina` command. Exit codes: 0 success, 1 a run failed (or ran out of memory), 2 bad usage or bad input.
 * Errors print as one line without a stack trace unless {@code --debug} is given.
 */
@Command(name = "machina", mixinStandardHelpOptions = true, versionProvider = Main.class,
        description = "Deep learning on the JVM: train, evaluate and compare models.")
public final class Main implements Runnable, CommandLine.IVersionProvider {
    /** The subcommands, in help's order. Picocli reflects over each one added (0.3 s for all): a command line adds only the one it names. */
    static final Class<?>[] COMMANDS = {TrainCommand.class, EvalCommand.class, PredictCommand.class, GenerateCommand.class, ExportCommand.class, RunsCommand.class, ReportCommand.class,
            dev.machina.cli.tune.TuneCommand.class, UiCommand.class, DatasetsCommand.class, Main.Info.class, CommandLine.HelpCommand.class};
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--debug", description = "Show stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean debug;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Override
    public String[] getVersion() {
        return new String[] {"machina " + Machina.version()};
    }

    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals("info")) { // without picocli, whose set-up costs more than the command itself
            PrintWriter out = new PrintWriter(System.out, true);
            Info.print(out);
            out.flush();
            System.exit(0);
        }
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command (main, and tests in-process) and flushes both writers; returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        CommandLine cl = new CommandLine(new Main());
        String named = java.util.Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse("help");
        for (Class<?> c : COMMANDS) if (!named.equals("help") && c.getAnnotation(Command.class).name().equals(named)) cl.addSubcommand(c);
        if (cl.getSubcommands().isEmpty()) for (Class<?> c : COMMANDS) cl.addSubcommand(c);
        cl.setOut(out).setErr(err); // after the subcommands: they take the writers that are set then
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
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
            List<String> hints = ex instanceof CommandLine.UnmatchedArgumentException u ? u.getSuggestions() : List.of();
            ex.getCommandLine().getErr().println("machina: " + ex.getMessage() + (hints.isEmpty()
                    ? "\nTry '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'."
                    : "; did you mean '" + String.join("' or '", hints.stream().limit(3).toList()) + "'?"));
            return 2;
        });
        int code;
        try {
            code = cl.execute(args);
        } catch (OutOfMemoryError e) { // picocli passes Errors on: one line here, where any command's lands
            if (debug) e.printStackTrace(err);
            err.println("machina: " + MemoryEstimate.outOfMemory("running machina " + named, "./machina " + named + " …")
                    + (debug ? "" : " (use --debug for details)"));
            code = 1;
        }
        out.flush(); // print, unlike println and printf, leaves text in the writer, and System.exit would drop it
        err.flush();
        return code;
    }

    /** True when --debug was given anywhere on the command line. */
    static boolean debug(CommandLine.Model.CommandSpec spec) {
        return ((Main) spec.root().userObject()).debug;
    }

    @Command(mixinStandardHelpOptions = true, name = "info", description = "Print the version, Java, cores, kernel provider and threads.")
    static final class Info implements Runnable {
        @CommandLine.Spec CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            print(spec.commandLine().getOut());
        }

        static void print(PrintWriter out) {
            for (Map.Entry<String, String> e : Machina.runtimeInfo().entrySet()) out.printf("%-15s %s%n", e.getKey(), e.getValue());
        }
    }
}
