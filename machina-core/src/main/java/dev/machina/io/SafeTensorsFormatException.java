package dev.machina.io;

import java.io.IOException;

/**
 * A safetensors file (or byte array) that breaks the format, or holds something Machina cannot
 * load. The message names the source, the tensor when one is at fault, and what was wrong.
 */
public final class SafeTensorsFormatException extends IOException {
    private final String source;
    private final String tensor;

    public SafeTensorsFormatException(String source, String tensor, String problem) {
        this(source, tensor, problem, null);
    }

    public SafeTensorsFormatException(String source, String tensor, String problem, Throwable cause) {
        super(source + ": " + (tensor == null ? "" : "tensor '" + tensor + "': ") + problem, cause);
        this.source = source;
        this.tensor = tensor;
    }

    /** The file path, or {@code <bytes>} for an in-memory buffer. */
    public String source() {
        return source;
    }

    /** The offending tensor's name, or null when the problem is not about one tensor. */
    public String tensor() {
        return tensor;
    }
}
