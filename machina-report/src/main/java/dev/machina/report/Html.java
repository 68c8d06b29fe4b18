package dev.machina.report;

/** HTML (and XML) text escaping: everything that came from a file goes through {@link #esc}. */
final class Html {
    private Html() {}

    /** Escapes text for element content and double- or single-quoted attribute values. */
    static String esc(Object o) {
        String s = String.valueOf(o);
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> {
                    // control characters other than tab/newline are not allowed in HTML text, nor they and U+FFFE/U+FFFF in XML (the SVG figures)
                    if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c >= 0xFFFE) sb.append('\uFFFD');
                    else sb.append(c);
                }
            }
        }
        return sb.toString();
    }
}
