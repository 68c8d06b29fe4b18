package dev.machina.cli;

import java.io.PrintWriter;
import java.nio.file.Path;

/** Writes plots and report.html for a run directory (the report module fills this in). */
final class Reports {
    private Reports() {}

    static void write(Path runDir, PrintWriter out) {
        // replaced when the report writer lands
    }

    static void comparePlot(java.util.List<Path> runDirs, Path png, PrintWriter out) {
        // replaced when the report writer lands
    }
}
