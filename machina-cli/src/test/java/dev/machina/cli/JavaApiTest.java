package dev.machina.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.experiment.Experiment;
import dev.machina.experiment.SpecRunner;
import dev.machina.io.SafeTensors;
import dev.machina.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training a spec from Java gives the run `machina train` gives; the Java example trains and reloads a run. */
class JavaApiTest {
    static final String SPEC = """
            name: small
            seed: 7
            data: {dataset: digits, validation: 0.1}
            model: [{linear: 32}, relu, {linear: 10}]
            training: {epochs: 3, batch_size: 32}
            """;

    @Test
    void aSpecTrainedFromJavaLeavesTheRunTheCommandLeaves(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("small.yaml");
        Files.writeString(spec, SPEC);
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.execute(new String[] {"train", spec.toString(), "--runs", dir.resolve("cli").toString(), "--progress", "none"},
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(code).as(err.toString()).isZero();
        SpecRunner.Result r = SpecRunner.of(Experiment.load(spec)).runsDir(dir.resolve("java")).run();
        assertThat(r.finished()).isTrue();
        assertThat(r.reportFile()).isEqualTo(r.dir().resolve("report.html")).exists();
        Path cliRun = onlyRun(dir.resolve("cli").resolve("small"));
        assertThat(files(r.dir())).isEqualTo(files(cliRun)).contains("report.html", "model.safetensors", "test-results.json", "misclassified.json");
        Map<String, Tensor> a = SafeTensors.read(cliRun.resolve("model.safetensors")).tensors(), b = SafeTensors.read(r.dir().resolve("model.safetensors")).tensors();
        assertThat(b.keySet()).isEqualTo(a.keySet());
        for (String k : a.keySet()) assertThat(b.get(k).data()).as(k).isEqualTo(a.get(k).data());
        assertThat(Files.readString(r.dir().resolve("test-results.json"))).isEqualTo(Files.readString(cliRun.resolve("test-results.json")));
        assertThat(out.toString()).contains(String.format(java.util.Locale.ROOT, "test accuracy %.4f", r.report().accuracy()));

        // the run made from Java is listed with its settings and accepted by eval
        StringWriter lo = new StringWriter(), le = new StringWriter();
        assertThat(Main.execute(new String[] {"runs", "list", dir.resolve("java").toString()}, new PrintWriter(lo, true), new PrintWriter(le, true))).isZero();
        assertThat(lo.toString().lines().filter(l -> l.contains("small")).findFirst().orElseThrow()).contains("adam", "0.001", "32");
        StringWriter eo = new StringWriter(), ee = new StringWriter();
        assertThat(Main.execute(new String[] {"eval", r.dir().toString()}, new PrintWriter(eo, true), new PrintWriter(ee, true))).as(ee.toString()).isZero();
        assertThat(eo.toString()).contains(String.format(java.util.Locale.ROOT, "accuracy %.4f", r.report().accuracy()));
    }

    @Test
    void theTrainSpecExampleTrainsAndReloadsItsRun(@TempDir Path dir) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Path classes = Files.createDirectories(dir.resolve("classes"));
        int rc = javac.run(null, null, null, "--add-modules", "jdk.incubator.vector", "-proc:none", "-cp", System.getProperty("java.class.path"),
                "-d", classes.toString(), Path.of("..", "examples", "TrainSpec.java").toString());
        assertThat(rc).isZero();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream old = System.out;
        try (URLClassLoader l = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
            l.loadClass("TrainSpec").getMethod("main", String[].class)
                    .invoke(null, (Object) new String[] {Path.of("..", "examples", "digits-mlp.yaml").toString(), dir.resolve("runs").toString()});
        } finally {
            System.setOut(old);
        }
        String text = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(text).contains("completed after 5 epochs; test accuracy 0.9").contains("predicted [0, 1, 2, 3, 4], true [0, 1, 2, 3, 4]");
        assertThat(onlyRun(dir.resolve("runs").resolve("digits-mlp")).resolve("report.html")).exists();
    }

    static Path onlyRun(Path nameDir) throws Exception {
        try (Stream<Path> s = Files.list(nameDir)) {
            List<Path> runs = s.toList();
            assertThat(runs).hasSize(1);
            return runs.get(0);
        }
    }

    static TreeSet<String> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }
}
