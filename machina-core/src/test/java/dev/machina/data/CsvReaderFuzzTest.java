package dev.machina.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Fuzzes {@link CsvReader#read(String, String)}: any text either reads or is a
 * {@link DataFormatException}; anything else (NPE, index out of bounds, a hang) is a finding. The
 * first byte picks the reader's options (bit 0: header auto-detected or given, bits 1-2: the
 * delimiter, bit 3: '#' comments, bits 4-5: rows to skip); the rest is the CSV text. In
 * {@code ./machina test} this replays the seed corpus under {@code CsvReaderFuzzTestInputs/read};
 * docs/FUZZING.md says how to fuzz it.
 */
class CsvReaderFuzzTest {
    private static final char[] DELIMITERS = {',', ';', '\t', '|'};

    @FuzzTest(maxDuration = "2m")
    void read(byte[] input) {
        if (input.length == 0) return;
        int opts = input[0] & 0xFF;
        String text = new String(Arrays.copyOfRange(input, 1, input.length), StandardCharsets.UTF_8);
        CsvReader.Builder b = CsvReader.builder();
        b = (opts & 1) == 0 ? b.headerAuto() : b.header(true);
        b = b.delimiter(DELIMITERS[(opts >> 1) & 3]).skipRows((opts >> 4) & 3);
        if ((opts & 8) != 0) b = b.comment('#');
        try {
            b.build().read(text, "fuzz.csv");
        } catch (DataFormatException e) {
            FuzzContract.checkMessage(e);
        }
    }
}
