package dev.machina.report;

import static org.assertj.core.api.Assertions.assertThat;

import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class SvgWriterTest {

    static String svg(String id, Consumer<Graphics2D> painter) {
        VectorGraphics2D g = new VectorGraphics2D();
        painter.accept(g);
        return SvgWriter.write(id, 200, 100, g.getCommands());
    }

    static String num(double v) {
        return SvgWriter.num(new StringBuilder(), v).toString();
    }

    @Test
    void numbersHaveAtMostThreeDecimalsAndNoMinusZero() {
        assertThat(num(1.23456789)).isEqualTo("1.235");
        assertThat(num(2.0)).isEqualTo("2");
        assertThat(num(0.5)).isEqualTo("0.5");
        assertThat(num(-1.05)).isEqualTo("-1.05");
        assertThat(num(1.005)).isEqualTo("1.005");
        assertThat(num(12.0004)).isEqualTo("12");
        assertThat(num(-0.0001)).isEqualTo("0");
        assertThat(num(-0.0)).isEqualTo("0");
        assertThat(num(1e20)).isEqualTo("1.0E20");
        assertThat(num(Double.NaN)).isEqualTo("0");
        assertThat(num(Double.NEGATIVE_INFINITY)).isEqualTo("0");
    }

    @Test
    void aDocumentHasTheFiguresSizeAndParses() throws Exception {
        String s = svg("loss", g -> {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, 200, 100);
        });
        assertThat(s).startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
                + "width=\"200px\" height=\"100px\" viewBox=\"0 0 200 100\">\n");
        assertThat(s).contains("<rect x=\"0\" y=\"0\" width=\"200\" height=\"100\" style=\"fill:rgb(255,255,255);stroke:none;\"/>");
        Document d = ReportWriterTest.parseXml(s);
        assertThat(d.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(Plot.inline(s)).startsWith("<svg version=\"1.1\" width=\"200px\" height=\"100px\" viewBox=\"0 0 200 100\" role=\"img\">");
    }

    @Test
    void translationsMoveTheCoordinatesAndOtherTransformsAreKept() {
        String s = svg("t", g -> {
            g.translate(10, 20);
            g.setColor(Color.RED);
            g.fill(new Ellipse2D.Double(0, 0, 4, 6));
            g.fill(new Rectangle2D.Double(1, 2, 3, 4));
            Path2D p = new Path2D.Double();
            p.moveTo(0, 0);
            p.quadTo(1, 1, 2, 0);
            p.curveTo(3, 1, 4, 1, 5, 0);
            p.closePath();
            g.fill(p);
            g.rotate(Math.PI / 2);
            g.fill(new Rectangle2D.Double(0, 0, 1, 1));
        });
        assertThat(s).contains("<ellipse cx=\"12\" cy=\"23\" rx=\"2\" ry=\"3\" style=\"fill:rgb(255,0,0);stroke:none;\"/>");
        assertThat(s).contains("<rect x=\"11\" y=\"22\" width=\"3\" height=\"4\"");
        assertThat(s).contains("<path d=\"M10,20 Q11,21 12,20 C13,21 14,21 15,20 Z\"");
        // rotated: the shape in its own coordinates, the whole transform as a matrix
        assertThat(s).contains("<path d=\"M0,0 L1,0 L1,1 L0,1 L0,0 Z\" transform=\"matrix(0 1 -1 0 10 20)\"");
    }

    @Test
    void segmentsThatContinueOneAnotherBecomeOnePath() {
        String s = svg("lines", g -> {
            g.setColor(Color.RED);
            g.draw(new Line2D.Double(0, 0, 1, 1));
            g.draw(new Line2D.Double(1, 1, 2, 0));
            g.setColor(Color.BLUE);
            g.draw(new Line2D.Double(2, 0, 3, 0));
            g.draw(new Line2D.Double(9, 9, 9, 8));
            g.setColor(new Color(0, 0, 255, 128)); // translucent: overlaps must blend as separate lines do
            g.draw(new Line2D.Double(0, 0, 1, 0));
            g.draw(new Line2D.Double(1, 0, 2, 0));
        });
        assertThat(s).contains("<path style=\"fill:none;stroke:rgb(255,0,0);stroke-miterlimit:10;\" d=\"M0 0 L1 1 L2 0\"/>\n"
                + "<path style=\"fill:none;stroke:rgb(0,0,255);stroke-miterlimit:10;\" d=\"M2 0 L3 0\"/>\n"
                + "<path style=\"fill:none;stroke:rgb(0,0,255);stroke-miterlimit:10;\" d=\"M9 9 L9 8\"/>\n");
        assertThat(s).contains("<path d=\"M0,0 L1,0\" style=\"fill:none;stroke:rgb(0,0,255);stroke-opacity:0.502;stroke-miterlimit:10;\"/>\n"
                + "<path d=\"M1,0 L2,0\" style=");
    }

    @Test
    void strokesKeepWidthCapsJoinsAndDashes() {
        String s = svg("k", g -> {
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_BEVEL, 10f, new float[] {3, 1.5f}, 0.5f));
            g.draw(new Rectangle2D.Double(0, 0, 5, 5));
            g.setStroke(new BasicStroke(1f, BasicStroke.CAP_SQUARE, BasicStroke.JOIN_ROUND));
            g.draw(new Rectangle2D.Double(0, 0, 5, 5));
        });
        assertThat(s).contains("style=\"fill:none;stroke:rgb(0,0,0);stroke-width:2.5;stroke-linecap:round;stroke-linejoin:bevel;"
                + "stroke-dasharray:3,1.5;stroke-dashoffset:0.5;\"");
        assertThat(s).contains("style=\"fill:none;stroke:rgb(0,0,0);stroke-linecap:square;stroke-linejoin:round;\"");
    }

    @Test
    void clipsAreDeviceShapesSharedByTheirElements() {
        String s = svg("my plot", g -> {
            g.setColor(Color.BLACK);
            g.translate(5, 5);
            g.setClip(new Rectangle2D.Double(0, 0, 10, 10));
            g.fill(new Rectangle2D.Double(0, 0, 20, 20));
            g.fill(new Rectangle2D.Double(1, 1, 2, 2));
            g.setClip(null);
            g.fill(new Rectangle2D.Double(0, 0, 1, 1));
        });
        assertThat(s).contains("<defs>\n<clipPath id=\"f-my_plot-clip0\"><path d=\"M5,5 L15,5 L15,15 L5,15 L5,5 Z\"/></clipPath>\n</defs>\n");
        assertThat(s).contains("<g clip-path=\"url(#f-my_plot-clip0)\">\n<rect x=\"5\" y=\"5\" width=\"20\" height=\"20\"");
        assertThat(s).contains("<rect x=\"6\" y=\"6\" width=\"2\" height=\"2\" style=\"fill:rgb(0,0,0);stroke:none;\"/>\n</g>\n"
                + "<rect x=\"5\" y=\"5\" width=\"1\" height=\"1\"");
    }

    @Test
    void aCreatedGraphicsHasItsOwnStateUntilDisposed() {
        String s = svg("c", g -> {
            g.setColor(Color.RED);
            Graphics2D sub = (Graphics2D) g.create();
            sub.translate(100, 0);
            sub.setColor(Color.GREEN);
            sub.fill(new Rectangle2D.Double(0, 0, 1, 1));
            sub.dispose();
            g.fill(new Rectangle2D.Double(0, 0, 1, 1));
        });
        assertThat(s).contains("<rect x=\"100\" y=\"0\" width=\"1\" height=\"1\" style=\"fill:rgb(0,255,0);stroke:none;\"/>\n"
                + "<rect x=\"0\" y=\"0\" width=\"1\" height=\"1\" style=\"fill:rgb(255,0,0);stroke:none;\"/>");
    }

    @Test
    void translucencyFromTheColourAndTheComposite() {
        String s = svg("a", g -> {
            g.setColor(new Color(10, 20, 30, 51));
            g.fill(new Rectangle2D.Double(0, 0, 1, 1));
            g.setColor(new Color(10, 20, 30));
            g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, 0.5f));
            g.fill(new Rectangle2D.Double(0, 0, 1, 1));
        });
        assertThat(s).contains("style=\"fill:rgb(10,20,30);fill-opacity:0.2;stroke:none;\"");
        assertThat(s).contains("style=\"fill:rgb(10,20,30);fill-opacity:0.5;stroke:none;\"");
    }

    @Test
    void textIsEscapedAndHasAnExplicitSizeAndAFallbackFamily() throws Exception {
        Font font = new Font(Font.SANS_SERIF, Font.BOLD | Font.ITALIC, 13);
        String s = svg("x", g -> {
            g.setColor(Color.DARK_GRAY);
            g.setFont(font);
            g.translate(1, 2);
            g.drawString("a < b & \"c\" > d\u0001", 10.5f, 20f);
        });
        assertThat(s).contains("<text x=\"11.5\" y=\"22\" style=\"fill:rgb(64,64,64);stroke:none;font-family:&quot;" + font.getFamily() + "&quot;,sans-serif;"
                + "font-size:13px;font-weight:bold;font-style:italic;\">a &lt; b &amp; &quot;c&quot; &gt; d\uFFFD</text>");
        assertThat(ReportWriterTest.parseXml(s).getElementsByTagName("text").item(0).getTextContent()).isEqualTo("a < b & \"c\" > d\uFFFD");
    }

    @Test
    void shapesAndTextAtCoordinatesThatAreNotNumbersAreLeftOut() {
        String s = svg("nan", g -> {
            g.setColor(Color.BLACK);
            g.draw(new Line2D.Double(0, 0, 1, Double.NaN));
            Path2D p = new Path2D.Double();
            p.moveTo(0, 0);
            p.lineTo(Double.POSITIVE_INFINITY, 1);
            g.fill(p);
            g.fill(new Rectangle2D.Double(Double.NaN, 0, 1, 1));
            g.drawString("x", Float.NaN, 1f);
            g.fill(new Rectangle2D.Double(7, 8, 1, 1));
        });
        assertThat(s).doesNotContain("<path", "<text").contains("<rect x=\"7\" y=\"8\"");
    }

    @Test
    void idsAreMadeOfWhatAnXmlIdMayHold() {
        assertThat(SvgWriter.idPrefix("pr_curves")).isEqualTo("f-pr_curves");
        assertThat(SvgWriter.idPrefix("a b/c\"d")).isEqualTo("f-a_b_c_d");
    }
}
