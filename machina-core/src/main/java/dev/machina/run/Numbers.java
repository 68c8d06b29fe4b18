package dev.machina.run;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/**
 * Numbers as people read them, the same in every listing and report: integers as integers,
 * other values to 4 significant digits, and very small or large ones in scientific notation
 * with a two-digit exponent ({@code 2.7e-06}), so that right-aligned columns line up.
 */
public final class Numbers {
    private Numbers() {}

    /** {@code v} for reading: "—" when NaN. */
    public static String format(double v) {
        if (Double.isNaN(v)) return "—";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        double a = Math.abs(v);
        if (a == 0) return "0";
        if (a < 1e-3 || a >= 1e9) {
            String s = String.format(Locale.ROOT, "%.3e", v);
            int e = s.indexOf('e');
            return s.substring(0, e).replaceAll("\\.?0+$", "") + s.substring(e);
        }
        if (v == Math.rint(v) || a >= 1e4) return Long.toString(Math.round(v));
        return new BigDecimal(v).round(new MathContext(4)).stripTrailingZeros().toPlainString();
    }

    /** A value read as text (a setting): formatted as a number when it is one, else unchanged. */
    public static String format(String s) {
        if (s == null || s.isEmpty() || !s.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) return s;
        if (s.matches("[-+]?\\d+")) return s;
        return format(Double.parseDouble(s));
    }
}
