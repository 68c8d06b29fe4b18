package dev.machina.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.report.SyntheticRun;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {
    @TempDir
    Path tmp;

    @Test
    void aDirectoryThatIsNotARunExitsWith2AndOneLine() throws Exception {
        Path notARun = Files.createDirectories(tmp.resolve("holiday-photos"));
        StringWriter out = new StringWriter(), err = new StringWriter();

        int code = Main.execute(new String[] {"report", notARun.toString()}, new PrintWriter(out, true), new PrintWriter(err, true));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString().strip()).startsWith("machina: ").contains("holiday-photos", "is not a run directory").doesNotContain("\n", "Exception");
        assertThat(notARun.resolve("report.html")).doesNotExist();
    }

    @Test
    void aMissingDirectoryExitsWith2() {
        StringWriter err = new StringWriter();
        int code = Main.execute(new String[] {"report", tmp.resolve("nowhere").toString()}, new PrintWriter(new StringWriter()), new PrintWriter(err, true));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("nowhere", "does not exist");
    }

    @Test
    void writesTheReportAndSaysWhere() throws Exception {
        SyntheticRun run = SyntheticRun.create(tmp.resolve("r"), "cli-run", List.of("a", "b", "c", "d"), 4);
        StringWriter out = new StringWriter(), err = new StringWriter();

        int code = Main.execute(new String[] {"report", run.dir.toString()}, new PrintWriter(out, true), new PrintWriter(err, true));

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains(run.dir.resolve("report.html").toAbsolutePath().toString(), "7 plots (PNG and SVG)");
        assertThat(run.dir.resolve("report.html")).isNotEmptyFile();
    }
}
