package dev.machina.experiment;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fuzzes the spec reader, YAML text to a validated {@link Experiment} or {@link SweepSpec}: any
 * text either parses or is a {@link UserError} whose message is one non-blank line; anything else
 * (an NPE, a Jackson exception leaking out, a stack overflow from deep nesting, a hang) is a
 * finding. Inputs are UTF-8 bytes, so the seed corpus under {@code SpecFuzzTestInputs/<method>}
 * is plain YAML files. A sweep's {@code base:} resolves against an empty temporary directory.
 */
class SpecFuzzTest {
    private static Path dir;

    @FuzzTest(maxDuration = "2m")
    void experiment(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        try {
            Experiment.parse("fuzz.yaml", text, List.of());
        } catch (UserError e) {
            checkOneLine(e);
        }
    }

    @FuzzTest(maxDuration = "2m")
    void sweep(byte[] input) throws IOException {
        if (dir == null) {
            dir = Files.createTempDirectory("machina-fuzz");
            dir.toFile().deleteOnExit();
        }
        String text = new String(input, StandardCharsets.UTF_8);
        try {
            SweepSpec.parse("fuzz-sweep.yaml", text, dir, List.of());
        } catch (UserError e) {
            checkOneLine(e);
        }
    }

    private static void checkOneLine(UserError e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) throw new AssertionError("rejected without a message", e);
        if (m.contains("\n") || m.contains("\r")) throw new AssertionError("message of more than one line: " + m, e);
    }
}
