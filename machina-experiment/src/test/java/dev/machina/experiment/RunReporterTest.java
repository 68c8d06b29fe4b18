package dev.machina.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReporterTest {
    @Test
    void aStaleRegistrationIsSkippedNotAnError(@TempDir Path dir) throws Exception {
        // a services file naming a class that is not there, as a jar built before the class moved holds
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve(RunReporter.class.getName()), "dev.machina.gone.OldReporter\n");
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader cl = new URLClassLoader(new URL[] {dir.toUri().toURL()}, before)) {
            Thread.currentThread().setContextClassLoader(cl);
            assertThat(RunReporter.find()).isEmpty();
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
    }
}
