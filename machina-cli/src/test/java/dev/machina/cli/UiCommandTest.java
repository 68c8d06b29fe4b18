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
