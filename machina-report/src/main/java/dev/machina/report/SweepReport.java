package dev.machina.report;

import static dev.machina.report.Html.esc;

import dev.machina.io.AtomicFiles;
import dev.machina.run.Numbers;
import dev.machina.tune.Leaderboard;
import dev.machina.tune.TrialResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * A sweep's figures and page: the objective against each hyperparameter (a log axis for
 * log-scaled ones; finished and pruned trials in two colours), the validation curves of the top
 * trials overlaid ({@link ComparePlot}), and {@code report.html} with the leaderboard linking each
 * trial's run directory and, where written, its report.
 */
public final class SweepReport {
    static {
        Headless.ensure();
    }

    private SweepReport() {}

    /** A hyperparameter as the plots show it. */
    public record Param(String key, boolean logScale) {}

    public record Result(Path html, List<Path> plots, List<String> missing) {}

    /**
     * @param summary  key → value lines for the top of the page (strategy, trials, epochs saved, …)
     * @param topCurves how many of the best trials to overlay
     */
    public static Result write(Path sweepDir, String title, Leaderboard lb, List<Param> params, Map<String, String> summary, int topCurves)
            throws IOException {
        Path plots = Files.createDirectories(sweepDir.resolve("plots"));
        List<Path> written = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        String metric = lb.objective().metric();
        for (Param p : params) {
            String stem = "objective_vs_" + p.key().replaceAll("[^A-Za-z0-9_-]+", "_");
            try {
                XYChart c = objectiveChart(lb, p, metric);
                if (c == null) {
                    missing.add(p.key() + ": no trial has both a value and an objective");
                    continue;
                }
                Plot plot = Plot.of(stem, c);
                AtomicFiles.write(plots.resolve(stem + ".png"), plot.png());
                AtomicFiles.writeString(plots.resolve(stem + ".svg"), plot.svg());
                written.add(plots.resolve(stem + ".png"));
            } catch (RuntimeException e) {
                missing.add(p.key() + ": " + e.getMessage());
            }
        }
        List<TrialResult> topTrials = new ArrayList<>();
        for (TrialResult t : lb.ranked()) {
            if (topTrials.size() >= topCurves) break;
            if (!Double.isNaN(t.objective()) && !t.runDir().isEmpty()) topTrials.add(t);
        }
        if (!topTrials.isEmpty()) {
            try {
                ComparePlot.write(topTrials.stream().map(t -> sweepDir.resolve(t.runDir())).toList(), labels(topTrials), plots.resolve(TOP_CURVES));
                written.add(plots.resolve(TOP_CURVES));
            } catch (IOException | RuntimeException e) {
                missing.add("validation curves of the top trials: " + e.getMessage());
            }
        }
        Path html = sweepDir.resolve(ReportWriter.REPORT);
        AtomicFiles.writeString(html, html(sweepDir, title, lb, summary, written, missing));
        return new Result(html, written, missing);
    }

    static final String TOP_CURVES = "top_trials_curves.png";

    /**
     * Legend names of trials: the parameters whose values differ between them ("lr=0.003,
     * batch_size=64"), each key by its last part unless two keys share it; a trial whose values
     * match another's gets its number too.
     */
    static List<String> labels(List<TrialResult> trials) {
        List<String> keys = new ArrayList<>();
        for (TrialResult t : trials) for (String k : t.params().keySet()) if (!keys.contains(k)) keys.add(k);
        List<String> differ = keys.stream().filter(k -> trials.stream().map(t -> String.valueOf(t.params().get(k))).distinct().count() > 1).toList();
        List<String> out = new ArrayList<>();
        for (TrialResult t : trials) {
            List<String> parts = new ArrayList<>();
            for (String k : differ) {
                String last = k.substring(Math.max(k.lastIndexOf('.'), k.lastIndexOf(']')) + 1);
                boolean unique = keys.stream().filter(o -> o.endsWith("." + last) || o.endsWith("]" + last) || o.equals(last)).count() == 1;
                parts.add((unique && !last.isEmpty() ? last : k) + "=" + (t.params().containsKey(k) ? format(t.params().get(k)) : "—"));
            }
            out.add(parts.isEmpty() ? "trial " + t.trial() : String.join(", ", parts));
        }
        List<String> named = new ArrayList<>(out);
        for (int i = 0; i < out.size(); i++) {
            if (out.indexOf(out.get(i)) != out.lastIndexOf(out.get(i))) named.set(i, out.get(i) + " (trial " + trials.get(i).trial() + ")");
        }
        return named;
    }

    static XYChart objectiveChart(Leaderboard lb, Param p, String metric) {
        List<Object> categories = new ArrayList<>();
        boolean numeric = true;
        for (TrialResult t : lb.ranked()) {
            Object v = t.params().get(p.key());
            if (v != null && !(v instanceof Number)) numeric = false;
            if (v != null && !categories.contains(v)) categories.add(v);
        }
        Map<String, List<double[]>> byStatus = new LinkedHashMap<>();
        for (TrialResult t : lb.ranked()) {
            Object v = t.params().get(p.key());
            if (v == null || Double.isNaN(t.objective())) continue;
            double x = numeric ? ((Number) v).doubleValue() : categories.indexOf(v);
            if (p.logScale() && !(x > 0)) continue;
            String s = t.status().equals(TrialResult.PRUNED) ? "pruned (value reached)" : t.status();
            byStatus.computeIfAbsent(s, k -> new ArrayList<>()).add(new double[] {x, t.objective()});
        }
        if (byStatus.isEmpty()) return null;
        String xTitle = p.key() + (p.logScale() ? " (log scale)" : "");
        if (!numeric) {
            List<String> names = new ArrayList<>();
            for (int i = 0; i < categories.size(); i++) names.add(i + "=" + categories.get(i));
            xTitle = p.key() + " (" + Charts.shorten(String.join(", ", names), 60) + ")";
        }
        XYChart c = Charts.xy(metric + " vs " + p.key(), xTitle, metric, 560, 380);
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(9);
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Horizontal);
        if (p.logScale()) { // whole decades, so that the axis has at least two labels
            var x = byStatus.values().stream().flatMap(List::stream).mapToDouble(a -> a[0]).summaryStatistics();
            double lo = Math.floor(Math.log10(x.getMin()));
            c.getStyler().setXAxisLogarithmic(true).setXAxisDecimalPattern("0E0").setXAxisMin(Math.pow(10, lo))
                    .setXAxisMax(Math.pow(10, Math.max(lo + 1, Math.ceil(Math.log10(x.getMax())))));
        }
        for (var e : byStatus.entrySet()) {
            double[] xs = new double[e.getValue().size()], ys = new double[xs.length];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = e.getValue().get(i)[0];
                ys[i] = e.getValue().get(i)[1];
            }
            XYSeries s = c.addSeries(e.getKey(), xs, ys);
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        return c;
    }

    static String html(Path sweepDir, String title, Leaderboard lb, Map<String, String> summary, List<Path> plots, List<String> missing) {
        StringBuilder h = new StringBuilder(32 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(title)).append("</title>\n<style>")
                .append(ReportWriter.CSS)
                .append(".status.done{background:#dafbe1;color:#116329}.status.pruned{background:#fff8c5;color:#7d4e00}\n")
                .append(".scroll{max-width:100%;overflow-x:auto;margin:.4rem 0 1rem}\n.scroll table{margin:0;width:100%}\n")
                .append("tr.note td{border-top:0;font-size:.8rem;color:#57606a;padding-top:0}\ntable.leaderboard th{vertical-align:bottom}\n")
                .append("table.leaderboard th,table.leaderboard td{padding:.2rem .4rem}\n")
                .append("img.plot{max-width:100%;height:auto;display:block;box-sizing:border-box;border:1px solid #eaecef;border-radius:4px}\nfigure.wide img.plot{width:100%}\n")
                .append("</style></head><body><main>\n");
        h.append("<h1>").append(esc(title)).append("</h1>\n<table class=\"kv\">");
        for (var e : summary.entrySet()) h.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(esc(e.getValue())).append("</td></tr>");
        h.append("</table>\n<h2>Leaderboard</h2>\n<p class=\"sub\">Each trial number opens the trial's report (or its run.json when it has none).</p>\n")
                .append("<div class=\"scroll\"><table class=\"leaderboard\"><tr><th class=\"num\">rank</th><th class=\"num\">trial</th><th>status</th><th class=\"num\">")
                .append(esc(lb.objective().metric())).append(" (").append(esc(lb.objective().mode())).append(")</th><th class=\"num\">epochs</th><th class=\"num\">seconds</th>");
        List<String> keys = lb.paramKeys();
        // a long key may break after a dot or before an index: model[0].<wbr>linear
        for (String k : keys) h.append("<th>").append(esc(k).replace(".", ".<wbr>").replace("[", "<wbr>[")).append("</th>");
        h.append("</tr>\n");
        int rank = 1;
        for (TrialResult t : lb.ranked()) {
            String link = t.runDir().isEmpty() ? "" : Files.exists(sweepDir.resolve(t.runDir()).resolve(ReportWriter.REPORT))
                    ? t.runDir() + "/" + ReportWriter.REPORT : t.runDir() + "/run.json";
            h.append("<tr><td class=\"num\">").append(rank++).append("</td><td class=\"num\">")
                    .append(link.isEmpty() ? String.valueOf(t.trial()) : "<a href=\"" + esc(link) + "\" title=\"" + esc(link) + "\">" + t.trial() + "</a>")
                    .append("</td><td><span class=\"status ").append(esc(t.status())).append("\">").append(esc(t.status())).append("</span></td><td class=\"num\">")
                    .append(Double.isNaN(t.objective()) ? "" : Numbers.format(t.objective())).append("</td><td class=\"num\">")
                    .append(t.epochs()).append("</td><td class=\"num\">").append(String.format(Locale.ROOT, "%.1f", t.seconds())).append("</td>");
            for (String k : keys) h.append("<td>").append(esc(format(t.params().get(k)))).append("</td>");
            h.append("</tr>\n");
            // why a trial stopped (pruned, stopped early) or failed: a line of its own under the trial's row
            if (!t.error().isEmpty()) {
                h.append("<tr class=\"note\"><td></td><td colspan=\"").append(5 + keys.size()).append("\">").append(esc(t.error())).append("</td></tr>\n");
            }
        }
        h.append("</table></div>\n<h2>Plots</h2>\n<div class=\"grid\">");
        Path wide = null;
        for (Path p : plots) {
            if (p.getFileName().toString().equals(TOP_CURVES)) {
                wide = p;
                continue;
            }
            plot(h, sweepDir, p, "");
        }
        h.append("</div>\n");
        if (wide != null) plot(h, sweepDir, wide, "Validation curves of the best trials, named by the parameters that differ between them.");
        if (!missing.isEmpty()) {
            h.append("<div class=\"notes\"><h2>Not drawn</h2><ul>");
            for (String m : missing) h.append("<li>").append(esc(m)).append("</li>");
            h.append("</ul></div>\n");
        }
        h.append("<footer>Written by machina tune.</footer></main></body></html>\n");
        return h.toString();
    }

    private static void plot(StringBuilder h, Path sweepDir, Path p, String caption) {
        String rel = sweepDir.relativize(p).toString().replace('\\', '/');
        h.append("<figure").append(caption.isEmpty() ? "" : " class=\"wide\"").append("><img class=\"plot\" src=\"").append(esc(rel)).append("\" alt=\"")
                .append(esc(p.getFileName())).append("\"><figcaption>").append(esc(caption.isEmpty() ? p.getFileName().toString() : caption + " (" + p.getFileName() + ")"))
                .append("</figcaption></figure>\n");
    }

    /** A parameter value: numbers as {@link Numbers} writes them. */
    public static String format(Object v) {
        return v instanceof Double d ? Numbers.format(d) : String.valueOf(v);
    }
}
