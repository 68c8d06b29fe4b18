package dev.machina.experiment;

/**
 * An error in what the user gave: a spec, a file, a setting, an option. Its message is one line
 * that names the thing, where it is and what was expected; the command prints it without a stack
 * trace and exits with code 2. A line break inside the message (from a quoted value, say) is shown as
 * {@code \n} or {@code \r}, so the message stays one line whatever it quotes.
 */
public class UserError extends RuntimeException {
    public UserError(String message) {
        super(escapeLineBreaks(message));
    }

    public UserError(String message, Throwable cause) {
        super(escapeLineBreaks(message), cause);
    }

    private static String escapeLineBreaks(String message) {
        return message == null ? null : message.replace("\r", "\\r").replace("\n", "\\n");
    }

    /**
     * An error message as one line: a JSON parser's " at [Source: …]" tail is dropped, further
     * lines are joined with "; ", and a message over 400 characters is cut with an ellipsis.
     */
    public static String oneLine(String message) {
        if (message == null) return "(no message)";
        String m = message.replaceAll("(?s)\\s*\\n?\\s*at \\[Source: .*$", "");
        m = String.join("; ", m.strip().lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
        return m.length() <= 400 ? m : m.substring(0, 397) + "…";
    }
}
