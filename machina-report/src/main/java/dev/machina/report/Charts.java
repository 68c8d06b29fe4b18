package dev.machina.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The report's XChart figures, one factory per figure, all in one quiet style. */
public final class Charts {
    static {
        Headless.ensure();
    }

    /** Tableau 10: distinct, colour-blind-friendlier than XChart's default. */
    static final Color[] PALETTE = {
        new Color(0x4e79a7), new Color(0xf28e2b), new Color(0xe15759), new Color(0x76b7b2), new Color(0x59a14f),
        new Color(0xedc948), new Color(0xb07aa1), new Color(0xff9da7), new Color(0x9c755f), new Color(0xbab0ac)};
    private static final String FONT = Font.SANS_SERIF;

    private Charts() {}

    static void style(AxesChartStyler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(new Color(0xcccccc));
        s.setPlotGridLinesColor(new Color(0xe8e8e8));
        s.setPlotGridLinesStroke(new BasicStroke(1f));
        s.setChartTitleBoxVisible(false);
        s.setChartTitleFont(new Font(FONT, Font.BOLD, 15));
        s.setAxisTitleFont(new Font(FONT, Font.PLAIN, 13));
        s.setAxisTickLabelsFont(new Font(FONT, Font.PLAIN, 12));
        s.setLegendFont(new Font(FONT, Font.PLAIN, 12));
        s.setLegendBorderColor(new Color(0xdddddd));
        s.setLegendBackgroundColor(new Color(255, 255, 255, 230));
        s.setAxisTickMarksColor(new Color(0x999999));
        s.setSeriesColors(PALETTE);
        s.setChartPadding(12);
        s.setYAxisDecimalPattern("0.###"); // XChart's default writes 0.1 as ".1"
        s.setXAxisDecimalPattern("0.###");
        s.setAntiAlias(true);
    }

    static XYChart xy(String title, String xTitle, String yTitle, int w, int h) {
        XYChart c = new XYChartBuilder().width(w).height(h).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        style(c.getStyler());
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        c.getStyler().setMarkerSize(6);
        return c;
    }

    /** Per-epoch curves of several metrics; null (with a reason in {@code skipped}) when none has a value. */
    static XYChart epochChart(RunData run, String title, String yTitle, List<String> metrics, List<String> labels, List<String> skipped) {
        return epochChart(run, title, yTitle, metrics, labels, DoubleUnaryOperator.identity(), skipped);
    }

    /** As above, each value mapped through {@code f} first (a per-character loss to its perplexity: {@code Math::exp}). */
    static XYChart epochChart(RunData run, String title, String yTitle, List<String> metrics, List<String> labels, DoubleUnaryOperator f,
                              List<String> skipped) {
        XYChart c = xy(title, "epoch", yTitle, 640, 400);
        int n = 0, maxEpoch = 0;
        for (int i = 0; i < metrics.size(); i++) {
            double[][] xy = run.series(metrics.get(i));
            if (xy[0].length == 0) continue;
            for (int j = 0; j < xy[1].length; j++) xy[1][j] = f.applyAsDouble(xy[1][j]);
            XYSeries s = c.addSeries(labels.get(i), xy[0], xy[1]);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setLineStyle(SeriesLines.SOLID);
            s.setLineWidth(2f);
            n++;
            maxEpoch = Math.max(maxEpoch, (int) xy[0][xy[0].length - 1]);
        }
        if (n == 0) {
            skipped.add(title + ": no " + String.join(" or ", metrics) + " values in metrics.jsonl");
            return null;
        }
        integerEpochs(c, maxEpoch);
        if (metrics.get(0).contains("accuracy")) {
            c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        }
        return c;
    }

    /** The learning rate per epoch, on a log axis when it spans more than a decade. */
    static XYChart lrChart(RunData run, List<String> skipped) {
        double[][] xy = run.series("lr");
        if (xy[0].length == 0) {
            skipped.add("Learning rate: no lr values in metrics.jsonl");
            return null;
        }
        XYChart c = xy("Learning rate", "epoch", "learning rate", 640, 400);
        XYSeries s = c.addSeries("lr", xy[0], xy[1]);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setLineWidth(2f);
        c.getStyler().setLegendVisible(false);
        double min = Double.POSITIVE_INFINITY, max = 0;
        for (double v : xy[1]) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        // a log axis labels every 1–9 × 10^k when it spans under three decades, not only the decades (one label, or none)
        if (min > 0 && max / min > 10) c.getStyler().setYAxisLogarithmic(true).setYAxisLogarithmicDecadeOnly(max / min >= 1000).setYAxisDecimalPattern("0E0");
        else c.getStyler().setYAxisDecimalPattern("0.0##E0");
        integerEpochs(c, (int) xy[0][xy[0].length - 1]);
        return c;
    }

    private static void integerEpochs(XYChart c, int maxEpoch) {
        c.getStyler().setXAxisDecimalPattern("0");
        c.getStyler().setXAxisMin(maxEpoch <= 1 ? 0.5 : 1.0);
        c.getStyler().setXAxisMax(maxEpoch <= 1 ? 1.5 : (double) maxEpoch);
        // one tick per epoch while they fit; XChart spaces ticks by pixels otherwise
        c.getStyler().setXAxisTickMarkSpacingHint(maxEpoch <= 12 ? 40 : 74);
    }

    /** At most this many points in a scatter or a forecast: every k-th value beyond (the inline SVG stays small). */
    static final int MAX_POINTS = 2000;

    /**
     * Each test prediction against its target, with the line y = x on which a perfect model's
     * points would lie; both axes span the same range.
     */
    static XYChart predictedVsActual(RunData.Predictions p) {
        int k = Math.max(1, (p.size() + MAX_POINTS - 1) / MAX_POINTS);
        int n = (p.size() + k - 1) / k;
        double[] x = new double[n], y = new double[n];
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int i = 0, j = 0; i < p.size(); i += k, j++) {
            x[j] = p.actual()[i];
            y[j] = p.predicted()[i];
        }
        for (int i = 0; i < p.size(); i++) {
            for (double v : new double[] {p.actual()[i], p.predicted()[i]}) {
                if (!Double.isFinite(v)) continue;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (!(hi > lo)) { // one value (or none finite): a unit range around it
            lo = Double.isFinite(lo) ? lo - 0.5 : 0;
            hi = lo + 1;
        }
        double pad = (hi - lo) * 0.04;
        lo -= pad;
        hi += pad;
        XYChart c = xy("Predicted vs actual (test" + (k > 1 ? ", every " + k + "th value" : "") + ")", "actual", "predicted", 560, 480);
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        c.getStyler().setXAxisMin(lo).setXAxisMax(hi).setYAxisMin(lo).setYAxisMax(hi);
        XYSeries diag = c.addSeries("y = x (perfect)", new double[] {lo, hi}, new double[] {lo, hi});
        diag.setMarker(SeriesMarkers.NONE);
        diag.setLineStyle(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {5f, 4f}, 0f));
        diag.setLineColor(new Color(0x8c959f));
        XYSeries pts = c.addSeries("test values", x, y);
        pts.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        pts.setMarker(SeriesMarkers.CIRCLE);
        pts.setMarkerColor(new Color(PALETTE[0].getRed(), PALETTE[0].getGreen(), PALETTE[0].getBlue(), 150));
        c.getStyler().setMarkerSize(n > 500 ? 4 : 6);
        return c;
    }

    /**
     * The test range of a series: the actual values and the model's predictions of output 0 (the
     * first target, one step ahead) along the series' steps.
     */
    static XYChart forecast(RunData.Predictions p, int outputs) {
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < p.size(); i++) if (p.output()[i] == 0 && Double.isFinite(p.step()[i])) pts.add(new double[] {p.step()[i], p.actual()[i], p.predicted()[i]});
        pts.sort((a, b) -> Double.compare(a[0], b[0]));
        int k = Math.max(1, (pts.size() + MAX_POINTS - 1) / MAX_POINTS);
        int n = (pts.size() + k - 1) / k;
        double[] x = new double[n], a = new double[n], f = new double[n];
        for (int i = 0, j = 0; i < pts.size(); i += k, j++) {
            x[j] = pts.get(i)[0];
            a[j] = pts.get(i)[1];
            f[j] = pts.get(i)[2];
        }
        String what = outputs > 1 ? "output 0 of " + outputs + ": the first target, one step ahead" : "one step ahead";
        XYChart c = xy("Forecast over the test range (" + what + ")", "step", "value", 1030, 380);
        c.getStyler().setXAxisTickMarkSpacingHint(90);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        c.getStyler().setXAxisDecimalPattern("0");
        c.getStyler().setMarkerSize(0);
        XYSeries as = c.addSeries("actual", x, a);
        as.setMarker(SeriesMarkers.NONE);
        as.setLineWidth(2f);
        as.setLineColor(new Color(0x57606a));
        XYSeries fs = c.addSeries("predicted", x, f);
        fs.setMarker(SeriesMarkers.NONE);
        fs.setLineWidth(1.6f);
        fs.setLineColor(PALETTE[1]);
        return n == 0 ? null : c;
    }

    /** Precision, recall and F1 per class as grouped bars. */
    static CategoryChart perClassChart(RunData run, List<String> skipped) {
        if (run.classes.isEmpty()) {
            skipped.add("Per-class scores: test-results.json has no per-class scores");
            return null;
        }
        int n = run.classes.size();
        int w = Math.max(640, Math.min(1400, 120 + n * 60));
        CategoryChart c = new CategoryChartBuilder().width(w).height(420).title("Precision, recall and F1 per class")
                .xAxisTitle("class").yAxisTitle("score").build();
        style(c.getStyler());
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(1.0);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        c.getStyler().setAvailableSpaceFill(0.75);
        c.getStyler().setYAxisDecimalPattern("0.0");
        List<String> names = new ArrayList<>();
        int longest = 0;
        for (RunData.ClassScores s : run.classes) {
            names.add(shorten(s.name(), 18));
            longest = Math.max(longest, Math.min(18, s.name().length()));
        }
        if (longest * 7 * n > w - 120) c.getStyler().setXAxisLabelRotation(45);
        names = distinct(names);
        c.addSeries("precision", names, run.classes.stream().map(s -> nz(s.precision())).toList());
        c.addSeries("recall", names, run.classes.stream().map(s -> nz(s.recall())).toList());
        c.addSeries("F1", names, run.classes.stream().map(s -> nz(s.f1())).toList());
        return c;
    }

    /** One-vs-rest curves of every class, legend "name (AP 0.93)" or "name (AUC 0.97)". */
    static XYChart curveChart(List<RunData.Curve> curves, boolean roc, List<String> skipped) {
        String title = roc ? "ROC curves (one-vs-rest)" : "Precision-recall curves (one-vs-rest)";
        if (curves.isEmpty()) {
            skipped.add(title + ": test-results.json has no curves (evaluated without probabilities)");
            return null;
        }
        XYChart c = xy(title, roc ? "false positive rate" : "recall", roc ? "true positive rate" : "precision", 760, 480);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setXAxisMin(0.0);
        c.getStyler().setXAxisMax(1.0);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(1.0);
        c.getStyler().setXAxisDecimalPattern("0.0");
        c.getStyler().setYAxisDecimalPattern("0.0");
        c.getStyler().setMarkerSize(0);
        Set<String> used = new HashSet<>();
        int k = 0;
        if (roc) {
            XYSeries chance = c.addSeries("chance", new double[] {0, 1}, new double[] {0, 1});
            chance.setMarker(SeriesMarkers.NONE);
            chance.setLineStyle(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
            chance.setLineColor(new Color(0xb0b0b0));
            chance.setShowInLegend(false);
        }
        for (RunData.Curve cv : curves) {
            double[][] xy = thin(cv.x(), cv.y(), 0.002);
            if (xy[0].length == 0) continue;
            String label = shorten(cv.name(), 18) + String.format(Locale.ROOT, roc ? " (AUC %.3f)" : " (AP %.3f)", cv.area());
            while (!used.add(label)) label = label + "'";
            XYSeries s = c.addSeries(label, xy[0], xy[1]);
            s.setMarker(SeriesMarkers.NONE);
            // XChart turns to dashed lines once the colours have cycled: every class is solid
            s.setLineStyle(SeriesLines.SOLID);
            s.setLineWidth(1.8f);
            s.setLineColor(PALETTE[k++ % PALETTE.length]);
        }
        return c;
    }

    /**
     * Drops interior points of horizontal and vertical runs (a step curve's flat stretches), then
     * points closer than {@code eps} in both coordinates to the last one kept; the first and last
     * points stay. A curve over 10,000 thresholds draws the same with a few hundred points, and
     * the inline SVG stays small.
     */
    static double[][] thin(double[] x, double[] y, double eps) {
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) continue;
            double[] p = {x[i], y[i]};
            int n = pts.size();
            if (n >= 2) {
                double[] a = pts.get(n - 2), b = pts.get(n - 1);
                boolean flat = a[1] == b[1] && b[1] == p[1] && (b[0] - a[0]) * (p[0] - b[0]) >= 0;
                boolean vertical = a[0] == b[0] && b[0] == p[0] && (b[1] - a[1]) * (p[1] - b[1]) >= 0;
                if (flat || vertical) pts.remove(n - 1);
            }
            pts.add(p);
        }
        List<double[]> kept = new ArrayList<>();
        for (int i = 0; i < pts.size(); i++) {
            double[] p = pts.get(i);
            if (kept.isEmpty() || i == pts.size() - 1) {
                kept.add(p);
                continue;
            }
            double[] last = kept.get(kept.size() - 1);
            if (Math.abs(p[0] - last[0]) > eps || Math.abs(p[1] - last[1]) > eps) kept.add(p);
        }
        double[][] out = new double[2][kept.size()];
        for (int i = 0; i < kept.size(); i++) {
            out[0][i] = kept.get(i)[0];
            out[1][i] = kept.get(i)[1];
        }
        return out;
    }

    /** At most {@code max} characters, cut in the middle ("a very lo…umber 12") so that names differing at the end stay apart. */
    public static String shorten(String s, int max) {
        if (s.length() <= max) return s;
        int tail = (max - 1) / 2, head = max - 1 - tail;
        return s.substring(0, head) + "…" + s.substring(s.length() - tail);
    }

    /** Category labels must be distinct for XChart: shortened duplicates get a prime. */
    private static List<String> distinct(List<String> names) {
        Set<String> seen = new HashSet<>();
        List<String> out = new ArrayList<>();
        for (String n : names) {
            String m = n;
            while (!seen.add(m)) m = m + "'";
            out.add(m);
        }
        return out;
    }

    private static double nz(double v) {
        return Double.isFinite(v) ? v : 0.0;
    }
}
