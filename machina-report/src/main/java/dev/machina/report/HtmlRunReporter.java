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

    /**
     * A small confusion matrix and a small line chart with markers and a legend, PNG and SVG,
     * discarded: the fonts, the chart code and the image writers warm up while the model trains.
     */
    @Override
    public void prepare() {
        Plot p = ConfusionPlot.of(new long[][] {{3, 1}, {0, 4}}, java.util.List.of("a", "b"));
        p.png();
        p.svg();
        var c = Charts.xy("warm-up", "epoch", "loss", 160, 120);
        c.addSeries("a", new double[] {1, 2, 3}, new double[] {0.5, 0.25, 0.125}).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.CIRCLE);
        Plot line = Plot.of("warm-up", c);
        line.png();
        line.svg();
    }
}
