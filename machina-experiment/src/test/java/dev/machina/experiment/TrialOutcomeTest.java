package dev.machina.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A trial's run directory as a zip and back: every file and directory, nothing outside the target. */
class TrialOutcomeTest {
    @Test
    void packAndUnpackKeepEveryFileAndEmptyDirectory(@TempDir Path tmp) throws IOException {
        Path run = Files.createDirectories(tmp.resolve("a/003"));
        Files.writeString(run.resolve("run.json"), "{\"status\":\"completed\"}");
        Files.write(Files.createDirectories(run.resolve("plots")).resolve("w.bin"), new byte[] {0, 1, 2, (byte) 255});
        Files.createDirectories(run.resolve("checkpoints"));
        TrialOutcome o = new TrialOutcome(3, true, "done", "", new double[] {0.5, Double.NaN}, 9, 1.5, TrialOutcome.pack(run));
        Path back = tmp.resolve("b/x/003");
        o.unpack(back);
        assertThat(Files.readString(back.resolve("run.json"))).isEqualTo("{\"status\":\"completed\"}");
        assertThat(Files.readAllBytes(back.resolve("plots/w.bin"))).containsExactly(0, 1, 2, 255);
        assertThat(back.resolve("checkpoints")).isEmptyDirectory();
        assertThat(o.valueList()).containsExactly(0.5, Double.NaN);
        assertThatThrownBy(() -> o.unpack(back)).isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    }

    @Test
    void anEntryLeavingTheDirectoryIsRefused(@TempDir Path tmp) throws IOException {
        for (String bad : new String[] {"../evil.txt", "/abs.txt", "a/../../evil.txt"}) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            try (ZipOutputStream z = new ZipOutputStream(b)) {
                z.putNextEntry(new ZipEntry(bad));
                z.write(1);
                z.closeEntry();
            }
            TrialOutcome o = new TrialOutcome(1, true, "done", "", new double[0], 1, 0, b.toByteArray());
            Path into = tmp.resolve("t-" + Math.abs(bad.hashCode()));
            assertThatThrownBy(() -> o.unpack(into)).isInstanceOf(IOException.class).hasMessageContaining("refusing archive entry '" + bad + "'");
        }
        assertThat(tmp.resolve("evil.txt")).doesNotExist();
    }
}
