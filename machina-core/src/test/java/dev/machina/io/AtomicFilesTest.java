package dev.machina.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<String> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesAndReplaces() throws IOException {
        Path f = dir.resolve("a.bin");
        AtomicFiles.write(f, new byte[] {1, 2, 3});
        assertThat(Files.readAllBytes(f)).containsExactly(1, 2, 3);
        AtomicFiles.writeString(f, "héllo");
        assertThat(Files.readString(f, StandardCharsets.UTF_8)).isEqualTo("héllo");
        AtomicFiles.write(f, out -> {
            for (int i = 0; i < 100_000; i++) out.write(i & 0x7f);
        });
        byte[] got = Files.readAllBytes(f);
        assertThat(got).hasSize(100_000);
        assertThat(got[99_999]).isEqualTo((byte) (99_999 & 0x7f));
        assertThat(listing()).containsExactly("a.bin"); // no temporary file left behind
    }

    @Test
    void createsMissingParentDirectories() throws IOException {
        Path f = dir.resolve("x/y/z.txt");
        AtomicFiles.writeString(f, "ok");
        assertThat(Files.readString(f)).isEqualTo("ok");
    }

    @Test
    void failedWriteLeavesPreviousFileAndNoTemp() throws IOException {
        Path f = dir.resolve("ckpt.bin");
        AtomicFiles.writeString(f, "previous");
        IOException boom = new IOException("disk full (simulated)");
        assertThatThrownBy(() -> AtomicFiles.write(f, out -> {
            out.write("half-written".getBytes(StandardCharsets.UTF_8));
            throw boom;
        })).isSameAs(boom);
        assertThat(Files.readString(f)).isEqualTo("previous");
        assertThat(listing()).containsExactly("ckpt.bin");

        assertThatThrownBy(() -> AtomicFiles.write(f, out -> {
            out.write(1);
            throw new IllegalStateException("bug in the writer");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(Files.readString(f)).isEqualTo("previous");
        assertThat(listing()).containsExactly("ckpt.bin");
    }

    @Test
    void failedFirstWriteCreatesNothing() {
        Path f = dir.resolve("new.bin");
        assertThatThrownBy(() -> AtomicFiles.write(f, out -> {
            throw new IOException("nope");
        })).hasMessage("nope");
        assertThat(f).doesNotExist();
        assertThat(dir.toFile().list()).isEmpty();
    }

    @Test
    void callbackClosingTheStreamIsHarmless() throws IOException {
        Path f = dir.resolve("c.txt");
        AtomicFiles.write(f, out -> {
            out.write('x');
            out.close();
        });
        assertThat(Files.readString(f)).isEqualTo("x");
    }

    @Test
    void refusesToReplaceADirectory() throws IOException {
        Path d = Files.createDirectory(dir.resolve("sub"));
        Files.writeString(d.resolve("keep.txt"), "keep");
        assertThatThrownBy(() -> AtomicFiles.writeString(d, "x")).isInstanceOf(IOException.class).hasMessageContaining("is a directory");
        assertThat(Files.readString(d.resolve("keep.txt"))).isEqualTo("keep");
        assertThat(listing()).containsExactly("sub");
    }

    @Test
    void resultHasTheSamePermissionsAsAPlainWrite() throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
        if (view == null) return; // not a POSIX file system: nothing to compare
        Path plain = Files.writeString(dir.resolve("plain.txt"), "p");
        Path atomic = dir.resolve("atomic.txt");
        AtomicFiles.writeString(atomic, "a");
        assertThat(Files.getPosixFilePermissions(atomic)).isEqualTo(Files.getPosixFilePermissions(plain));
    }

    @Test
    void appendLineWritesJsonLines() throws IOException {
        Path log = dir.resolve("logs/metrics.jsonl");
        AtomicFiles.appendLine(log, "{\"step\":1}", false);
        AtomicFiles.appendLine(log, "{\"step\":2}", true);
        assertThat(Files.readAllLines(log)).containsExactly("{\"step\":1}", "{\"step\":2}");
        assertThat(Files.readString(log)).endsWith("}\n");
        assertThatThrownBy(() -> AtomicFiles.appendLine(log, "a\nb", false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line break");
        assertThat(Files.readAllLines(log)).hasSize(2);
    }

    @Test
    void onAFullDiskAWriteFailsAndLeavesTheOldFileButAnOverwriteInPlaceThatFitsSucceeds() throws IOException {
        FullDisk disk = FullDisk.of(dir);
        Path f = disk.root().resolve("run.json");
        AtomicFiles.writeString(f, "{ \"status\" : \"running\" }\n");
        disk.free(0);
        assertThatThrownBy(() -> AtomicFiles.writeString(f, "{ \"status\" : \"failed\" }\n"))
                .hasMessageContaining("No space left on device");
        assertThatThrownBy(() -> AtomicFiles.appendLine(disk.root().resolve("log.txt"), "a line", false))
                .hasMessageContaining("No space left on device");
        assertThat(Files.readString(dir.resolve("run.json"))).isEqualTo("{ \"status\" : \"running\" }\n");
        AtomicFiles.overwriteInPlace(f, "{\"status\":\"failed\"}\n".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readString(dir.resolve("run.json"))).isEqualTo("{\"status\":\"failed\"}\n");
        assertThat(listing()).containsExactly("log.txt", "run.json"); // the failed write's temporary file is gone
    }

    @Test
    void anOverwriteInPlaceThatDoesNotFitOnAFullDiskPutsTheOldContentBack() throws IOException {
        FullDisk disk = FullDisk.of(dir);
        Path f = disk.root().resolve("a.json");
        AtomicFiles.writeString(f, "{\"a\":1}\n");
        disk.free(3);
        assertThatThrownBy(() -> AtomicFiles.overwriteInPlace(f, "{\"a\":1,\"b\":2}\n".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("No space left on device");
        assertThat(Files.readString(dir.resolve("a.json"))).as("the 3 bytes that fitted are undone").isEqualTo("{\"a\":1}\n");
        AtomicFiles.overwriteInPlace(f, "{\"a\":12}\n".getBytes(StandardCharsets.UTF_8)); // one byte more: fits in the 3 free
        assertThat(Files.readString(dir.resolve("a.json"))).isEqualTo("{\"a\":12}\n");
        assertThat(listing()).containsExactly("a.json");
    }
}
