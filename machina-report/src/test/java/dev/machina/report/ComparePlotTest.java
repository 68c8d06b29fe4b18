package dev.machina.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComparePlotTest {
    @TempDir
    Path tmp;

    @Test
    void overlaysTheValidationCurvesOfEveryRunWithAMetric() throws Exception {
        SyntheticRun a = SyntheticRun.create(tmp.resolve("a"), "lr-0.01", List.of("x", "y"), 1);
        SyntheticRun b = SyntheticRun.create(tmp.resolve("b"), "lr-0.001", List.of("x", "y"), 2);
        Path empty = tmp.resolve("c");
        Files.createDirectories(empty);
        Files.writeString(empty.resolve("run.json"), "{\"name\":\"crashed\",\"run_id\":\"r3\"}");
        Path out = tmp.resolve("cmp/compare.png");

        List<String> left = ComparePlot.write(List.of(a.dir, b.dir, empty), out);

        assertThat(left).singleElement().asString().startsWith("crashed/r3").contains("no val_loss");
        BufferedImage png = ImageIO.read(out.toFile());
        assertThat(png).isNotNull();
        assertThat(png.getWidth()).isEqualTo(1280);
        assertThat(png.getHeight()).isEqualTo(420);
        String svg = Files.readString(tmp.resolve("cmp/compare.svg"));
        assertThat(ReportWriterTest.parseXml(svg).getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(svg).contains("<path");
        // both panels drawn: each half of the image has plenty of ink
        assertThat(ReportWriterTest.distinctColours(png.getSubimage(0, 0, 640, 420))).isGreaterThan(10);
        assertThat(ReportWriterTest.distinctColours(png.getSubimage(640, 0, 640, 420))).isGreaterThan(10);
        // legend entries are name/run-id, one line per run in both panels
        ComparePlot.Panels p = ComparePlot.panels(List.of(a.dir, b.dir, empty));
        assertThat(p.loss().getSeriesMap().keySet()).containsExactly("lr-0.01/20260101-120000", "lr-0.001/20260101-120000");
        assertThat(p.accuracy().getSeriesMap().keySet()).containsExactly("lr-0.01/20260101-120000", "lr-0.001/20260101-120000");
        assertThat(p.loss().getTitle()).isEqualTo("Validation loss");
        assertThat(p.accuracy().getTitle()).isEqualTo("Validation accuracy");
    }

    @Test
    void runsWithoutValidationMetricsAreAnError() throws Exception {
        Path empty = tmp.resolve("e");
        Files.createDirectories(empty);
        Files.writeString(empty.resolve("run.json"), "{\"name\":\"e\"}");
        assertThatThrownBy(() -> ComparePlot.write(List.of(empty), tmp.resolve("x.png")))
                .isInstanceOf(IOException.class).hasMessageContaining("none of the 1 run(s)");
        assertThat(tmp.resolve("x.png")).doesNotExist();
    }
}
