package dev.machina.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `machina ui`'s bad inputs (serving itself is machina-ui's tests'; the command blocks until Ctrl-C). */
class UiCommandTest {
    @TempDir
    Path tmp;

    @Test
    void listeningBeyondThisMachineIsWarnedAbout() {
        java.nio.file.Path runs = java.nio.file.Path.of("runs");
        assertThat(UiCommand.exposure("0.0.0.0", 8765, runs)).startsWith("machina: warning: listening on 0.0.0.0")
                .contains("anyone who can reach this machine on port 8765 can read every run under runs");
        for (String local : new String[] {"127.0.0.1", "localhost", "::1"}) assertThat(UiCommand.exposure(local, 8765, runs)).isNull();
    }

    @Test
    void aMissingRunsDirectoryIsAUsageError() {
        CliTest.Result r = CliTest.run("ui", "--runs", tmp.resolve("nothing-here").toString(), "--port", "0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("nothing-here is not a directory", "./machina train");
    }

    @Test
    void aPortOutOfRangeIsAUsageError() {
        CliTest.Result r = CliTest.run("ui", "--runs", tmp.toString(), "--port", "70000");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--port must be between 0 and 65535");
    }

    @Test
    void helpNamesTheOptions() {
        CliTest.Result r = CliTest.run("ui", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--runs", "--port", "--host", "0.0.0.0");
    }
}
