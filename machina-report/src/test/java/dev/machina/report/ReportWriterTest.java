package dev.machina.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.machina.metrics.ConfusionMatrix;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

class ReportWriterTest {
    static final List<String> PLOTS = List.of("loss", "accuracy", "learning_rate", "confusion_matrix", "per_class", "pr_curves", "roc_curves");

    @TempDir
    Path tmp;

    @Test
    void figuresDrawnOnTwoThreadsGiveTheFilesAndPageOfOneThread() throws Exception {
        SyntheticRun run = SyntheticRun.create(tmp.resolve("run"), "fashion-mlp", SyntheticRun.FASHION, 11);
        ReportWriter.Result one = dev.machina.kernel.Parallel.withThreads(1, () -> write(run.dir));
        List<byte[]> files = new ArrayList<>();
        for (Path p : one.plots()) files.add(Files.readAllBytes(p));
        String page = Files.readString(one.html()).replaceAll("at \\S+Z", "");
        for (Path p : one.plots()) Files.delete(p);

        int threads = dev.machina.kernel.Parallel.threads();
        dev.machina.kernel.Parallel.setThreads(2);
        try {
            ReportWriter.Result two = write(run.dir);
            assertThat(two.plots()).isEqualTo(one.plots());
            for (int i = 0; i < files.size(); i++) assertThat(Files.readAllBytes(two.plots().get(i))).as(two.plots().get(i).toString()).isEqualTo(files.get(i));
            assertThat(Files.readString(two.html()).replaceAll("at \\S+Z", "")).isEqualTo(page);
            assertThat(two.missing()).isEqualTo(one.missing());
        } finally {
            dev.machina.kernel.Parallel.setThreads(threads);
        }
    }

    private static ReportWriter.Result write(Path dir) {
        try {
            return ReportWriter.write(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aCompleteRunGetsEveryPlotAndAFullReport() throws Exception {
        SyntheticRun run = SyntheticRun.create(tmp.resolve("run"), "fashion-mlp", SyntheticRun.FASHION, 11);

        ReportWriter.Result r = ReportWriter.write(run.dir);

        assertThat(r.missing()).isEmpty();
        assertThat(r.plots()).hasSize(2 * PLOTS.size());
        for (String p : PLOTS) {
            BufferedImage png = ImageIO.read(run.dir.resolve("plots/" + p + ".png").toFile());
            assertThat(png).as(p + ".png").isNotNull();
            assertThat(png.getWidth()).as(p + " width").isBetween(400, 1600);
            assertThat(png.getHeight()).as(p + " height").isBetween(300, 1200);
            assertThat(distinctColours(png)).as(p + " is not blank").isGreaterThan(5);
            Document svg = parseXml(Files.readString(run.dir.resolve("plots/" + p + ".svg")));
            assertThat(svg.getDocumentElement().getTagName()).isEqualTo("svg");
        }

        String html = Files.readString(r.html());
        assertThat(r.html()).isEqualTo(run.dir.resolve("report.html"));
        assertThat(html).startsWith("<!DOCTYPE html>").contains("fashion-mlp", "20260101-120000", "completed", "3 min 25 s", "reached 5 epochs");
        for (String c : SyntheticRun.FASHION) assertThat(html).contains(Html.esc(c));
        // the per-class table holds the numbers of the real ClassificationReport
        ConfusionMatrix cm = run.report.confusionMatrix();
        for (int c = 0; c < SyntheticRun.FASHION.size(); c++) {
            String row = "<td>" + Html.esc(SyntheticRun.FASHION.get(c)) + "</td><td class=\"num\">" + f4(cm.precision(c))
                    + "</td><td class=\"num\">" + f4(cm.recall(c)) + "</td><td class=\"num\">" + f4(cm.f1(c))
                    + "</td><td class=\"num\">" + cm.support(c) + "</td>";
            assertThat(html).contains(row);
        }
        assertThat(html).contains("<td>macro avg</td>", "<td>weighted avg</td>", f4(cm.accuracy()));
        // the curves, confusion matrix and configuration are in the page
        assertThat(inlineSvgs(html)).hasSize(PLOTS.size());
        assertThat(html).contains("optimizer.lr", "0.001", "model.hidden", "[256, 128]", "kernel_provider", "Eclipse Adoptium");
        assertThat(html).contains("Linear(in_features=784, out_features=256, bias=True)", "235,146 parameters");
        // misclassified examples drawn as 28×28 images, at most MAX_EXAMPLES of them
        List<String> images = dataUris(html);
        assertThat(images).hasSize(Math.min(ReportWriter.MAX_EXAMPLES, run.misclassified)).isNotEmpty();
        BufferedImage ex = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(images.get(0))));
        assertThat(ex.getWidth()).isEqualTo(28);
        assertThat(ex.getHeight()).isEqualTo(28);
        assertSelfContained(html);
    }

    @Test
    void everyInlineSvgIsWellFormedXml() throws Exception {
        SyntheticRun run = SyntheticRun.create(tmp.resolve("run"), "three", List.of("a", "b", "c"), 3);
        String html = Files.readString(ReportWriter.write(run.dir).html());
        List<String> svgs = inlineSvgs(html);
        assertThat(svgs).hasSize(PLOTS.size());
        for (String s : svgs) assertThat(parseXml(s).getDocumentElement().getTagName()).isEqualTo("svg");
    }

    @Test
    void aRunThatCrashedAfterWritingRunJsonStillGetsAReportSayingWhatIsMissing() throws Exception {
        Path dir = tmp.resolve("crashed");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("run.json"), """
                {"name": "early-crash", "run_id": "20260102-080000", "status": "failed",
                 "start_time": "2026-01-02T08:00:00Z", "error": "Input size (20 columns) does not match layer 0 (10 inputs)",
                 "config": {"epochs": 3}}
                """);

        ReportWriter.Result r = ReportWriter.write(dir);

        assertThat(r.plots()).isEmpty();
        try (Stream<Path> s = Files.list(dir.resolve("plots"))) {
            assertThat(s).isEmpty();
        }
        assertThat(r.missing()).hasSize(2).contains("metrics.jsonl is missing")
                .anySatisfy(m -> assertThat(m).startsWith("Test results").contains("test-results.json is missing"));
        String html = Files.readString(r.html());
        assertThat(html).contains("early-crash", "failed", "Not in this report", "metrics.jsonl is missing",
                "test-results.json is missing", "Input size (20 columns) does not match layer 0 (10 inputs)",
                "No per-epoch metrics were recorded", "No model summary");
        assertThat(html).doesNotContain("<svg");
        assertSelfContained(html);
    }

    @Test
    void truncatedMetricsAndATestWithoutProbabilitiesSkipOnlyWhatTheyLack() throws Exception {
        SyntheticRun run = SyntheticRun.create(tmp.resolve("partial"), "partial", List.of("neg", "pos"), 5);
        run.writeTestResults(5, 200, false);
        Files.writeString(run.dir.resolve("metrics.jsonl"),
                "{\"type\":\"epoch\",\"epoch\":1,\"train_loss\":0.9,\"val_loss\":null,\"lr\":0.1}\n"
                        + "{\"type\":\"epoch\",\"epoch\":2,\"train_loss\":0.7,\"val_loss\":null,\"lr\":0.1}\n{\"type\":\"epo");

        ReportWriter.Result r = ReportWriter.write(run.dir);

        assertThat(r.missing()).anySatisfy(m -> assertThat(m).contains("line 3 is not valid JSON"))
                .anySatisfy(m -> assertThat(m).startsWith("Accuracy:"))
                .anySatisfy(m -> assertThat(m).startsWith("ROC curves"))
                .anySatisfy(m -> assertThat(m).startsWith("Precision-recall curves"));
        assertThat(run.dir.resolve("plots/loss.png")).exists();
        assertThat(run.dir.resolve("plots/confusion_matrix.svg")).exists();
        assertThat(run.dir.resolve("plots/roc_curves.png")).doesNotExist();
        assertThat(run.dir.resolve("plots/accuracy.png")).doesNotExist();
        assertThat(ImageIO.read(run.dir.resolve("plots/learning_rate.png").toFile())).isNotNull();
    }

    @Test
    void oneEpochOfConstantValuesStillDraws() throws Exception {
        SyntheticRun run = SyntheticRun.create(tmp.resolve("one"), "one-epoch", List.of("a", "b"), 8);
        Files.writeString(run.dir.resolve("metrics.jsonl"),
                "{\"type\":\"epoch\",\"epoch\":1,\"train_loss\":0.5,\"val_loss\":0.5,\"train_accuracy\":1.0,\"val_accuracy\":1.0,\"lr\":0.1}\n");

        ReportWriter.Result r = ReportWriter.write(run.dir);

        assertThat(r.missing()).isEmpty();
        for (String p : List.of("loss", "accuracy", "learning_rate")) {
            assertThat(ImageIO.read(run.dir.resolve("plots/" + p + ".png").toFile())).as(p).isNotNull();
        }
    }

    @Test
    void textFromTheRunIsEscapedEverywhere() throws Exception {
        List<String> names = List.of("<b>x&y</b>", "cat", "dog \"quoted\" 'single'");
        SyntheticRun run = SyntheticRun.create(tmp.resolve("esc"), "<script>alert(1)</script>", names, 9);

        ReportWriter.Result r = ReportWriter.write(run.dir);

        String html = Files.readString(r.html());
        assertThat(html).doesNotContain("<b>x&y</b>", "<script")
                .contains("&lt;b&gt;x&amp;y&lt;/b&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;", "<td>dog &quot;quoted&quot; &#39;single&#39;</td>");
        // the class names also reach the charts' text: the SVG must stay well-formed
        for (String s : inlineSvgs(html)) parseXml(s);
        for (Path p : r.plots()) if (p.toString().endsWith(".svg")) parseXml(Files.readString(p));
        assertThat(Html.esc("a<b>&\"'")).isEqualTo("a&lt;b&gt;&amp;&quot;&#39;");
    }

    @Test
    void aMissingDirectoryIsAReadableError() {
        assertThatThrownBy(() -> ReportWriter.write(tmp.resolve("nope"))).isInstanceOf(IOException.class).hasMessageContaining("nope");
    }

    @Test
    void tickLabelsKeepTheLeadingZeroAndALogAxisUnderThreeDecadesLabelsMoreThanItsDecades(@TempDir Path dir) throws Exception {
        RunData run = RunData.load(SyntheticRun.create(dir.resolve("r"), "ticks", List.of("a", "b"), 3).dir);
        XYChart loss = Charts.epochChart(run, "Loss", "loss", List.of("train_loss"), List.of("train"), new ArrayList<>());
        String pattern = loss.getStyler().getYAxisDecimalPattern();
        assertThat(pattern).isNotNull();
        assertThat(new java.text.DecimalFormat(pattern, java.text.DecimalFormatSymbols.getInstance(java.util.Locale.ROOT)).format(0.08)).isEqualTo("0.08");
        XYChart lr = Charts.lrChart(run, new ArrayList<>()); // cosine from 1e-3 to about 1e-4
        assertThat(lr.getStyler().isYAxisLogarithmic()).isTrue();
        assertThat(lr.getStyler().isYAxisLogarithmicDecadeOnly()).isFalse();
    }

    @Test
    void theSummaryWritesIntegersAsIntegersAndSmallNumbersInScientificNotation(@TempDir Path dir) throws Exception {
        SyntheticRun run = SyntheticRun.create(dir.resolve("r"), "numbers", List.of("a", "b"), 5);
        var rec = (com.fasterxml.jackson.databind.node.ObjectNode) SyntheticRun.JSON.readTree(run.dir.resolve("run.json").toFile());
        rec.putObject("final_metrics").put("epoch", 30.0).put("lr", 2.7e-6).put("samples_per_s", 23626.2073).put("val_loss", 0.33987382171);
        Files.writeString(run.dir.resolve("run.json"), SyntheticRun.JSON.writeValueAsString(rec));

        String html = Files.readString(ReportWriter.write(run.dir).html());

        assertThat(html).contains("final epoch</td><td>30<", "final lr</td><td>2.7e-06<", "final samples_per_s</td><td>23626<",
                "final val_loss</td><td>0.3399<");
    }

    @Test
    void aSweepsLogAxisSpansWholeDecadesSoItHasTwoLabels() {
        var trials = List.of(new dev.machina.tune.TrialResult(0, java.util.Map.of("lr", 3.163e-4), "done", 0.82, 2, 2, 1, "", "trials/000"),
                new dev.machina.tune.TrialResult(1, java.util.Map.of("lr", 1.134e-3), "done", 0.94, 2, 2, 1, "", "trials/001"));
        var lb = dev.machina.tune.Leaderboard.of(dev.machina.train.callbacks.Monitor.of("val_accuracy", "max"), trials);
        XYChart c = SweepReport.objectiveChart(lb, new SweepReport.Param("lr", true), "val_accuracy");
        assertThat(c.getStyler().getXAxisMin()).isEqualTo(1e-4, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(c.getStyler().getXAxisMax()).isEqualTo(1e-2, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void longNamesAreCutInTheMiddle() {
        assertThat(Charts.shorten("a very long class name number 12", 18)).isEqualTo("a very lo…umber 12").hasSize(18);
        assertThat(Charts.shorten("short", 18)).isEqualTo("short");
    }

    @Test
    void stepCurvesKeepOnlyTheirCorners() {
        double[][] t = Charts.thin(new double[] {0, 0, 0, 0.5, 0.7, 1, 1}, new double[] {0, 0.2, 0.5, 0.5, 0.5, 0.5, 1}, 0.002);
        assertThat(t[0]).containsExactly(0, 0, 1, 1);
        assertThat(t[1]).containsExactly(0, 0.5, 0.5, 1);
    }

    @Test
    void longCurvesAreThinnedButKeepTheirEnds() {
        int n = 20_000;
        double[] x = new double[n], y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i / (double) (n - 1);
            y[i] = Math.sqrt(x[i]);
        }
        double[][] t = Charts.thin(x, y, 0.002);
        assertThat(t[0].length).isBetween(100, 1500);
        assertThat(t[0][0]).isEqualTo(0.0);
        assertThat(t[0][t[0].length - 1]).isEqualTo(1.0);
        assertThat(t[1][t[1].length - 1]).isEqualTo(1.0);
    }

    // ---------------------------------------------------------------- helpers

    static void assertSelfContained(String html) {
        assertThat(html).doesNotContainPattern("(?i)<script")
                .doesNotContainPattern("(?i)<link\\b")
                .doesNotContainPattern("(?i)(src|href)\\s*=\\s*[\"']?\\s*(https?:)?//")
                .doesNotContainPattern("(?i)url\\(\\s*[\"']?\\s*(https?:)?//")
                .doesNotContainPattern("(?i)@import");
        // the synthetic runs hold no URL, so none may appear at all
        assertThat(html).doesNotContain("http://", "https://");
    }

    static String f4(double v) {
        return dev.machina.run.Numbers.format(v);
    }

    static List<String> inlineSvgs(String html) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<svg\\b.*?</svg>", Pattern.DOTALL).matcher(html);
        while (m.find()) out.add(m.group());
        return out;
    }

    static List<String> dataUris(String html) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    /** Parses XML without fetching the SVG DTD the standalone files name. */
    static Document parseXml(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        f.setValidating(false);
        return f.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
    }

    static int distinctColours(BufferedImage img) {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) {
            for (int x = 0; x < img.getWidth(); x += 3) {
                seen.add(img.getRGB(x, y));
                if (seen.size() > 1000) return seen.size();
            }
        }
        return seen.size();
    }
}
