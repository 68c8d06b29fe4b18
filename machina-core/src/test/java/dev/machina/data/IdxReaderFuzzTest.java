package dev.machina.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzzes {@link IdxReader#read(Path)} (plain and gzip-compressed IDX): any bytes either read or are
 * a {@link DataFormatException}; anything else (an NPE, a negative array size, an
 * OutOfMemoryError from a few bytes that declare huge dimensions, a hang) is a finding. The
 * reader takes a file, so each input is written to one temporary file first. In
 * {@code ./machina test} this replays the seed corpus under {@code IdxReaderFuzzTestInputs/read}.
 */
class IdxReaderFuzzTest {
    private static Path file;

    @FuzzTest(maxDuration = "2m")
    void read(byte[] input) throws IOException {
        if (file == null) {
            file = Files.createTempFile("machina-fuzz", ".idx");
            file.toFile().deleteOnExit();
        }
        Files.write(file, input);
        try {
            IdxReader.read(file);
        } catch (DataFormatException e) {
            FuzzContract.checkMessage(e);
        } catch (UncheckedIOException e) {
            throw new AssertionError("an I/O error from a readable temporary file", e);
        }
    }
}
