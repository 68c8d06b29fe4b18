package dev.machina.cli;

import dev.machina.cli.report.ComparePlot;
import dev.machina.cli.report.ReportWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** Writes plots and report.html after training, and the overlay plot of `runs compare --plot`. */
final class Reports {
    private Reports() {}

    /** A report that cannot be written is a warning, not a failed run: the run itself is saved. */
    static void write(Path runDir, PrintWriter out) {
        try {
            ReportWriter.Result r = ReportWriter.write(runDir);
            out.printf("machina: report %s (%d plots in %s)%n", r.html(), r.plots().size(), runDir.resolve("plots"));
        } catch (IOException | RuntimeException e) {
            out.println("machina: warning: could not write the report: " + e.getMessage() + " (try: ./machina report " + runDir + ")");
        }
    }

    static void comparePlot(List<Path> runDirs, Path png, PrintWriter out) {
        try {
            List<String> skipped = ComparePlot.write(runDirs, png);
            out.println("machina: validation curves overlaid in " + png);
            for (String s : skipped) out.println("note: " + s);
        } catch (IOException e) {
            throw new Main.UserError("cannot draw the comparison: " + e.getMessage());
        }
    }
}
