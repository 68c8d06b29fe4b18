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

    @Override
    public void prepare() { // a small confusion matrix, PNG and SVG, discarded: the fonts and image writers warm up while the model trains
        Plot p = ConfusionPlot.of(new long[][] {{3, 1}, {0, 4}}, java.util.List.of("a", "b"));
        p.png();
        p.svg();
    }
}
