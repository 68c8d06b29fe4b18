package dev.machina.cli;

import dev.machina.experiment.UserError;
import dev.machina.report.ReportWriter;
import dev.machina.run.RunInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code machina report RUN_DIR}: the run's plots and a self-contained report.html. */
@Command(mixinStandardHelpOptions = true, name = "report", description = {
    "Write a run's plots and a self-contained report.html.",
    "Plots (PNG and SVG under plots/): loss and learning rate per epoch, and as the task has them:",
    "accuracy, confusion matrix, per-class scores, PR/ROC curves (classification); predicted vs actual",
    "and the forecast of a series (regression); perplexity and generated samples (language models).",
    "The report adds the model, the configuration and provenance."})
final class ReportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "RUN_DIR", description = "A run directory (holding run.json).")
    Path runDir;

    @Override
    public Integer call() throws IOException {
        try {
            RunInfo.require(runDir);
        } catch (IOException e) {
            throw new UserError(e.getMessage());
        }
        ReportWriter.Result r = ReportWriter.write(runDir);
        PrintWriter out = spec.commandLine().getOut();
        out.println("wrote " + r.html().toAbsolutePath());
        out.println("      " + r.plots().stream().filter(p -> p.toString().endsWith(".png")).count() + " plots (PNG and SVG) in "
                + runDir.resolve("plots").toAbsolutePath());
        for (String m : r.missing()) out.println("  not included: " + m);
        return 0;
    }
}
