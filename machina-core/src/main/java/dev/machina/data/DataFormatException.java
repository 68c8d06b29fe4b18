package dev.machina.data;

import java.nio.file.Path;

/**
 * A data file (IDX, CSV) that cannot be read as the format says: wrong magic number, truncated
 * payload, ragged row, a cell that is not a number. The message names the file, where in it
 * (line, column or byte offset) and what was expected, so it can be printed as one line.
 */
public class DataFormatException extends RuntimeException {
    private final String source;

    /** @param source the file (or other source name) that is wrong; {@code detail} says how */
    public DataFormatException(String source, String detail) {
        super(source + ": " + detail);
        this.source = source;
    }

    public DataFormatException(String source, String detail, Throwable cause) {
        super(source + ": " + detail, cause);
        this.source = source;
    }

    public DataFormatException(Path file, String detail) {
        this(String.valueOf(file), detail);
    }

    public DataFormatException(Path file, String detail, Throwable cause) {
        this(String.valueOf(file), detail, cause);
    }

    /** The file or source the error is about. */
    public String source() {
        return source;
    }
}
