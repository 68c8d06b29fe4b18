package dev.machina.cli.tune;

import dev.machina.report.SweepReport;
import dev.machina.experiment.SweepRunner;
import dev.machina.run.Numbers;
import dev.machina.tune.TrialResult;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The live view of a sweep. On a terminal: a table of trials (parameters, epoch, best objective,
 * status) redrawn in place at most ten times a second. Elsewhere (logs, pipes, tests): one line
 * per trial event (started, and done / pruned / failed).
 */
final class SweepTable implements SweepRunner.Listener {
    private static final int MAX_ROWS = 24;

    private static final class Row {
        Map<String, Object> params;
        int epoch, epochs;
        double best = Double.NaN;
        String status = TrialResult.RUNNING;
        String note = "";
    }

    private final PrintWriter out;
    private final boolean live;
    private final String metric;
    private final boolean maximize;
    private final TreeMap<Integer, Row> rows = new TreeMap<>();
    private int drawnLines;
    private long lastDraw;

    SweepTable(PrintWriter out, boolean live, String metric, boolean maximize) {
        this.out = out;
        this.live = live;
        this.metric = metric;
        this.maximize = maximize;
    }

    /** True when stdout is an interactive terminal. */
    static boolean isTerminal() {
        java.io.Console c = System.console();
        if (c == null) return false;
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    @Override
    public synchronized void started(int trial, Map<String, Object> params, int epochs) {
        Row r = rows.computeIfAbsent(trial, k -> new Row());
        r.params = params;
        r.epochs = epochs;
        if (live) redraw(false);
        else out.printf("trial %s started: %s%n", SweepRunner.trialDirName(trial), params(params));
        out.flush();
    }

    @Override
    public synchronized void epoch(int trial, int epoch, double value, double best) {
        Row r = rows.computeIfAbsent(trial, k -> new Row());
        r.epoch = epoch;
        r.best = best;
        if (live) redraw(false);
    }

    @Override
    public synchronized void finished(TrialResult t) {
        Row r = rows.computeIfAbsent(t.trial(), k -> new Row());
        if (r.params == null) r.params = t.params();
        r.status = t.status();
        r.epoch = t.epochs();
        r.best = t.objective();
        r.note = t.error();
        if (live) {
            redraw(true);
        } else {
            out.printf(Locale.ROOT, "trial %s %s after %d epoch(s): best %s %s%s%n", SweepRunner.trialDirName(t.trial()), t.status(), t.epochs(),
                    metric, num(t.objective()), t.error().isEmpty() ? "" : " (" + t.error() + ")");
        }
        out.flush();
    }

    /** Draws the final table (terminal only). */
    synchronized void close() {
        if (live) redraw(true);
    }

    private void redraw(boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastDraw < 100_000_000L) return;
        lastDraw = now;
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-5s %-11s %-7s %-10s %s", "trial", "status", "epoch", "best", "parameters"));
        List<Integer> shown = new ArrayList<>();
        for (var e : rows.entrySet()) if (e.getValue().status.equals(TrialResult.RUNNING)) shown.add(e.getKey());
        List<Integer> others = new ArrayList<>();
        for (var e : rows.entrySet()) if (!e.getValue().status.equals(TrialResult.RUNNING)) others.add(e.getKey());
        others.sort((a, b) -> {
            double x = rows.get(a).best, y = rows.get(b).best;
            if (Double.isNaN(x) != Double.isNaN(y)) return Double.isNaN(x) ? 1 : -1;
            return maximize ? Double.compare(y, x) : Double.compare(x, y);
        });
        int room = Math.max(0, MAX_ROWS - shown.size());
        shown.addAll(others.subList(0, Math.min(room, others.size())));
        shown.sort(null);
        for (int t : shown) {
            Row r = rows.get(t);
            lines.add(String.format(Locale.ROOT, "%-5s %-11s %-7s %-10s %s", SweepRunner.trialDirName(t), r.status,
                    r.epoch + "/" + r.epochs, num(r.best), params(r.params)));
        }
        if (rows.size() > shown.size()) lines.add("… " + (rows.size() - shown.size()) + " more finished trial(s) in the leaderboard");
        StringBuilder sb = new StringBuilder();
        if (drawnLines > 0) sb.append("\033[").append(drawnLines).append('F');
        for (String l : lines) sb.append("\033[2K").append(l).append('\n');
        for (int i = lines.size(); i < drawnLines; i++) sb.append("\033[2K\n");
        drawnLines = Math.max(lines.size(), drawnLines);
        out.print(sb);
        out.flush();
    }

    static String params(Map<String, Object> p) {
        if (p == null) return "";
        StringBuilder sb = new StringBuilder();
        for (var e : p.entrySet()) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(e.getKey()).append('=').append(SweepReport.format(e.getValue()));
        }
        return sb.toString();
    }

    static String num(double v) {
        return Double.isNaN(v) ? "-" : Numbers.format(v);
    }
}
