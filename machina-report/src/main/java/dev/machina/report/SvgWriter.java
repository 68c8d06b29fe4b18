package dev.machina.report;

import de.erichseifert.vectorgraphics2d.intermediate.CommandSequence;
import de.erichseifert.vectorgraphics2d.intermediate.commands.AffineTransformCommand;
import de.erichseifert.vectorgraphics2d.intermediate.commands.Command;
import de.erichseifert.vectorgraphics2d.intermediate.commands.CreateCommand;
import de.erichseifert.vectorgraphics2d.intermediate.commands.DisposeCommand;
import de.erichseifert.vectorgraphics2d.intermediate.commands.DrawImageCommand;
import de.erichseifert.vectorgraphics2d.intermediate.commands.DrawShapeCommand;
import de.erichseifert.vectorgraphics2d.intermediate.commands.DrawStringCommand;
import de.erichseifert.vectorgraphics2d.intermediate.commands.FillShapeCommand;
import de.erichseifert.vectorgraphics2d.intermediate.commands.SetClipCommand;
import de.erichseifert.vectorgraphics2d.intermediate.commands.SetColorCommand;
import de.erichseifert.vectorgraphics2d.intermediate.commands.SetCompositeCommand;
import de.erichseifert.vectorgraphics2d.intermediate.commands.SetFontCommand;
import de.erichseifert.vectorgraphics2d.intermediate.commands.SetPaintCommand;
import de.erichseifert.vectorgraphics2d.intermediate.commands.SetStrokeCommand;
import de.erichseifert.vectorgraphics2d.intermediate.commands.SetTransformCommand;
import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Composite;
import java.awt.Font;
import java.awt.Image;
import java.awt.Paint;
import java.awt.Shape;
import java.awt.Stroke;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.PathIterator;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The drawing commands a {@link de.erichseifert.vectorgraphics2d.VectorGraphics2D} recorded, as
 * one SVG document, written straight into a string.
 *
 * <p>Each shape, string and image becomes one element in device coordinates: under a translation
 * the coordinates are moved, under any other transform the element carries it as
 * {@code transform="matrix(…)"} (so strokes scale as in Java2D). Clips are device-space shapes in
 * {@code <defs>}, referenced by a {@code <g clip-path>} around each run of elements they apply
 * to; their ids start with the figure's id, so that several figures can sit inline in one HTML
 * page. Consecutive lines of one opaque style that continue one another are one {@code <path>}
 * (a curve is drawn segment by segment). Numbers have at most three decimals (a thousandth of a
 * pixel). Text is {@code <text>} with an explicit font size and a generic sans-serif fallback
 * after its family. Paints other than colours are drawn in the current colour; a shape or string
 * at a NaN or infinite coordinate is left out (SVG has no number for it).
 */
final class SvgWriter {
    private SvgWriter() {}

    /** The graphics state that the commands change; {@code create()} pushes a copy, {@code dispose()} pops it. */
    private static final class State {
        AffineTransform transform = new AffineTransform();
        Shape clip; // device space; null: none
        Color color = Color.BLACK;
        Stroke stroke = new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER); // VectorGraphics2D's
        Font font = new Font(Font.DIALOG, Font.PLAIN, 12);
        float alpha = 1f; // an AlphaComposite's extra alpha

        State copy() {
            State s = new State();
            s.transform = new AffineTransform(transform);
            s.clip = clip;
            s.color = color;
            s.stroke = stroke;
            s.font = font;
            s.alpha = alpha;
            return s;
        }
    }

    /**
     * The SVG document (with an XML declaration) of a {@code width}×{@code height} figure.
     *
     * @param id a name unique among the figures of one page; it prefixes the clip ids
     */
    static String write(String id, int width, int height, CommandSequence commands) {
        return new Writer(idPrefix(id)).run(width, height, commands);
    }

    /** {@code id} reduced to the characters an XML id may hold anywhere (letters, digits, '-', '_'), after a letter. */
    static String idPrefix(String id) {
        StringBuilder sb = new StringBuilder("f-");
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            sb.append((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ? c : '_');
        }
        return sb.toString();
    }

    private static final class Writer {
        final String prefix;
        final StringBuilder body = new StringBuilder(1 << 14);
        final Map<String, String> clipIds = new LinkedHashMap<>(); // clip path data → id
        final Deque<State> stack = new ArrayDeque<>();
        State st = new State();
        Shape lastClip; // the clip whose id was asked for last, and that id
        String lastClipId;
        String openClip; // the id of the clip group open in body, or null
        // the open <path> of joined lines: its style and clip, and where its last segment ended
        String lineStyle, lineClip;
        double lineX, lineY;

        Writer(String prefix) {
            this.prefix = prefix;
        }

        String run(int width, int height, CommandSequence commands) {
            for (Command<?> c : commands) apply(c);
            endLines();
            closeClip();
            StringBuilder out = new StringBuilder(body.length() + 512);
            out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                    .append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"").append(width).append("px\" height=\"")
                    .append(height).append("px\" viewBox=\"0 0 ").append(width).append(' ').append(height).append("\">\n");
            if (!clipIds.isEmpty()) {
                out.append("<defs>\n");
                for (Map.Entry<String, String> e : clipIds.entrySet()) {
                    out.append("<clipPath id=\"").append(e.getValue()).append("\"><path d=\"").append(e.getKey()).append("\"/></clipPath>\n");
                }
                out.append("</defs>\n");
            }
            return out.append(body).append("</svg>\n").toString();
        }

        void apply(Command<?> c) {
            switch (c) {
                case FillShapeCommand f -> shape(f.getValue(), true);
                case DrawShapeCommand d -> shape(d.getValue(), false);
                case DrawStringCommand s -> text(s.getValue(), s.getX(), s.getY());
                case DrawImageCommand i -> image(i);
                case SetColorCommand s -> st.color = s.getValue();
                case SetPaintCommand p -> {
                    Paint paint = p.getValue();
                    if (paint instanceof Color col) st.color = col;
                }
                case SetStrokeCommand s -> st.stroke = s.getValue();
                case SetFontCommand f -> st.font = f.getValue();
                case SetCompositeCommand s -> {
                    Composite comp = s.getValue();
                    st.alpha = comp instanceof AlphaComposite ac ? ac.getAlpha() : 1f;
                }
                case SetClipCommand s -> st.clip = s.getValue() == null ? null : st.transform.createTransformedShape(s.getValue());
                case SetTransformCommand s -> st.transform = new AffineTransform(s.getValue());
                case AffineTransformCommand t -> {
                    AffineTransform at = new AffineTransform(st.transform);
                    at.concatenate(t.getValue());
                    st.transform = at;
                }
                case CreateCommand ignored -> {
                    stack.push(st);
                    st = st.copy();
                }
                case DisposeCommand ignored -> {
                    if (!stack.isEmpty()) st = stack.pop();
                }
                default -> { } // hints, background, XOR mode: nothing to draw
            }
        }

        void shape(Shape s, boolean fill) {
            if (!finite(s)) return; // SVG has no number for it
            if (!fill && !(st.stroke instanceof BasicStroke)) { // a stroke SVG cannot express: its outline, filled
                s = st.stroke.createStrokedShape(s);
                fill = true;
            }
            String style = fill ? fillStyle() : strokeStyle((BasicStroke) st.stroke);
            AffineTransform t = st.transform;
            boolean moveOnly = isTranslation(t);
            double tx = t.getTranslateX(), ty = t.getTranslateY();
            if (!fill && moveOnly && s instanceof Line2D l && opaque()) {
                line(style, l.getX1() + tx, l.getY1() + ty, l.getX2() + tx, l.getY2() + ty);
                return;
            }
            endLines();
            StringBuilder e = open();
            if (moveOnly && s instanceof Rectangle2D r) {
                e.append("<rect x=\"");
                num(e, r.getX() + tx).append("\" y=\"");
                num(e, r.getY() + ty).append("\" width=\"");
                num(e, r.getWidth()).append("\" height=\"");
                num(e, r.getHeight()).append('"');
            } else if (moveOnly && s instanceof Ellipse2D o) {
                e.append("<ellipse cx=\"");
                num(e, o.getCenterX() + tx).append("\" cy=\"");
                num(e, o.getCenterY() + ty).append("\" rx=\"");
                num(e, o.getWidth() / 2).append("\" ry=\"");
                num(e, o.getHeight() / 2).append('"');
            } else {
                e.append("<path d=\"");
                pathData(e, s, moveOnly ? t : null).append('"');
                if (!moveOnly) matrix(e, t);
            }
            e.append(" style=\"").append(style).append("\"/>\n");
        }

        /** A line segment: appended to the open path when it continues it in the same style and clip, else the start of one. */
        void line(String style, double x1, double y1, double x2, double y2) {
            String clip = clipId();
            if (lineStyle != null && style.equals(lineStyle) && java.util.Objects.equals(clip, lineClip) && x1 == lineX && y1 == lineY) {
                body.append(" L");
            } else {
                endLines();
                StringBuilder e = open();
                e.append("<path style=\"").append(style).append("\" d=\"M");
                num(e, x1).append(' ');
                num(e, y1).append(" L");
                lineStyle = style;
                lineClip = clip;
            }
            num(body, x2).append(' ');
            num(body, y2);
            lineX = x2;
            lineY = y2;
        }

        void endLines() {
            if (lineStyle == null) return;
            body.append("\"/>\n");
            lineStyle = null;
        }

        void text(String s, double x, double y) {
            if (!Double.isFinite(x) || !Double.isFinite(y)) return;
            endLines();
            StringBuilder e = open();
            AffineTransform t = st.transform;
            boolean moveOnly = isTranslation(t);
            e.append("<text x=\"");
            num(e, moveOnly ? x + t.getTranslateX() : x).append("\" y=\"");
            num(e, moveOnly ? y + t.getTranslateY() : y).append('"');
            if (!moveOnly) matrix(e, t);
            Font f = st.font;
            e.append(" style=\"");
            color(e, "fill", st.color);
            e.append("stroke:none;font-family:");
            e.append(Html.esc('"' + f.getFamily() + '"'));
            e.append(",sans-serif;font-size:");
            num(e, f.getSize2D()).append("px;");
            if (f.isBold()) e.append("font-weight:bold;");
            if (f.isItalic()) e.append("font-style:italic;");
            e.append("\">");
            e.append(Html.esc(s)).append("</text>\n");
        }

        void image(DrawImageCommand c) {
            endLines();
            Image img = c.getValue();
            BufferedImage b = new BufferedImage(c.getImageWidth(), c.getImageHeight(), BufferedImage.TYPE_INT_ARGB);
            java.awt.Graphics2D g = b.createGraphics();
            g.drawImage(img, 0, 0, null);
            g.dispose();
            StringBuilder e = open();
            e.append("<image x=\"");
            num(e, c.getX()).append("\" y=\"");
            num(e, c.getY()).append("\" width=\"");
            num(e, c.getWidth()).append("\" height=\"");
            num(e, c.getHeight()).append("\" preserveAspectRatio=\"none\"");
            matrix(e, st.transform);
            e.append(" href=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(Plot.png(b))).append("\"/>\n");
        }

        /** The body, positioned to take the next element: inside the group of the current clip. */
        StringBuilder open() {
            String clip = clipId();
            if (!java.util.Objects.equals(clip, openClip)) {
                closeClip();
                if (clip != null) body.append("<g clip-path=\"url(#").append(clip).append(")\">\n");
                openClip = clip;
            }
            return body;
        }

        void closeClip() {
            if (openClip != null) body.append("</g>\n");
            openClip = null;
        }

        /** The id of the current clip (one per distinct shape), or null. */
        String clipId() {
            if (st.clip == null) return null;
            if (st.clip != lastClip) { // states share a clip's shape until it is set again
                String d = pathData(new StringBuilder(), st.clip, null).toString();
                lastClipId = clipIds.computeIfAbsent(d, k -> prefix + "-clip" + clipIds.size());
                lastClip = st.clip;
            }
            return lastClipId;
        }

        boolean opaque() {
            return st.color.getAlpha() == 255 && st.alpha >= 1f;
        }

        String fillStyle() {
            StringBuilder s = new StringBuilder(48);
            color(s, "fill", st.color);
            return s.append("stroke:none;").toString();
        }

        String strokeStyle(BasicStroke k) {
            StringBuilder s = new StringBuilder(96).append("fill:none;");
            color(s, "stroke", st.color);
            if (k.getLineWidth() != 1f) num(s.append("stroke-width:"), k.getLineWidth()).append(';');
            if (k.getLineJoin() == BasicStroke.JOIN_MITER && k.getMiterLimit() != 4f) num(s.append("stroke-miterlimit:"), k.getMiterLimit()).append(';');
            if (k.getEndCap() == BasicStroke.CAP_ROUND) s.append("stroke-linecap:round;");
            else if (k.getEndCap() == BasicStroke.CAP_SQUARE) s.append("stroke-linecap:square;");
            if (k.getLineJoin() == BasicStroke.JOIN_ROUND) s.append("stroke-linejoin:round;");
            else if (k.getLineJoin() == BasicStroke.JOIN_BEVEL) s.append("stroke-linejoin:bevel;");
            float[] dash = k.getDashArray();
            if (dash != null && dash.length > 0) {
                s.append("stroke-dasharray:");
                for (int i = 0; i < dash.length; i++) num(i > 0 ? s.append(',') : s, dash[i]);
                s.append(';');
                if (k.getDashPhase() != 0f) num(s.append("stroke-dashoffset:"), k.getDashPhase()).append(';');
            }
            return s.toString();
        }

        /** {@code name:rgb(r,g,b);} and, for a colour or composite that is not opaque, {@code name-opacity:a;}. */
        void color(StringBuilder s, String name, Color c) {
            s.append(name).append(":rgb(").append(c.getRed()).append(',').append(c.getGreen()).append(',').append(c.getBlue()).append(");");
            double a = c.getAlpha() / 255.0 * st.alpha;
            if (a < 1) num(s.append(name).append("-opacity:"), a).append(';');
        }
    }

    static boolean isTranslation(AffineTransform t) {
        return t.getScaleX() == 1 && t.getScaleY() == 1 && t.getShearX() == 0 && t.getShearY() == 0;
    }

    /** Whether every coordinate of {@code s} is a finite number. */
    static boolean finite(Shape s) {
        double[] p = new double[6];
        for (PathIterator it = s.getPathIterator(null); !it.isDone(); it.next()) {
            int n = switch (it.currentSegment(p)) {
                case PathIterator.SEG_MOVETO, PathIterator.SEG_LINETO -> 2;
                case PathIterator.SEG_QUADTO -> 4;
                case PathIterator.SEG_CUBICTO -> 6;
                default -> 0;
            };
            for (int i = 0; i < n; i++) if (!Double.isFinite(p[i])) return false;
        }
        return true;
    }

    static void matrix(StringBuilder e, AffineTransform t) {
        if (t.isIdentity()) return;
        double[] m = new double[6];
        t.getMatrix(m);
        e.append(" transform=\"matrix(");
        for (int i = 0; i < 6; i++) num(i > 0 ? e.append(' ') : e, m[i]);
        e.append(")\"");
    }

    /** SVG path data of {@code s}, under {@code t} (null: as it is). */
    static StringBuilder pathData(StringBuilder e, Shape s, AffineTransform t) {
        double[] p = new double[6];
        boolean first = true;
        for (PathIterator it = s.getPathIterator(t); !it.isDone(); it.next()) {
            if (!first) e.append(' ');
            first = false;
            switch (it.currentSegment(p)) {
                case PathIterator.SEG_MOVETO -> points(e.append('M'), p, 1);
                case PathIterator.SEG_LINETO -> points(e.append('L'), p, 1);
                case PathIterator.SEG_QUADTO -> points(e.append('Q'), p, 2);
                case PathIterator.SEG_CUBICTO -> points(e.append('C'), p, 3);
                default -> e.append('Z');
            }
        }
        return e;
    }

    private static void points(StringBuilder e, double[] p, int n) {
        for (int i = 0; i < n; i++) {
            if (i > 0) e.append(' ');
            num(e, p[2 * i]).append(',');
            num(e, p[2 * i + 1]);
        }
    }

    /**
     * {@code v} with at most three decimals, without trailing zeros or a minus sign on zero (beyond
     * 10¹⁵ as Java prints a double); NaN and infinities as 0 (SVG has no word for them).
     */
    static StringBuilder num(StringBuilder e, double v) {
        if (!Double.isFinite(v)) return e.append('0');
        if (Math.abs(v) >= 1e15) return e.append(v); // beyond a long's thousandths; SVG reads exponents
        long m = Math.round(v * 1000);
        if (m == 0) return e.append('0');
        if (m < 0) {
            e.append('-');
            m = -m;
        }
        e.append(m / 1000);
        int frac = (int) (m % 1000);
        if (frac != 0) {
            e.append('.');
            if (frac < 100) e.append('0');
            if (frac < 10) e.append('0');
            while (frac % 10 == 0) frac /= 10;
            e.append(frac);
        }
        return e;
    }
}
