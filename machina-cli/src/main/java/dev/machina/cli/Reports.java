package dev.machina.cli;

import dev.machina.report.ComparePlot;
import dev.machina.experiment.UserError;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** The plot count a run reports, and the overlay plot of `runs compare --plot`. */
final class Reports {
    private Reports() {}

    /** The number of plots in a run's plots/ folder (each in PNG and SVG: counted once). */
    static long plotCount(Path runDir) {
        try (var files = java.nio.file.Files.list(runDir.resolve("plots"))) {
            return files.filter(f -> f.toString().endsWith(".png")).count();
        } catch (IOException e) {
            return 0;
        }
    }

    static void comparePlot(List<Path> runDirs, Path png, PrintWriter out) {
        try {
            List<String> skipped = ComparePlot.write(runDirs, png);
            out.println("machina: validation curves overlaid in " + png);
            for (String s : skipped) out.println("note: " + s);
        } catch (IOException e) {
            throw new UserError("cannot draw the comparison: " + e.getMessage());
        }
    }
}
