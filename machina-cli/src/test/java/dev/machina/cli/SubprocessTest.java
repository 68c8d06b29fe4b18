package dev.machina.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command as a separate process: plain progress lines off a terminal, a clean stop on a signal, resume. */
class SubprocessTest {

    static Process start(Path dir, String... args) throws Exception {
        return start(dir, List.of(), args);
    }

    /** {@code prefix}: a command that execs the java command (the process keeps its id). */
    static Process start(Path dir, List<String> prefix, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), "dev.machina.cli.Main"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    }

    @Test
    void interruptedRunIsMarkedAndResumesToCompletion(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("s.yaml");
        Files.writeString(spec, """
                name: long
                data: {dataset: digits}
                model: [{linear: 512}, relu, {linear: 512}, relu, {linear: 10}]
                training: {epochs: 400, batch_size: 8}
                """);
        Process p = start(tmp, "train", spec.toString(), "--no-report");
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
                if (line.matches("epoch +2/400.*")) {
                    p.toHandle().destroy(); // SIGTERM (streams stay open): the same shutdown path as Ctrl-C
                }
            }
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("SIGTERM: 128 + 15, as README says").isEqualTo(143);
        assertThat(String.join("\n", lines)).as("no live bar off a terminal").doesNotContain("\r").containsPattern("epoch +1/400");
        Path runDir;
        try (Stream<Path> s = Files.list(tmp.resolve("runs/long"))) {
            runDir = s.findFirst().orElseThrow();
        }
        var rj = new ObjectMapper().readTree(runDir.resolve("run.json").toFile());
        assertThat(rj.get("status").asText()).as(String.join("\n", lines)).isEqualTo("interrupted");
        assertThat(runDir.resolve("checkpoints/last.safetensors")).exists();
        int done = rj.get("epochs_completed").asInt();
        assertThat(done).isBetween(2, 399);

        Process q = start(tmp, "train", "--resume", runDir.toString(), "--set", "training.epochs=" + (done + 1), "--no-report");
        String out = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(q.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(q.exitValue()).as(out).isZero();
        assertThat(out).containsPattern("epoch +" + (done + 1) + "/" + (done + 1)).doesNotContainPattern("epoch +1/");
        var rj2 = new ObjectMapper().readTree(runDir.resolve("run.json").toFile());
        assertThat(rj2.get("status").asText()).isEqualTo("completed");
        assertThat(rj2.get("epochs_completed").asInt()).isEqualTo(done + 1);
        long epochRecords = Files.readAllLines(runDir.resolve("metrics.jsonl")).stream().filter(l -> l.contains("\"type\":\"epoch\"")).count();
        assertThat(epochRecords).isEqualTo(done + 1);
    }

    @Test
    void ctrlCExits130AndMarksTheRunInterrupted(@TempDir Path tmp) throws Exception {
        Path spec = tmp.resolve("s.yaml");
        Files.writeString(spec, """
                name: long
                data: {dataset: digits}
                model: [{linear: 512}, relu, {linear: 512}, relu, {linear: 10}]
                training: {epochs: 400, batch_size: 8}
                """);
        // a shell runs background jobs with SIGINT ignored, and the JVM keeps it ignored: start
        // the command with SIGINT at its default, as a terminal's foreground job has it
        boolean envResets = new ProcessBuilder("env", "--default-signal=INT", "true").start().waitFor() == 0;
        Process p = start(tmp, envResets ? List.of("env", "--default-signal=INT") : List.of(), "train", spec.toString(), "--no-report");
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                lines.add(line);
                if (line.matches("epoch +1/400.*")) {
                    // SIGINT, as Ctrl-C sends it (Process.destroy() would send SIGTERM)
                    assertThat(new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).inheritIO().start().waitFor()).isZero();
                }
            }
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("SIGINT: 128 + 2, as README says\n" + String.join("\n", lines)).isEqualTo(130);
        Path runDir;
        try (Stream<Path> s = Files.list(tmp.resolve("runs/long"))) {
            runDir = s.findFirst().orElseThrow();
        }
        var rj = new ObjectMapper().readTree(runDir.resolve("run.json").toFile());
        assertThat(rj.get("status").asText()).as(String.join("\n", lines)).isEqualTo("interrupted");
        assertThat(runDir.resolve("checkpoints/last.safetensors")).exists();
    }

    @Test
    void everythingPrintedReachesAFileOrAPipe(@TempDir Path tmp) throws Exception {
        for (String[] args : List.of(new String[] {"info"}, new String[] {"help", "train"}, new String[] {"--version"})) {
            java.io.StringWriter expected = new java.io.StringWriter();
            assertThat(Main.execute(args, new java.io.PrintWriter(expected, true), new java.io.PrintWriter(new java.io.StringWriter(), true))).isZero();
            Path file = tmp.resolve("out.txt");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), "dev.machina.cli.Main"));
            cmd.addAll(List.of(args));
            Process toFile = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectOutput(file.toFile()).start();
            Process toPipe = new ProcessBuilder(cmd).directory(tmp.toFile()).start();
            String piped = new String(toPipe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(toFile.waitFor(60, TimeUnit.SECONDS) && toPipe.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(toFile.exitValue()).as(String.join(" ", args)).isZero(); // `info` alone takes a path without picocli
            String inProcess = expected.toString().replaceAll("(?m)^(max heap|huge pages) .*$", "");
            assertThat(Files.readString(file).replaceAll("(?m)^(max heap|huge pages) .*$", "")).as(String.join(" ", args)).isEqualTo(inProcess);
            assertThat(piped.replaceAll("(?m)^(max heap|huge pages) .*$", "")).as(String.join(" ", args)).isEqualTo(inProcess);
        }
    }
}
