package dev.machina.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The confusion matrix as a heat map drawn directly with Graphics2D (XChart's heat map has no
 * per-cell counts with rotated class names): rows are the true class, columns the predicted one,
 * each cell shows its count and is shaded by its share of the row (the recall of that true class),
 * so a small class is as readable as a large one.
 */
final class ConfusionPlot {
    static {
        Headless.ensure();
    }

    // SansSerif as the physical font it stands for, whose family the SVG's text names (SansSerif is Java's name, not CSS's)
    private static final Font LABEL = de.erichseifert.vectorgraphics2d.util.GraphicsUtils.getPhysicalFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    private static final Font TITLE = LABEL.deriveFont(Font.BOLD, 15f), AXIS = LABEL.deriveFont(13f);
    private static final int MAX_LABEL = 18;
    private static final Color LOW = new Color(0xf7fbff), HIGH = new Color(0x08306b);

    private ConfusionPlot() {}

    static Plot of(long[][] counts, List<String> names) {
        int n = counts.length;
        String[] labels = new String[n];
        for (int i = 0; i < n; i++) labels[i] = Charts.shorten(i < names.size() ? names.get(i) : Integer.toString(i), MAX_LABEL);
        int cell = Math.max(22, Math.min(56, 560 / Math.max(1, n)));
        Font cellFont = LABEL.deriveFont((float) Math.max(9, Math.min(13, cell / 4)));

        FontMetrics lm = metrics(LABEL);
        int labelW = 0;
        for (String l : labels) labelW = Math.max(labelW, lm.stringWidth(l));
        boolean rotate = labelW > cell - 6;
        int pad = 14, axisH = metrics(AXIS).getHeight(), titleH = metrics(TITLE).getHeight();
        int left = pad + axisH + 8 + labelW + 8;
        int top = pad + titleH + 10;
        // rotated 45°: a label of width L needs about L·sin45 below the grid
        int below = rotate ? (int) Math.ceil(labelW * 0.7072 + lm.getHeight()) + 8 : lm.getHeight() + 8;
        int bottom = below + axisH + pad;
        int width = left + n * cell + pad + (rotate ? (int) Math.ceil(labelW * 0.7072 / 2) : 0);
        int height = top + n * cell + bottom;
        width = Math.max(width, metrics(TITLE).stringWidth("Confusion matrix (test)") + 2 * pad);

        final int fw = width, fh = height;
        return new Plot("confusion_matrix", "Confusion matrix", width, height, g -> {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, fw, fh);
            g.setColor(new Color(0x222222));
            g.setFont(TITLE);
            centre(g, "Confusion matrix (test)", left + n * cell / 2.0, pad + g.getFontMetrics().getAscent(), fw);
            for (int i = 0; i < n; i++) {
                long rowSum = 0;
                for (long v : counts[i]) rowSum += v;
                for (int j = 0; j < n; j++) {
                    double share = rowSum == 0 ? 0 : (double) counts[i][j] / rowSum;
                    Color bg = mix(LOW, HIGH, Math.sqrt(share));
                    int x = left + j * cell, y = top + i * cell;
                    g.setColor(bg);
                    g.fillRect(x, y, cell, cell);
                    g.setColor(i == j ? new Color(0x333333) : new Color(0xdddddd));
                    g.setStroke(new BasicStroke(i == j ? 1.2f : 0.6f));
                    g.drawRect(x, y, cell, cell);
                    g.setFont(cellFont);
                    g.setColor(Math.sqrt(share) > 0.5 ? Color.WHITE : new Color(0x222222));
                    FontMetrics cm = g.getFontMetrics();
                    String t = count(counts[i][j]);
                    g.drawString(t, x + (cell - cm.stringWidth(t)) / 2f, y + (cell + cm.getAscent() - cm.getDescent()) / 2f);
                }
            }
            g.setFont(LABEL);
            g.setColor(new Color(0x333333));
            FontMetrics m = g.getFontMetrics();
            for (int i = 0; i < n; i++) {
                // row labels, right-aligned against the grid
                g.drawString(labels[i], left - 8 - m.stringWidth(labels[i]), top + i * cell + (cell + m.getAscent() - m.getDescent()) / 2f);
                float cx = left + i * cell + cell / 2f;
                float by = top + n * cell + 6;
                if (rotate) {
                    AffineTransform saved = g.getTransform();
                    g.translate(cx, by + m.getAscent() * 0.5);
                    g.rotate(-Math.PI / 4);
                    g.drawString(labels[i], -m.stringWidth(labels[i]), m.getAscent() / 2f);
                    g.setTransform(saved);
                } else {
                    g.drawString(labels[i], cx - m.stringWidth(labels[i]) / 2f, by + m.getAscent());
                }
            }
            g.setFont(AXIS);
            FontMetrics am = g.getFontMetrics();
            centre(g, "predicted class", left + n * cell / 2.0, fh - pad - am.getDescent(), fw);
            AffineTransform saved = g.getTransform();
            g.translate(pad + am.getAscent(), top + n * cell / 2.0);
            g.rotate(-Math.PI / 2);
            g.drawString("true class", -am.stringWidth("true class") / 2f, 0);
            g.setTransform(saved);
        });
    }

    private static void centre(Graphics2D g, String s, double cx, double y, int width) {
        int w = g.getFontMetrics().stringWidth(s);
        double x = Math.max(4, Math.min(width - w - 4, cx - w / 2.0));
        g.drawString(s, (float) x, (float) y);
    }

    static String count(long v) {
        if (v < 10_000) return Long.toString(v);
        if (v < 1_000_000) return String.format(java.util.Locale.ROOT, "%.1fk", v / 1e3);
        return String.format(java.util.Locale.ROOT, "%.1fM", v / 1e6);
    }

    private static Color mix(Color a, Color b, double t) {
        t = Math.max(0, Math.min(1, t));
        return new Color((int) Math.round(a.getRed() + (b.getRed() - a.getRed()) * t),
                (int) Math.round(a.getGreen() + (b.getGreen() - a.getGreen()) * t),
                (int) Math.round(a.getBlue() + (b.getBlue() - a.getBlue()) * t));
    }

    private static FontMetrics metrics(Font f) {
        BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            return g.getFontMetrics(f);
        } finally {
            g.dispose();
        }
    }
}
