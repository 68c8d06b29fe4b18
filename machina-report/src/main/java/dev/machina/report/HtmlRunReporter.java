package dev.machina.report;

import dev.machina.experiment.RunReporter;
import java.io.IOException;
import java.nio.file.Path;

/** The plots and report.html of a run, for the experiment layer (found through ServiceLoader). */
public final class HtmlRunReporter implements RunReporter {
    @Override
    public Path write(Path runDir) throws IOException {
        return ReportWriter.write(runDir).html();
    }
}
