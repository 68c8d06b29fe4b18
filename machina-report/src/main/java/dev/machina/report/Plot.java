package dev.machina.report;

import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import dev.machina.io.AtomicFiles;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * One figure: a name (the file stem under plots/), a size, and a painter that draws it onto any
 * {@link Graphics2D}; the same painter makes the PNG (a raster graphics) and the SVG (its
 * drawing commands recorded by VectorGraphics2D, as XChart's own SVG export does, and written by
 * {@link SvgWriter}).
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

    /** {@code img} as PNG bytes ({@link Png}). */
    static byte[] png(BufferedImage img) {
        return Png.encode(img);
    }

    /** A standalone SVG document (with XML declaration): the painter's commands, recorded by VectorGraphics2D, written by {@link SvgWriter}. */
    String svg() {
        VectorGraphics2D g = new VectorGraphics2D();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        painter.accept(g);
        return SvgWriter.write(name, width, height, g.getCommands());
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
