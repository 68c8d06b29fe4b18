package dev.machina.cli.options;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The options train and tune share behave alike: a name that is not a directory name, and a bad thread count, are refused. */
class SharedOptionsTest {
    static final String SPEC = "data: digits\nmodel: [{linear: 10}]\ntraining: {epochs: 1}\n";
    static final String SWEEP = "base: {data: digits, model: [{linear: 10}], training: {epochs: 1}}\nspace: {optimizer.lr: [0.01]}\n";

    static String[] run(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Main.execute(args, new PrintWriter(o, true), new PrintWriter(e, true));
        return new String[] {String.valueOf(code), e.toString()};
    }

    @Test
    void trainAndTuneRefuseNamesOutsideTheRunsDirectory(@TempDir Path dir) throws Exception {
        Path spec = Files.writeString(dir.resolve("s.yaml"), SPEC), sweep = Files.writeString(dir.resolve("w.yaml"), SWEEP);
        Path runs = dir.resolve("inner").resolve("runs");
        for (String name : new String[] {"..", ".", "a/b"}) {
            String[] t = run("train", spec.toString(), "--runs", runs.toString(), "--name", name, "--progress", "none");
            assertThat(t[0]).as(name).isEqualTo("2");
            assertThat(t[1]).contains("name '" + name + "'").contains("it names a directory");
            String[] w = run("tune", sweep.toString(), "--runs", runs.toString(), "--name", name, "--progress", "none");
            assertThat(w[0]).as(name).isEqualTo("2");
            assertThat(w[1]).contains("name '" + name + "'");
        }
        try (var s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrder("s.yaml", "w.yaml");
        }
        assertThat(run("tune", sweep.toString(), "--runs", runs.toString(), "--threads", "0")[1]).contains("--threads must be at least 1");
    }
}
