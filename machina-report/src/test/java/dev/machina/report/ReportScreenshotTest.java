package dev.machina.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Renders reports in headless Chromium: a screenshot of each (scripts/screenshot-report.sh), and
 * the page's layout as the browser computes it, read from a copy of the page with a script that
 * measures it (the report itself has no script): every plot drawn at a readable size, nothing
 * wider than the page's column except inside a box that scrolls, every link in view. The runs,
 * pages and screenshots stay in target/report-screenshot/ to be looked at.
 */
class ReportScreenshotTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path SCRIPT = Path.of("..", "scripts", "screenshot-report.sh");
    static final Path DIR = Path.of("target", "report-screenshot").toAbsolutePath();

    /** Measures the page once it has loaded and writes what it found as JSON into {@code pre#machina-check}. */
    static final String MEASURE = """
            <script>
            window.addEventListener('load', () => {
              const main = document.querySelector('main'), cs = getComputedStyle(main), m = main.getBoundingClientRect();
              const left = m.left + parseFloat(cs.paddingLeft), right = m.right - parseFloat(cs.paddingRight);
              const out = {width: right - left, plots: [], overflow: [], links: [], wide: []};
              const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (typeof e.className === 'string' && e.className ? '.' + e.className : '');
              document.querySelectorAll('figure > svg, figure > img.plot').forEach(e => {
                const r = e.getBoundingClientRect();
                out.plots.push({name: e.getAttribute('alt') || name(e), width: r.width, height: r.height,
                  loaded: e.tagName !== 'IMG' || (e.complete && e.naturalWidth > 0)});
              });
              main.querySelectorAll('*').forEach(e => {
                if (e.closest('svg') && e.tagName.toLowerCase() !== 'svg') return; // a chart's parts lie within the chart
                const box = e.parentElement.closest('.scroll');
                if (box) return; // inside a box that scrolls: that box is measured itself
                const r = e.getBoundingClientRect();
                if (r.width > 0 && (r.right > right + 1 || r.left < left - 1)) out.overflow.push(name(e) + ' spans ' + Math.round(r.left) + '..' + Math.round(r.right)
                    + ', the column ' + Math.round(left) + '..' + Math.round(right));
              });
              main.querySelectorAll('a').forEach(a => {
                const r = a.getBoundingClientRect(), box = (a.closest('.scroll') || main).getBoundingClientRect();
                out.links.push({href: a.getAttribute('href'), visible: r.width > 0 && r.left >= box.left - 1 && r.right <= box.right + 1});
              });
              document.querySelectorAll('figure.wide > img').forEach(e => out.wide.push(e.getBoundingClientRect().width));
              const pre = document.createElement('pre');
              pre.id = 'machina-check';
              pre.textContent = JSON.stringify(out);
              document.body.appendChild(pre);
            });
            </script>
            """;

    @BeforeAll
    static void clean() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "install chromium (apt-get install chromium) to check the reports render");
        if (Files.exists(DIR)) {
            try (var s = Files.walk(DIR)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void aClassificationReportRendersInABrowser() throws Exception {
        SyntheticRun run = SyntheticRun.create(DIR.resolve("classification"), "fashion-mlp", SyntheticRun.FASHION, 11);
        ReportWriter.write(run.dir);
        screenshot(run.dir, "classification");
        JsonNode layout = layout(run.dir);
        assertPlots(layout, 7);
        assertFits(layout);
    }

    @Test
    void aRegressionReportRendersInABrowser() throws Exception {
        Path run = TrainedRuns.copy(TrainedRuns.sine(), DIR.resolve("regression"));
        ReportWriter.write(run);
        screenshot(run, "regression");
        JsonNode layout = layout(run);
        assertPlots(layout, 4); // loss, learning rate, predicted vs actual, forecast
        assertFits(layout);
    }

    @Test
    void aLanguageModelReportRendersInABrowser() throws Exception {
        Path run = TrainedRuns.copy(TrainedRuns.text(), DIR.resolve("language-model"));
        ReportWriter.write(run);
        screenshot(run, "language-model");
        JsonNode layout = layout(run);
        assertPlots(layout, 3); // loss, perplexity, learning rate
        assertFits(layout);
    }

    @Test
    void aSweepReportRendersInABrowserWithEveryTrialLinkInViewAndTheCurvesFullWidth() throws Exception {
        Path sweep = DIR.resolve("sweep");
        var lb = SweepReportTest.sweep(sweep);
        ReportWriter.write(sweep.resolve("trials/000"));
        SweepReportTest.write(sweep, lb);
        screenshot(sweep, "sweep");
        JsonNode layout = layout(sweep);
        assertPlots(layout, 7); // the objective against each of the six parameters, the top trials' curves
        assertFits(layout);
        List<String> links = new ArrayList<>();
        for (JsonNode l : layout.path("links")) {
            assertThat(l.path("visible").asBoolean()).as("link " + l.path("href").asText() + " is in view").isTrue();
            links.add(l.path("href").asText());
        }
        assertThat(links).contains("trials/000/report.html", "trials/001/run.json", "trials/002/run.json", "trials/003/run.json", "trials/004/run.json");
        assertThat(layout.path("wide")).hasSize(1);
        assertThat(layout.path("wide").get(0).asDouble()).as("the top trials' curves span the column").isGreaterThan(0.95 * layout.path("width").asDouble());
    }

    /** Every plot drawn (an image that loaded, or inline SVG) at a readable size. */
    static void assertPlots(JsonNode layout, int count) {
        assertThat(layout.path("plots")).as(layout.toString()).hasSize(count);
        for (JsonNode p : layout.path("plots")) {
            assertThat(p.path("loaded").asBoolean()).as(p.toString()).isTrue();
            assertThat(p.path("width").asDouble()).as(p + " width").isGreaterThan(300);
            assertThat(p.path("height").asDouble()).as(p + " height").isGreaterThan(180);
        }
    }

    /** Nothing wider than the page's column (a box that scrolls sideways holds what may be). */
    static void assertFits(JsonNode layout) {
        List<String> over = new ArrayList<>();
        layout.path("overflow").forEach(o -> over.add(o.asText()));
        assertThat(over).as("elements overflowing the column").isEmpty();
    }

    /** The layout of {@code dir/report.html} as Chromium computes it at 1280 px wide. */
    static JsonNode layout(Path dir) throws Exception {
        String html = Files.readString(dir.resolve(ReportWriter.REPORT));
        Path check = dir.resolve("report-check.html");
        Files.writeString(check, html.replace("</body>", MEASURE + "</body>"));
        Path profile = Files.createTempDirectory("chromium");
        Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--user-data-dir=" + profile, "--window-size=1280,3000", "--virtual-time-budget=5000",
                "--dump-dom", check.toUri().toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("chromium finished in time").isTrue();
        Matcher m = Pattern.compile("<pre id=\"machina-check\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        assertThat(m.find()).as("the measuring script ran: " + dom.length() + " characters of DOM").isTrue();
        String json = m.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&");
        return new ObjectMapper().readTree(json);
    }

    /** A 1280-px-wide screenshot of {@code dir/report.html} as {@code DIR/name.png}, checked not to be blank. */
    static void screenshot(Path dir, String name) throws Exception {
        Path png = DIR.resolve(name + ".png");
        Process p = new ProcessBuilder("bash", SCRIPT.toString(), dir.toString(), png.toString()).redirectErrorStream(true).start();
        boolean done = p.waitFor(90, TimeUnit.SECONDS);
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) p.destroyForcibly();
        assertThat(done).as("screenshot finished in time").isTrue();
        assertThat(p.exitValue()).as(log).isZero();
        assertThat(Files.size(png)).as("screenshot size").isGreaterThan(50_000);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img).isNotNull();
        assertThat(img.getWidth()).isEqualTo(1280);
        assertThat(ReportWriterTest.distinctColours(img)).as("not a single flat colour").isGreaterThan(50);
    }
}
