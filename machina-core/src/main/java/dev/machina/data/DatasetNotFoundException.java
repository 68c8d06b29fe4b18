package dev.machina.data;

import java.nio.file.Path;
import java.util.List;

/**
 * A named dataset whose files are not on this machine. The message is one line: the name,
 * every place that was searched, and how to get the data.
 */
public class DatasetNotFoundException extends RuntimeException {
    private final String name;
    private final List<Path> searched;

    public DatasetNotFoundException(String name, List<Path> searched, String howToGet) {
        super("dataset '" + name + "' not found; looked in " + searched + "; get it with " + howToGet);
        this.name = name;
        this.searched = List.copyOf(searched);
    }

    public String name() {
        return name;
    }

    /** The directories searched, in order. */
    public List<Path> searched() {
        return searched;
    }
}
