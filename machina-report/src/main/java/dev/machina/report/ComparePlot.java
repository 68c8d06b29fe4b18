package dev.machina.report;

import dev.machina.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Several runs' validation curves overlaid: one figure with two panels, validation loss and
 * validation accuracy per epoch, one line per run (legend: name/run-id).
 */
public final class ComparePlot {
    static {
        Headless.ensure();
    }

    private ComparePlot() {}

    /**
     * Writes {@code outPng} and, beside it, the same figure as SVG ({@code .svg} in place of
     * {@code .png}). Runs without validation metrics are left out and returned.
     *
     * @return one line per run that had nothing to draw (empty when every run was drawn)
     * @throws IOException when no run has a validation metric, or a file cannot be written
     */
    public static List<String> write(List<Path> runDirs, Path outPng) throws IOException {
        return write(runDirs, null, outPng);
    }

    /**
     * As {@link #write(List, Path)}, each run named in the legends by {@code labels} (null: name/run-id,
     * the panels side by side; given, one above the other, each as wide as both). A panel no run
     * has values for (validation accuracy of a regression) is left out.
     */
    public static List<String> write(List<Path> runDirs, List<String> labels, Path outPng) throws IOException {
        Panels p = panels(runDirs, labels);
        List<XYChart> charts = new ArrayList<>();
        for (XYChart c : List.of(p.loss(), p.accuracy())) if (!c.getSeriesMap().containsKey(NO_DATA)) charts.add(c);
        // named by their parameters, runs need legends as wide as the figure: the panels one above the other
        Plot plot = labels == null ? Plot.row("compare", "Validation curves", charts) : Plot.column("compare", "Validation curves", charts);
        Path abs = outPng.toAbsolutePath();
        if (abs.getParent() != null) Files.createDirectories(abs.getParent());
        String file = abs.getFileName().toString();
        String stem = file.toLowerCase(java.util.Locale.ROOT).endsWith(".png") ? file.substring(0, file.length() - 4) : file;
        AtomicFiles.write(abs, plot.png());
        AtomicFiles.writeString(abs.resolveSibling(stem + ".svg"), plot.svg());
        return p.left();
    }

    /** The two panels, and the runs that had nothing to draw. */
    record Panels(XYChart loss, XYChart accuracy, List<String> left) {}

    static Panels panels(List<Path> runDirs) throws IOException {
        return panels(runDirs, null);
    }

    static final String NO_DATA = "no data";

    static Panels panels(List<Path> runDirs, List<String> labels) throws IOException {
        if (runDirs.isEmpty()) throw new IllegalArgumentException("no runs to compare");
        if (labels != null && labels.size() != runDirs.size()) throw new IllegalArgumentException(labels.size() + " labels for " + runDirs.size() + " runs");
        int width = labels == null ? 640 : 1280, height = labels == null ? 420 : 400 + 20 * runDirs.size();
        XYChart loss = Charts.xy("Validation loss", "epoch", "val_loss", width, height);
        XYChart acc = Charts.xy("Validation accuracy", "epoch", "val_accuracy", width, height);
        acc.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        if (labels != null) { // given labels can be long: below the curves, not over them
            for (XYChart c : List.of(loss, acc)) c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS).setLegendLayout(Styler.LegendLayout.Vertical);
        }
        List<String> left = new ArrayList<>();
        Set<String> used = new HashSet<>();
        int drawn = 0, maxEpoch = 1;
        for (int i = 0; i < runDirs.size(); i++) {
            Path dir = runDirs.get(i);
            RunData run = RunData.load(dir);
            String label = labels != null ? labels.get(i) : Charts.shorten(run.name(), 24) + "/" + run.id();
            while (!used.add(label)) label = label + "'";
            double[][] l = run.series("val_loss"), a = run.series("val_accuracy");
            if (l[0].length == 0 && a[0].length == 0) {
                left.add(label + " (" + dir + "): no val_loss or val_accuracy in metrics.jsonl");
                continue;
            }
            drawn++;
            if (l[0].length > 0) line(loss.addSeries(label, l[0], l[1]));
            if (a[0].length > 0) line(acc.addSeries(label, a[0], a[1]));
            maxEpoch = Math.max(maxEpoch, (int) Math.max(l[0].length > 0 ? l[0][l[0].length - 1] : 1, a[0].length > 0 ? a[0][a[0].length - 1] : 1));
        }
        if (drawn == 0) throw new IOException("none of the " + runDirs.size() + " run(s) has validation metrics to compare");
        for (XYChart c : List.of(loss, acc)) {
            c.getStyler().setXAxisDecimalPattern("0");
            c.getStyler().setXAxisMin(1.0);
            c.getStyler().setXAxisMax((double) Math.max(2, maxEpoch));
            if (c.getSeriesMap().isEmpty()) {
                // XChart cannot draw an empty chart: a placeholder that says so
                XYSeries s = c.addSeries(NO_DATA, new double[] {1}, new double[] {0});
                s.setMarker(SeriesMarkers.NONE);
            }
        }
        return new Panels(loss, acc, left);
    }

    private static void line(XYSeries s) {
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineStyle(org.knowm.xchart.style.lines.SeriesLines.SOLID);
        s.setLineWidth(2f);
    }
}
