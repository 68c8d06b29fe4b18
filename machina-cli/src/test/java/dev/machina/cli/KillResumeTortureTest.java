package dev.machina.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.machina.io.SafeTensors;
import dev.machina.tensor.Tensor;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run killed with SIGKILL at random moments, eight times, and resumed each time with
 * {@code --resume}, ends with the weights of an uninterrupted run, bit for bit, and the same
 * metrics.jsonl and history.csv apart from timings. The kills fall right after an epoch line
 * (while the run's records and the checkpoint are being written) or after a random delay, drawn
 * in proportion to this machine's epoch time (starting up, resuming, in the middle of an epoch). The randomness is seeded and the seed
 * printed; {@code -Dmachina.torture.seed=N} replays a sequence.
 */
class KillResumeTortureTest {
    private static final int KILLS = 8, EPOCHS = 40;
    private static final String SPEC = """
            name: torture
            seed: 11
            data: {dataset: digits, validation: 0.1}
            model: [{linear: 24}, relu, {dropout: 0.2}, {linear: 10}]
            optimizer: {name: adam, lr: 3.0e-3}
            schedule: {name: cosine}
            training: {epochs: %d, batch_size: 32, log_every: 10}
            """.formatted(EPOCHS);
    private static final List<String> TIMINGS = List.of("epoch_time_s", "samples_per_s");

    @Test
    void eightKillsAndResumesGiveTheUninterruptedRunsWeightsAndRecords(@TempDir Path tmp) throws Exception {
        long seed = Long.getLong("machina.torture.seed", System.nanoTime());
        System.out.println("KillResumeTortureTest seed " + seed + " (replay with -Dmachina.torture.seed=" + seed + ")");
        Random rnd = new Random(seed);
        Path spec = Files.writeString(tmp.resolve("s.yaml"), SPEC);

        StringWriter err = new StringWriter();
        int code = Main.execute(new String[] {"train", spec.toString(), "--runs", tmp.resolve("whole").toString(), "--no-report", "--progress", "none"},
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
        assertThat(code).as(err.toString()).isZero();
        Path whole = onlyRun(tmp.resolve("whole/torture"));
        // random delays are drawn in proportion to how long an epoch takes on this machine, so that
        // a fast machine does not finish the run before the kills, nor a slow one kill only start-ups
        ObjectMapper json = new ObjectMapper();
        double epochMs = 5;
        for (String line : Files.readAllLines(whole.resolve("metrics.jsonl"))) {
            var r = json.readTree(line);
            if (r.path("type").asText().equals("epoch")) epochMs = Math.max(epochMs, 1000 * r.path("epoch_time_s").asDouble());
        }

        List<String> log = new ArrayList<>();
        Path runs = tmp.resolve("killed");
        Path run = null;
        int kills = 0;
        long firstCheckpointMs = 0;
        for (int segment = 0; kills < KILLS; segment++) {
            long start = System.nanoTime();
            Process p = SubprocessTest.start(tmp, segment == 0
                    ? new String[] {"train", spec.toString(), "--runs", runs.toString(), "--no-report"}
                    : new String[] {"train", "--resume", run.toString(), "--no-report"});
            LinkedBlockingQueue<String> epochLines = new LinkedBlockingQueue<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) if (line.startsWith("epoch ")) epochLines.add(line);
                } catch (java.io.IOException e) {
                    // the process was killed
                }
            });
            if (segment == 0) {
                // the first kill waits for the first checkpoint: without one there is nothing to resume
                run = waitForCheckpoint(runs.resolve("torture"), p);
                firstCheckpointMs = (System.nanoTime() - start) / 1_000_000;
            }
            String how;
            if (rnd.nextBoolean()) {
                int nth = 1 + rnd.nextInt(2), delayMs = rnd.nextInt(20);
                how = "after epoch line " + nth + " + " + delayMs + " ms";
                for (int i = 0; i < nth && p.isAlive(); i++) while (epochLines.poll(50, TimeUnit.MILLISECONDS) == null && p.isAlive()) { }
                Thread.sleep(delayMs);
            } else {
                // from the start: within start-up, the first epoch and two more; in the first segment, past its checkpoint: within two epochs
                int window = (int) Math.max(20, (segment == 0 ? 0 : firstCheckpointMs) + 2 * epochMs);
                int delayMs = rnd.nextInt(window);
                how = "after " + delayMs + " ms" + (segment == 0 ? " past the first checkpoint" : "");
                p.waitFor(delayMs, TimeUnit.MILLISECONDS);
            }
            if (!p.isAlive()) {
                log.add("segment " + segment + ": ended by itself (exit " + p.exitValue() + ") before the kill " + how);
                assertThat(p.exitValue()).as(String.join("\n", log)).isZero();
                break;
            }
            p.destroyForcibly(); // SIGKILL
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join();
            kills++;
            log.add("segment " + segment + ": killed " + how + ", epochs logged " + epochRecords(run));
        }
        Process last = SubprocessTest.start(tmp, "train", "--resume", run.toString(), "--no-report");
        String out = new String(last.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(last.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String story = "seed " + seed + "\n" + String.join("\n", log) + "\nlast resume:\n" + out;
        System.out.println(String.join("\n", log));
        assertThat(last.exitValue()).as(story).isZero();
        assertThat(kills).as(story).isGreaterThanOrEqualTo(KILLS / 2);

        assertThat(new ObjectMapper().readTree(run.resolve("run.json").toFile()).path("status").asText()).as(story).isEqualTo("completed");
        Map<String, Tensor> a = SafeTensors.read(whole.resolve("model.safetensors")).tensors(), b = SafeTensors.read(run.resolve("model.safetensors")).tensors();
        assertThat(b.keySet()).isEqualTo(a.keySet());
        for (String k : a.keySet()) assertThat(b.get(k).data()).as(k + "\n" + story).isEqualTo(a.get(k).data());
        assertThat(records(run)).as(story).isEqualTo(records(whole));
        assertThat(history(run)).as(story).isEqualTo(history(whole));
    }

    private static Path onlyRun(Path named) throws Exception {
        try (Stream<Path> s = Files.list(named)) {
            List<Path> ids = s.toList();
            assertThat(ids).hasSize(1);
            return ids.get(0);
        }
    }

    /** Waits until the run directory under {@code named} has a checkpoint; returns the run directory. */
    private static Path waitForCheckpoint(Path named, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && p.isAlive()) {
            if (Files.isDirectory(named)) {
                try (Stream<Path> s = Files.list(named)) {
                    var run = s.filter(d -> Files.isRegularFile(d.resolve("checkpoints/last.safetensors"))).findFirst();
                    if (run.isPresent()) return run.get();
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no checkpoint appeared under " + named);
    }

    private static long epochRecords(Path run) throws Exception {
        return Files.readAllLines(run.resolve("metrics.jsonl")).stream().filter(l -> l.contains("\"type\":\"epoch\"")).count();
    }

    /** metrics.jsonl's records without their timings. */
    private static List<ObjectNode> records(Path run) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<ObjectNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            ObjectNode r = (ObjectNode) json.readTree(line);
            r.remove(TIMINGS);
            out.add(r);
        }
        return out;
    }

    /** history.csv without its timing columns. */
    private static List<List<String>> history(Path run) throws Exception {
        List<String> lines = Files.readAllLines(run.resolve("history.csv"));
        List<String> header = List.of(lines.get(0).split(",", -1));
        List<List<String>> out = new ArrayList<>();
        for (String line : lines) {
            String[] cells = line.split(",", -1);
            List<String> kept = new ArrayList<>();
            for (int i = 0; i < cells.length; i++) if (!TIMINGS.contains(header.get(i))) kept.add(cells[i]);
            out.add(kept);
        }
        return out;
    }
}
