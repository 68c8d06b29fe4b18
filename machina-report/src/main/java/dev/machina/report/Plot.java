package dev.machina.report;

import de.erichseifert.vectorgraphics2d.Document;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import dev.machina.io.AtomicFiles;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * One figure: a name (the file stem under plots/), a size, and a painter that draws it onto any
 * {@link Graphics2D}; the same painter makes the PNG (a raster graphics) and the SVG
 * (VectorGraphics2D, as XChart's own SVG export does).
 */
record Plot(String name, String title, int width, int height, Consumer<Graphics2D> painter) {
    static {
        Headless.ensure();
    }

    static Plot of(String name, Chart<?, ?> chart) {
        return new Plot(name, chart.getTitle(), chart.getWidth(), chart.getHeight(), g -> chart.paint(g, chart.getWidth(), chart.getHeight()));
    }

    /** Several charts side by side, each at its own size, in one figure. */
    static Plot row(String name, String title, List<? extends Chart<?, ?>> charts) {
        return grid(name, title, charts, true);
    }

    /** Several charts one above the other, each at its own size, in one figure. */
    static Plot column(String name, String title, List<? extends Chart<?, ?>> charts) {
        return grid(name, title, charts, false);
    }

    private static Plot grid(String name, String title, List<? extends Chart<?, ?>> charts, boolean across) {
        int w = 0, h = 0;
        for (Chart<?, ?> c : charts) {
            w = across ? w + c.getWidth() : Math.max(w, c.getWidth());
            h = across ? Math.max(h, c.getHeight()) : h + c.getHeight();
        }
        return new Plot(name, title, w, h, g -> {
            int at = 0;
            for (Chart<?, ?> c : charts) {
                Graphics2D sub = (Graphics2D) g.create();
                sub.translate(across ? at : 0, across ? 0 : at);
                c.paint(sub, c.getWidth(), c.getHeight());
                sub.dispose();
                at += across ? c.getWidth() : c.getHeight();
            }
        });
    }

    byte[] png() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            painter.accept(g);
        } finally {
            g.dispose();
        }
        return png(img);
    }

    /** {@code img} as PNG bytes. */
    static byte[] png(java.awt.image.RenderedImage img) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A standalone SVG document (with XML declaration). */
    String svg() {
        VectorGraphics2D g = new VectorGraphics2D();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        painter.accept(g);
        Document doc = new SVGProcessor().getDocument(g.getCommands(), new PageSize(0, 0, width, height));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            doc.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return joinLines(tidy(out.toString(StandardCharsets.UTF_8)));
    }

    private static final java.util.regex.Pattern LINE = java.util.regex.Pattern.compile(
            "(\\s*)<line style=\"([^\"]*)\" x1=\"([^\"]+)\" x2=\"([^\"]+)\" y1=\"([^\"]+)\" y2=\"([^\"]+)\"/>");

    /**
     * Joins runs of {@code <line>} elements that share a style and continue one another into one
     * {@code <path>}: XChart draws a curve segment by segment, and a PR curve of a few hundred
     * points would otherwise repeat its style a few hundred times.
     */
    static String joinLines(String svg) {
        StringBuilder out = new StringBuilder(svg.length());
        StringBuilder path = null;
        String style = null, lastX = null, lastY = null;
        for (String line : svg.split("\n", -1)) {
            java.util.regex.Matcher m = LINE.matcher(line);
            if (m.matches()) {
                if (path != null && m.group(2).equals(style) && m.group(3).equals(lastX) && m.group(5).equals(lastY)) {
                    path.append(" L").append(m.group(4)).append(' ').append(m.group(6));
                } else {
                    if (path != null) out.append(path).append("\"/>\n");
                    style = m.group(2);
                    path = new StringBuilder(m.group(1)).append("<path style=\"").append(style).append("\" d=\"M")
                            .append(m.group(3)).append(' ').append(m.group(5)).append(" L").append(m.group(4)).append(' ').append(m.group(6));
                }
                lastX = m.group(4);
                lastY = m.group(6);
            } else {
                if (path != null) out.append(path).append("\"/>\n");
                path = null;
                out.append(line).append('\n');
            }
        }
        if (path != null) out.append(path).append("\"/>\n");
        out.setLength(out.length() - 1); // split added one newline too many
        return out.toString();
    }

    private static final java.util.regex.Pattern LONG_DECIMAL = java.util.regex.Pattern.compile("(-?\\d+\\.\\d{3})\\d+");

    /**
     * Makes VectorGraphics2D's SVG smaller and browser-proof: numbers inside tags are cut to three
     * decimals (a thousandth of a pixel; text between tags is left alone), and every {@code <text>}
     * gets an explicit font size (VectorGraphics2D leaves out 12, its own default, which a browser
     * reads as 16px) and a generic sans-serif fallback after its font family.
     */
    static String tidy(String svg) {
        StringBuilder sb = new StringBuilder(svg.length());
        int i = 0;
        while (i < svg.length()) {
            int lt = svg.indexOf('<', i);
            if (lt < 0) {
                sb.append(svg, i, svg.length());
                break;
            }
            sb.append(svg, i, lt);
            int gt = svg.indexOf('>', lt);
            if (gt < 0) {
                sb.append(svg, lt, svg.length());
                break;
            }
            String tag = LONG_DECIMAL.matcher(svg.substring(lt, gt + 1)).replaceAll("$1");
            if (tag.startsWith("<text ") && tag.contains("style=\"")) {
                int st = tag.indexOf("style=\"") + 7, en = tag.indexOf('"', st);
                String style = tag.substring(st, en);
                if (!style.contains("font-size")) style += "font-size:12px;";
                if (!style.contains("font-family")) style += "font-family:sans-serif;";
                else style = style.replaceFirst("font-family:((?:&quot;|&amp;|[^;&])*);", "font-family:$1,sans-serif;");
                tag = tag.substring(0, st) + style + tag.substring(en);
            }
            sb.append(tag);
            i = gt + 1;
        }
        return sb.toString();
    }

    /** Writes {@code dir/name.png} and {@code dir/name.svg} atomically; returns the SVG text. */
    String writeTo(Path dir, List<Path> written) throws IOException {
        Path png = dir.resolve(name + ".png"), svgFile = dir.resolve(name + ".svg");
        AtomicFiles.write(png, png());
        String svg = svg();
        AtomicFiles.writeString(svgFile, svg);
        written.add(png);
        written.add(svgFile);
        return svg;
    }

    /**
     * An SVG document made fit to sit inside HTML: without the XML declaration, the DOCTYPE and
     * the namespace declarations (HTML's parser puts {@code <svg>} in the SVG namespace itself),
     * so the page names no external URL at all.
     */
    static String inline(String svg) {
        int start = svg.indexOf("<svg");
        String s = start < 0 ? svg : svg.substring(start);
        int end = s.indexOf('>');
        if (end < 0) return s;
        String open = s.substring(0, end).replaceAll("\\s+xmlns(:\\w+)?=\"[^\"]*\"", "");
        String body = s.substring(end);
        return open + " role=\"img\"" + body;
    }
}
