package dev.machina.cli.tune;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bad sweep spec through the command: one located line on stderr, exit code 2, nothing created. */
class TuneCommandErrorTest {
    static final String BASE = """
            base:
              seed: 3
              data: {dataset: digits, validation: 0.1}
              model: [{linear: 32}, relu, {dropout: 0.1}, {linear: 10}]
              training: {epochs: 3, batch_size: 32}
            """;

    @Test
    void theCommandExitsWithCodeTwoAndOneLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, BASE + "space:\n  optimizer.lr: {loguniform: [0.0, 0.1]}\n");
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Main.execute(new String[] {"tune", f.toString(), "--runs", dir.resolve("runs").toString()}, new PrintWriter(o, true), new PrintWriter(e, true));
        assertThat(code).isEqualTo(2);
        assertThat(e.toString().strip().lines()).hasSize(1);
        assertThat(e.toString()).startsWith("machina: " + f + ":7:").contains("loguniform needs lo > 0");
        assertThat(dir.resolve("runs")).doesNotExist();
    }

    @Test
    void sparkWithoutTheSparkModuleSaysHowToGetIt(@TempDir Path dir) throws Exception {
        // machina-cli's class path has no machina-spark: the launcher adds it only when --spark is given
        Path f = dir.resolve("ok.yaml");
        Files.writeString(f, BASE + "space:\n  optimizer.lr: [0.001, 0.01]\n");
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Main.execute(new String[] {"tune", f.toString(), "--spark", "local[2]", "--runs", dir.resolve("runs").toString()},
                new PrintWriter(o, true), new PrintWriter(e, true));
        assertThat(code).isEqualTo(2);
        assertThat(e.toString().strip().lines()).hasSize(1);
        assertThat(e.toString()).startsWith("machina: --spark needs the machina-spark module").contains("./machina");
        assertThat(dir.resolve("runs")).doesNotExist();
    }
}
