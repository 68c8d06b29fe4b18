package dev.machina.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors are printed as one line, whatever the message they come from. */
class ErrorLineTest {
    @Test
    void multiLineMessagesBecomeOneLine() throws Exception {
        String jackson;
        try {
            new ObjectMapper().readTree("{\"a\": tru}");
            throw new AssertionError("expected a JSON error");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            jackson = e.getMessage();
        }
        assertThat(jackson).contains("\n").contains("[Source:");
        assertThat(dev.machina.experiment.UserError.oneLine(jackson)).doesNotContain("\n").doesNotContain("[Source:").contains("tru");
        assertThat(dev.machina.experiment.UserError.oneLine("state dict mismatch:\n  missing: 0.weight\n  unexpected: 1.bias\n"))
                .isEqualTo("state dict mismatch:; missing: 0.weight; unexpected: 1.bias");
        assertThat(dev.machina.experiment.UserError.oneLine("x".repeat(5000))).hasSize(398).endsWith("…");
        assertThat(dev.machina.experiment.UserError.oneLine(null)).isEqualTo("(no message)");
    }

    @Test
    void aHugeSpecValueIsCutInTheError(@TempDir Path dir) throws Exception {
        Path spec = Files.writeString(dir.resolve("s.yaml"), "data: digits\nmodel: [{linear: 10}]\noptimizer: " + "z".repeat(100_000) + "\n");
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(new String[] {"train", spec.toString(), "--runs", dir.resolve("runs").toString()}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString().strip()).doesNotContain("\n").contains("…").hasSizeLessThan(400);
    }
}
