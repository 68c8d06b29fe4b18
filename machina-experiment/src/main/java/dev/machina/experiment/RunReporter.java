package dev.machina.experiment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Writes a finished run's plots and {@code report.html}. The experiment layer draws nothing
 * itself; the command-line module provides the implementation (registered with {@link
 * ServiceLoader}), so a program with {@code machina-cli} on its class path gets the same report
 * as {@code machina train}, and one without it gets every other file of the run.
 */
public interface RunReporter {
    /** Writes the report of the run in {@code runDir}; returns the report file. */
    Path write(Path runDir) throws IOException;

    /**
     * Gets ready to write a report soon, writing nothing: {@link SpecRunner} calls it on a
     * background thread while the model trains, so that the one-time costs of drawing (loading
     * the chart and font code, its first compilation) overlap training instead of following it.
     * The default does nothing.
     */
    default void prepare() {}

    /** The reporter on the class path, if any. */
    static Optional<RunReporter> find() {
        return ServiceLoader.load(RunReporter.class).findFirst();
    }
}
