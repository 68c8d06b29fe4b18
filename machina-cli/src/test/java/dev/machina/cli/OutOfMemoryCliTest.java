package dev.machina.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real OutOfMemoryError, in a process with a small heap: a model that trains in 48 MiB but
 * whose test evaluation (all the test examples at once through a 20,000-wide layer, 72 MB) does
 * not fit. One line, no stack trace, exit 1, and the run is evaluated again with more heap.
 */
class OutOfMemoryCliTest {
    static final String SPEC = """
            name: wide
            seed: 1
            data: {dataset: digits, test: 0.5, validation: 0}
            model: [{linear: 20000}, relu, {linear: 10}]
            optimizer: {name: sgd, lr: 0.01}
            training: {epochs: 1, batch_size: 16}
            """;

    /** The command in a JVM of {@code heapMiB}, without the memory check (which refuses this spec): its exit code and output. */
    static String[] run(Path dir, int heapMiB, String... args) throws Exception {
        return run(dir, heapMiB, false, args);
    }

    /**
     * The command in a JVM of {@code heapMiB} with the launcher's collector settings (./machina: the
     * parallel collector, a 64 MiB young generation), which MemoryEstimate's room for the collector is
     * measured with; output to a file, and a child that does not end in 180 s (one thrashing near a
     * full heap on a loaded machine) is killed and fails the test.
     */
    static String[] run(Path dir, int heapMiB, boolean check, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules",
                "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmn64m", "-Xss4m", "-Xmx" + heapMiB + "m", "-Dmachina.memory.check=" + check,
                "-cp", System.getProperty("java.class.path"), "dev.machina.cli.Main"));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "out", ".txt");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = p.waitFor(180, TimeUnit.SECONDS);
        if (!ended) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(ended).as("still running after 180 s in " + heapMiB + " MiB: " + out).isTrue();
        return new String[] {String.valueOf(p.exitValue()), out};
    }

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void runningOutInTheTestEvaluationIsOneLineAndTheRunIsEvaluatedAgainWithMoreHeap(@TempDir Path tmp) throws Exception {
        Path spec = Files.writeString(tmp.resolve("wide.yaml"), SPEC);
        String[] r = run(tmp, 48, "train", spec.toString(), "--no-report", "--progress", "none", "--threads", "1");
        String out = r[1];
        assertThat(r[0]).as(out).isEqualTo("1");
        assertThat(out).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("java.lang.OutOfMemoryError")
                .doesNotContain("failed")
                .containsPattern("machina: out of memory while evaluating the test split after training \\(901 examples, 901 at a time\\): "
                        + "the JVM's maximum heap is \\d+ MiB; the trained model is saved \\(model.safetensors\\): evaluate it with more heap "
                        + "\\(MACHINA_JAVA_OPTS=-Xmx256m ./machina train --resume \\S+\\) or a smaller evaluation batch "
                        + "\\(./machina train --resume \\S+ --set training.eval_batch_size=225\\)\n");
        Path runDir;
        try (Stream<Path> s = Files.list(tmp.resolve("runs/wide"))) {
            runDir = s.findFirst().orElseThrow();
        }
        JsonNode rec = new ObjectMapper().readTree(runDir.resolve("run.json").toFile());
        assertThat(rec.get("status").asText()).isEqualTo("completed");
        assertThat(rec.get("test_error").asText()).startsWith("out of memory while evaluating the test split");
        assertThat(runDir.resolve("model.safetensors")).exists();
        assertThat(runDir.resolve("test-results.json")).doesNotExist();

        // `eval` in the same heap runs out too: the command's own line
        String[] e = run(tmp, 48, "eval", runDir.toString());
        assertThat(e[0]).as(e[1]).isEqualTo("1");
        assertThat(e[1]).doesNotContain("\tat ").contains("machina: out of memory while running machina eval: the JVM's maximum heap is ")
                .contains("give it more with MACHINA_JAVA_OPTS=-Xmx256m ./machina eval …");

        // evaluated again in the same heap with the memory check on: the training estimate (which refuses this heap) does not apply,
        // the evaluation's own line does
        String[] checked = run(tmp, 48, true, "train", "--resume", runDir.toString(), "--no-report", "--progress", "none", "--threads", "1");
        assertThat(checked[0]).as(checked[1]).isEqualTo("1");
        assertThat(checked[1]).doesNotContain("training this spec needs").doesNotContain("\tat ")
                .contains("machina: out of memory while evaluating the test split");
        String[] refused = run(tmp, 48, true, "train", spec.toString(), "--no-report", "--progress", "none", "--threads", "1");
        assertThat(refused[1]).as("the same heap is refused for training").contains("machina: training this spec needs about ");

        // what the line says to do, with this test JVM's heap: the run trains no more and is evaluated
        StringWriter o = new StringWriter(), err = new StringWriter();
        int code = Main.execute(new String[] {"train", "--resume", runDir.toString(), "--no-report", "--progress", "none"},
                new PrintWriter(o, true), new PrintWriter(err, true));
        assertThat(code).as(o + "" + err).isZero();
        assertThat(o.toString()).contains("machina: test accuracy ");
        assertThat(runDir.resolve("test-results.json")).exists();
        assertThat(new ObjectMapper().readTree(runDir.resolve("run.json").toFile()).has("test_error")).isFalse();
    }

    /**
     * An LSTM reading 1,024-wide embeddings, evaluated 1,000 sequences at a time: its time loop copies
     * every step's input into its workspace, which doubles the evaluation's peak. In 250 MiB, with the
     * check off, training ends and the test evaluation runs out of memory; with the check on, that
     * heap is refused before training; and the smallest heap the estimate accepts (found to 4 MiB:
     * the heap the JVM reports is a little less than -Xmx) trains and evaluates it.
     */
    @Test
    @Timeout(value = 900, unit = TimeUnit.SECONDS)
    void aHeapTheEstimateAcceptsDoesNotRunOutInTheTestEvaluation(@TempDir Path tmp) throws Exception {
        java.util.Random rnd = new java.util.Random(1);
        String[] words = "the quick brown fox jumps over a lazy dog and then some more words follow here".split(" ");
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 40000; i++) text.append(words[rnd.nextInt(words.length)]).append(' ');
        Files.writeString(tmp.resolve("text.txt"), text);
        String specText = """
                name: wide-lstm
                seed: 1
                data: {dataset: text, path: text.txt, seq_len: 32}
                model: [{embedding: 1024}, {lstm: 4}, {linear: auto}]
                training: {epochs: 1, batch_size: 4}
                """;
        Path spec = Files.writeString(tmp.resolve("wide.yaml"), specText);
        String[] ranOut = run(tmp, 250, false, "train", spec.toString(), "--no-report", "--progress", "none", "--name", "unchecked");
        assertThat(ranOut[0]).as(ranOut[1]).isEqualTo("1");
        assertThat(ranOut[1]).contains("machina: out of memory while evaluating the test split after training");
        String[] refused = run(tmp, 250, true, "train", spec.toString(), "--no-report", "--progress", "none");
        assertThat(refused[0]).as(refused[1]).isEqualTo("2");
        assertThat(refused[1]).contains("machina: training this spec needs about ").doesNotContain("out of memory");

        var e = dev.machina.experiment.Experiment.parse(spec.toString(), specText.replace("text.txt", tmp.resolve("text.txt").toString()), List.of());
        long estimate = dev.machina.experiment.MemoryEstimate.of(e, dev.machina.experiment.Prepared.of(e)).orElseThrow().total();
        // 90% of the JVM's maximum heap less 48 MiB (the collector's room) holds the estimate: the smallest -Xmx that could, then up in steps of 4 MiB
        int heap = (int) Math.ceil((estimate + (48 << 20)) / 0.9 / (1 << 20));
        int refusals = 0;
        String[] ran;
        while ((ran = run(tmp, heap, true, "train", spec.toString(), "--no-report", "--progress", "none"))[0].equals("2")) {
            assertThat(ran[1]).contains("machina: training this spec needs about ");
            assertThat(++refusals).as(heap + " MiB still refused").isLessThan(8);
            heap += 4;
        }
        assertThat(refusals).as("the heap below the first accepted one is refused").isPositive();
        assertThat(ran[0]).as(heap + " MiB: " + ran[1]).isEqualTo("0");
        assertThat(ran[1]).contains("machina: test loss ");
    }
}
