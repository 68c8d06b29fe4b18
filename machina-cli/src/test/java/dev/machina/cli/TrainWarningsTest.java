package dev.machina.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Specs that are valid but train badly get a warning naming the fix, before training. */
class TrainWarningsTest {
    static String[] train(Path dir, String spec) throws Exception {
        Path f = Files.writeString(dir.resolve("s.yaml"), spec);
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Main.execute(new String[] {"train", f.toString(), "--runs", dir.resolve("runs").toString(), "--progress", "none", "--no-report"},
                new PrintWriter(o, true), new PrintWriter(e, true));
        return new String[] {String.valueOf(code), o.toString(), e.toString()};
    }

    @Test
    void aSoftmaxBeforeCrossEntropyIsNamedWithItsFix(@TempDir Path dir) throws Exception {
        String[] r = train(dir, "data: digits\nmodel:\n  - linear: 10\n  - softmax\ntraining: {epochs: 1}\n");
        assertThat(r[0]).isEqualTo("0");
        assertThat(r[2]).contains("machina: warning: ").contains("s.yaml:4:").contains("the model ends with softmax, but cross_entropy takes logits")
                .contains("remove this layer");
        assertThat(train(dir, "data: digits\nmodel: [{linear: 10}]\ntraining: {epochs: 1}\n")[2]).doesNotContain("warning");
    }

    @Test
    void theModelSummaryIsPrintedAtTheStartAndShownByRunsShow(@TempDir Path dir) throws Exception {
        String[] r = train(dir, "data: digits\nmodel: [{linear: 32}, relu, {linear: 10}]\ntraining: {epochs: 1}\n");
        assertThat(r[1]).contains("output shape").contains("(batch, 32)").contains("total parameters 2,410 (trainable 2,410)");
        Path run;
        try (var names = Files.list(dir.resolve("runs"))) {
            try (var ids = Files.list(names.findFirst().orElseThrow())) {
                run = ids.findFirst().orElseThrow();
            }
        }
        StringWriter o = new StringWriter(), e = new StringWriter();
        assertThat(Main.execute(new String[] {"runs", "show", run.toString()}, new PrintWriter(o, true), new PrintWriter(e, true))).isZero();
        assertThat(o.toString()).contains("model:").contains("(batch, 10)").contains("total parameters 2,410");
    }

    @Test
    void aModelTooLargeForTheHeapIsRefusedBeforeTrainingWithTheEstimateAndTheHeapToGive(@TempDir Path dir) throws Exception {
        // 64 inputs × 30,000,000 outputs: 7.2 GiB of weights alone, more than the test JVM's heap
        String[] r = train(dir, "data: digits\nmodel: [{linear: 30000000}, {linear: 10}]\ntraining: {epochs: 1}\n");
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[2].strip()).doesNotContain("\n").startsWith("machina: training this spec needs about ").contains("GiB of heap (parameters 8.4 GiB")
                .containsPattern("MACHINA_JAVA_OPTS=-Xmx\\d+g \\./machina train").doesNotContain("\tat ");
        assertThat(dir.resolve("runs")).as("refused before a run directory is made").doesNotExist();
    }

    @Test
    void trainingDataOfOneClassIsNamed(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 40; i++) csv.append(i).append(',').append(i % 7).append(",cat\n");
        Path data = Files.writeString(dir.resolve("one.csv"), csv.toString());
        String[] r = train(dir, "data: {dataset: csv, path: " + data + ", label: label}\nmodel: [{linear: auto}]\ntraining: {epochs: 1}\n");
        assertThat(r[2]).contains("machina: warning: the training data has a single class (cat)");
    }
}
