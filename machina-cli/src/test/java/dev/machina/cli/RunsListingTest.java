package dev.machina.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.cli.CliTest.Result;
import dev.machina.run.RunDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `runs list|show|compare` on hand-made run directories: names that tell runs apart, numbers people read. */
class RunsListingTest {
    @TempDir
    static Path root;

    static RunDirectory run(String id, double lr, double valAcc, String start) throws Exception {
        RunDirectory r = RunDirectory.createAt(root.resolve("digits-mlp").resolve(id), "digits-mlp");
        r.record().putObject("config").put("seed", 42).putObject("optimizer").put("name", "adam").put("lr", lr);
        r.record().put("status", "completed");
        r.record().put("start_time", start);
        r.saveRecord();
        r.appendMetrics(Map.of("type", "epoch", "epoch", 1, "val_accuracy", valAcc, "val_loss", 0.33987382171, "lr", 2.7e-6));
        return r;
    }

    @BeforeAll
    static void twoRunsAndASweep() throws Exception {
        run("20261202-071500", 1.8715056695544678E-4, 0.91, "2026-12-02T07:15:00Z");
        run("20261202-071500-1", 3.0e-3, 0.9512345, "2026-12-02T07:15:01Z");
        Path sweep = root.resolve("digits-sweep/20261202-080000");
        Files.createDirectories(sweep);
        Files.writeString(sweep.resolve("sweep.json"), "{}");
        RunDirectory.createAt(sweep.resolve("trials/000"), "digits-sweep").saveRecord();
    }

    @Test
    void compareShowsWhichRunIsWhichAndReadableNumbers() {
        Result r = CliTest.run("runs", "compare", "--runs", root.toString(), "digits-mlp/20261202-071500", "20261202-071500-1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("digits-mlp/20261202-071500 ", "digits-mlp/20261202-071500-1", "1.872e-04", "0.003", "0.3399", "0.9512")
                .doesNotContain("0.33987", "E-4", "20…");
        String[] lines = r.out().split("\n");
        assertThat(lines[0].length()).isEqualTo(lines[lines.length - 1].length()); // the header is as wide as the table
    }

    @Test
    void listFormatsNumbersKeepsColumnsAlignedAndShowsSweeps() {
        Result r = CliTest.run("runs", "list", root.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("1.872e-04", "0.003", "0.9512").doesNotContain("E-4", "0.9512345");
        String[] lines = r.out().split("\n");
        int lrEnd = lines[0].indexOf(" lr") + 3;
        assertThat(lines[1].charAt(lrEnd - 1)).isNotEqualTo(' ');
        assertThat(lines[2].charAt(lrEnd - 1)).isNotEqualTo(' ');
        assertThat(lines[1].charAt(lrEnd)).isEqualTo(' ');
        assertThat(r.out()).contains("sweeps", root.resolve("digits-sweep/20261202-080000").toString(), "1 trials");
    }

    @Test
    void showTakesARunIdOrAUniquePrefix() {
        Result byId = CliTest.run("runs", "show", "--runs", root.toString(), "20261202-071500-1");
        assertThat(byId.code()).as(byId.err()).isZero();
        assertThat(byId.out()).startsWith("digits-mlp/20261202-071500-1").contains("2.7e-06", "0.3399");
        Result byPrefix = CliTest.run("runs", "show", "--runs", root.toString(), "digits-mlp/20261202-071500-");
        assertThat(byPrefix.out()).startsWith("digits-mlp/20261202-071500-1");
        Result ambiguous = CliTest.run("runs", "show", "--runs", root.toString(), "2026");
        assertThat(ambiguous.code()).isEqualTo(2);
        assertThat(ambiguous.err()).contains("matches 2 runs").hasLineCount(1);
        Result none = CliTest.run("runs", "show", "--runs", root.toString(), "nothing");
        assertThat(none.code()).isEqualTo(2);
        assertThat(none.err()).contains("no run nothing");
    }

    @Test
    void aMistypedCommandGetsADidYouMean() {
        Result r = CliTest.run("trian", "examples/digits-mlp.yaml");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("did you mean 'train'?").hasLineCount(1);
    }
}
