package dev.machina.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Renders a synthetic report in headless Chromium with scripts/screenshot-report.sh. The run and
 * the screenshot stay in target/report-screenshot/ to be looked at.
 */
class ReportScreenshotTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path SCRIPT = Path.of("..", "scripts", "screenshot-report.sh");

    @Test
    void theReportRendersInABrowser() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "install chromium (apt-get install chromium) to check the report renders");
        Path dir = Path.of("target", "report-screenshot").toAbsolutePath();
        if (Files.exists(dir)) {
            try (var s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        SyntheticRun run = SyntheticRun.create(dir.resolve("run"), "fashion-mlp", SyntheticRun.FASHION, 11);
        ReportWriter.write(run.dir);
        Path png = dir.resolve("report.png");

        Process p = new ProcessBuilder("bash", SCRIPT.toString(), run.dir.toString(), png.toString()).redirectErrorStream(true).start();
        boolean done = p.waitFor(90, TimeUnit.SECONDS);
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) p.destroyForcibly();

        assertThat(done).as("screenshot finished in time").isTrue();
        assertThat(p.exitValue()).as(log).isZero();
        assertThat(png).exists();
        assertThat(Files.size(png)).as("screenshot size").isGreaterThan(50_000);
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img).isNotNull();
        assertThat(img.getWidth()).isEqualTo(1280);
        assertThat(ReportWriterTest.distinctColours(img)).as("not a single flat colour").isGreaterThan(50);
    }
}
