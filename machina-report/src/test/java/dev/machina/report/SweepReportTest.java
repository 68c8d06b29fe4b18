package dev.machina.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.train.callbacks.Monitor;
import dev.machina.tune.Leaderboard;
import dev.machina.tune.TrialResult;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepReportTest {
    static final List<String> KEYS = List.of("optimizer.lr", "training.batch_size", "model[0].linear", "model[2].dropout", "model[5].dropout",
            "optimizer.weight_decay");

    @TempDir
    Path tmp;

    /** A sweep directory of six trials over six parameters: four done, one pruned, one failed; each trial a synthetic run. */
    static Leaderboard sweep(Path dir) throws IOException {
        List<TrialResult> trials = new ArrayList<>();
        double[] lr = {3.162e-4, 1.2e-3, 0.03, 2.5e-3, 7e-4, 0.09};
        int[] batch = {32, 64, 64, 128, 256, 32};
        for (int i = 0; i < 6; i++) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put(KEYS.get(0), lr[i]);
            p.put(KEYS.get(1), batch[i]);
            p.put(KEYS.get(2), 64 << (i % 3));
            p.put(KEYS.get(3), 0.1234 + i / 10.0);
            p.put(KEYS.get(4), 0.25);
            p.put(KEYS.get(5), 1.0e-5 * (i + 1));
            String run = String.format("trials/%03d", i);
            String status = i == 4 ? TrialResult.PRUNED : i == 5 ? TrialResult.FAILED : TrialResult.DONE;
            String note = i == 4 ? "pruned at epoch 1: val_accuracy 0.4102 is below the rung's cut 0.5531 (1 trial in 3 goes on)"
                    : i == 5 ? "loss is NaN at epoch 2 (lr too high?)" : "";
            if (i < 5) SyntheticRun.create(dir.resolve(run), "fashion-mlp-sweep", List.of("a", "b", "c"), 20 + i);
            trials.add(new TrialResult(i, p, status, i == 5 ? Double.NaN : 0.9 - i * 0.03, i == 4 ? 1 : 5, i == 4 ? 1 : 5, 12.5 + i, note, run));
        }
        return Leaderboard.of(Monitor.of("val_accuracy", "max"), trials);
    }

    static SweepReport.Result write(Path dir, Leaderboard lb) throws IOException {
        List<SweepReport.Param> params = KEYS.stream().map(k -> new SweepReport.Param(k, k.endsWith("lr") || k.endsWith("decay"))).toList();
        Map<String, String> summary = new LinkedHashMap<>();
        summary.put("strategy", "successive halving (ASHA; random sampling; rungs at [1, 3] epochs; reduction factor 3)");
        summary.put("objective", "val_accuracy (max)");
        return SweepReport.write(dir, "Sweep fashion-mlp-sweep / 20260101-120000", lb, params, summary, 5);
    }

    @Test
    void legendsNameTrialsByTheParametersThatDifferBetweenThem() {
        List<TrialResult> t = List.of(trial(0, "optimizer.lr", 0.003, "training.batch_size", 64, "model[2].dropout", 0.2, "model[5].dropout", 0.1),
                trial(1, "optimizer.lr", 0.01, "training.batch_size", 64, "model[2].dropout", 0.3, "model[5].dropout", 0.1),
                trial(2, "optimizer.lr", 0.003, "training.batch_size", 64, "model[2].dropout", 0.2, "model[5].dropout", 0.1));
        // the batch size and the second dropout are the same in all three: left out; two keys end in "dropout": given whole
        assertThat(SweepReport.labels(t)).containsExactly("lr=0.003, model[2].dropout=0.2 (trial 0)", "lr=0.01, model[2].dropout=0.3",
                "lr=0.003, model[2].dropout=0.2 (trial 2)");
        assertThat(SweepReport.labels(List.of(trial(7, "optimizer.lr", 0.003)))).containsExactly("trial 7");
        assertThat(SweepReport.labels(List.of(trial(1, "a.lr", 1e-4, "b", 32), trial(2, "a.lr", 2e-4, "b", 64))))
                .containsExactly("lr=1e-04, b=32", "lr=2e-04, b=64");
    }

    @Test
    void theLeaderboardLinksEveryTrialFromItsNumberAndSaysWhyATrialStopped() throws Exception {
        Leaderboard lb = sweep(tmp);
        ReportWriter.write(tmp.resolve("trials/000"));

        String html = Files.readString(write(tmp, lb).html());

        assertThat(html).contains("<div class=\"scroll\"><table class=\"leaderboard\">");
        assertThat(html).contains("<a href=\"trials/000/report.html\" title=\"trials/000/report.html\">0</a>",
                "<a href=\"trials/001/run.json\" title=\"trials/001/run.json\">1</a>");
        // why trials stopped: a line under each one's row, as wide as the table after the rank
        assertThat(html).contains("<tr class=\"note\"><td></td><td colspan=\"11\">pruned at epoch 1: val_accuracy 0.4102 is below the rung&#39;s cut 0.5531",
                "<tr class=\"note\"><td></td><td colspan=\"11\">loss is NaN at epoch 2");
        assertThat(html.split("<tr class=\"note\">", -1)).as("only the pruned and the failed trial have one").hasSize(3);
        // the top-trials curves: a figure of its own, full width, after the grid of small plots
        int grid = html.indexOf("<div class=\"grid\">"), gridEnd = html.indexOf("</div>", grid), wide = html.indexOf("<figure class=\"wide\">");
        assertThat(wide).isGreaterThan(gridEnd);
        assertThat(html.substring(wide)).startsWith("<figure class=\"wide\"><img class=\"plot\" src=\"plots/top_trials_curves.png\"");
        assertThat(html.substring(grid, gridEnd)).contains("objective_vs_optimizer_lr.png").doesNotContain("top_trials");
    }

    @Test
    void theTopTrialsCurvesAreNamedByTheirParameters() throws Exception {
        Leaderboard lb = sweep(tmp);

        SweepReport.Result r = write(tmp, lb);

        assertThat(r.missing()).isEmpty();
        List<TrialResult> top = lb.ranked().subList(0, 5);
        List<String> labels = SweepReport.labels(top);
        assertThat(labels.get(0)).isEqualTo("lr=3.162e-04, batch_size=32, linear=64, model[2].dropout=0.1234, weight_decay=1e-05");
        ComparePlot.Panels p = ComparePlot.panels(top.stream().map(t -> tmp.resolve(t.runDir())).toList(), labels);
        assertThat(p.loss().getSeriesMap().keySet()).containsExactlyElementsOf(labels);
        BufferedImage png = ImageIO.read(tmp.resolve("plots/top_trials_curves.png").toFile());
        // the two panels one above the other, each as wide as the figure, with room below the curves for one legend line per trial
        assertThat(png.getWidth()).isEqualTo(1280);
        assertThat(png.getHeight()).isEqualTo(2 * (400 + 20 * 5));
    }

    /** A finished trial with these parameters (key, value, key, value, …), in this order. */
    private static TrialResult trial(int n, Object... kv) {
        Map<String, Object> params = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) params.put((String) kv[i], kv[i + 1]);
        return new TrialResult(n, params, TrialResult.DONE, 0.5, 1, 1, 1.0, "", "trials/" + n);
    }
}
