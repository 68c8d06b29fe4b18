package dev.machina.experiment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Writes a finished run's plots and {@code report.html}. The experiment layer draws nothing
 * itself; the command-line module provides the implementation (registered with {@link
 * ServiceLoader}: machina-report's {@code HtmlRunReporter}), so a program with machina-report on
 * its class path gets the same report as {@code machina train}, and one without it gets every
 * other file of the run.
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

    /**
     * The reporter on the class path, if any. A registration whose class is missing (a stale
     * {@code META-INF/services} entry, e.g. in a jar built before a class moved) is skipped, not
     * an error that would end the run.
     */
    static Optional<RunReporter> find() {
        Iterator<RunReporter> it = ServiceLoader.load(RunReporter.class).iterator();
        while (true) {
            try {
                if (!it.hasNext()) return Optional.empty();
                return Optional.of(it.next());
            } catch (ServiceConfigurationError stale) {
                // the next registration may still be good
            }
        }
    }
}
