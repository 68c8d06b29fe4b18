package dev.machina.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command driven in-process: every command on a real (small) run, and every bad input. */
class CliTest {
    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Main.execute(args, new PrintWriter(o, true), new PrintWriter(e, true));
        return new Result(code, o.toString(), e.toString());
    }

    @TempDir
    static Path tmp;
    static Path spec, runs, runDir;
    static Result trained;

    @BeforeAll
    static void trainOnce() throws Exception {
        spec = tmp.resolve("digits.yaml");
        Files.writeString(spec, """
                name: quick
                seed: 1
                data: {dataset: digits, test: 0.2, validation: 0.1}
                model: [{linear: 64}, relu, {linear: 10}]
                optimizer: {name: adam, lr: 3.0e-3}
                training: {epochs: 3, batch_size: 32, log_every: 10}
                """);
        runs = tmp.resolve("runs");
        trained = run("train", spec.toString(), "--runs", runs.toString(), "--progress", "lines", "--no-report");
        try (Stream<Path> s = Files.list(runs.resolve("quick"))) {
            runDir = s.findFirst().orElseThrow();
        }
    }

    @Test
    void trainPrintsEpochLinesTheReportAndWritesTheRunDirectory() throws Exception {
        assertThat(trained.code()).as(trained.err()).isZero();
        assertThat(trained.out()).contains("epoch 1/3", "epoch 3/3", "precision", "machina: test accuracy", "machina: run directory");
        for (String f : List.of("run.json", "spec.yaml", "metrics.jsonl", "history.csv", "model.safetensors", "test-results.json",
                "log.txt", "misclassified.json", "checkpoints/last.safetensors")) {
            assertThat(runDir.resolve(f)).as(f).exists();
        }
        JsonNode rj = new ObjectMapper().readTree(runDir.resolve("run.json").toFile());
        assertThat(rj.at("/config/optimizer/lr").asDouble()).isEqualTo(3e-3);
        assertThat(rj.at("/config/optimizer/betas/1").asDouble()).isEqualTo(0.999);
        assertThat(rj.at("/config/training/epochs").asInt()).isEqualTo(3);
        assertThat(rj.at("/dataset/name").asText()).isEqualTo("digits");
        assertThat(rj.at("/dataset/sha256_data").asText()).hasSize(64);
        assertThat(rj.at("/final_metrics/test_accuracy").asDouble()).isGreaterThan(0.9);
        assertThat(rj.get("status").asText()).isEqualTo("completed");
    }

    @Test
    void exportWritesAnOnnxFileThatOnnxRuntimeRunsOnRawInputs() throws Exception {
        Path file = tmp.resolve("quick.onnx");
        Result r = run("export", runDir.toString(), "--format", "onnx", "-o", file.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("machina: wrote " + file, "opset 17");
        float[] row = new float[64];
        for (int i = 0; i < 64; i++) row[i] = (i * 7) % 17; // raw pixels 0..16, as predict reads them
        var env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        try (var session = env.createSession(file.toString(), new ai.onnxruntime.OrtSession.SessionOptions());
             var in = ai.onnxruntime.OnnxTensor.createTensor(env, new float[][] {row});
             var out = session.run(java.util.Map.of("input", in))) {
            float[] logits = ((float[][]) out.get(0).getValue())[0];
            var tm = dev.machina.experiment.TrainedModel.load(runDir);
            dev.machina.tensor.Tensor x = dev.machina.tensor.Tensor.of(row, 1, 64);
            float[] want = tm.model().forward(tm.transform() == null ? x : tm.transform().apply(x)).data();
            for (int j = 0; j < 10; j++) assertThat((double) logits[j]).isCloseTo(want[j], org.assertj.core.data.Offset.offset(1e-5));
            assertThat(session.getMetadata().getCustomMetadata()).containsKey("class_names");
        }
        // examples/OnnxServe.java serves the file with ONNX Runtime alone and agrees with predict
        Path csv = tmp.resolve("serve.csv");
        Files.writeString(csv, String.join(",", java.util.stream.IntStream.range(0, 64).mapToObj(i -> String.valueOf((int) row[i])).toList()) + "\n");
        Process serve = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), ExamplesTest.EXAMPLES.resolve("OnnxServe.java").toString(), file.toString(), csv.toString())
                .redirectErrorStream(true).start();
        String served = new String(serve.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(serve.waitFor()).as(served).isZero();
        Result predicted = run("predict", runDir.toString(), csv.toString());
        assertThat(served.lines().filter(l -> l.startsWith("0,")).findFirst().orElseThrow().split(",")[1])
                .isEqualTo(predicted.out().lines().toList().get(1).split(",")[1]);
        Result bad = run("export", runDir.toString(), "--format", "tflite");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("the one supported is onnx");
    }

    /**
     * predict reads its input a batch at a time: when its first line is printed the heap holds a
     * batch, not the file (20,000 rows, 3 MB of CSV, several times that as parsed rows); the output
     * is the same bytes for every --batch-size; a bad row ends it with one line naming its line,
     * after the rows of the batches before it.
     */
    @Test
    void predictReadsItsInputABatchAtATime() throws Exception {
        StringBuilder rows = new StringBuilder();
        for (int r = 0; r < 20_000; r++) {
            for (int i = 0; i < 64; i++) rows.append(i == 0 ? "" : ",").append((i * (r + 3) + r) % 17);
            rows.append('\n');
        }
        Path big = Files.writeString(tmp.resolve("big.csv"), rows);
        long before = live();
        long[] atFirstLine = {-1};
        StringWriter o = new StringWriter() {
            @Override
            public void write(String str, int off, int len) {
                if (atFirstLine[0] < 0) atFirstLine[0] = live() - before;
                super.write(str, off, len);
            }
        };
        int code = Main.execute(new String[] {"predict", runDir.toString(), big.toString()}, new PrintWriter(o, true), new PrintWriter(new StringWriter(), true));
        assertThat(code).isZero();
        assertThat(o.toString().lines().count()).isEqualTo(20_001);
        assertThat(atFirstLine[0]).as("heap held when the first line is printed").isLessThan(2L << 20);
        Result odd = run("predict", runDir.toString(), big.toString(), "--batch-size", "333");
        assertThat(odd.out()).isEqualTo(o.toString());

        java.util.List<String> lines = new java.util.ArrayList<>(rows.toString().lines().toList());
        int badLine = 12_345;
        lines.set(badLine - 1, lines.get(badLine - 1).replaceFirst(",[0-9]+,", ",x,"));
        Path bad = Files.writeString(tmp.resolve("bad.csv"), String.join("\n", lines) + "\n");
        Result r = run("predict", runDir.toString(), bad.toString(), "--batch-size", "1000");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("machina: " + bad + ": line " + badLine + ", column index 1: cannot parse 'x' as a number").doesNotContain("\n");
        assertThat(r.out().lines().count()).as("the rows of the batches before the bad one").isEqualTo(1 + (badLine - 1) / 1000 * 1000);
    }

    /** The live heap after a full collection. */
    private static long live() {
        System.gc();
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void evalPredictAndRunsWorkOnTheTrainedRun() throws Exception {
        Result ev = run("eval", runDir.toString());
        assertThat(ev.code()).as(ev.err()).isZero();
        assertThat(ev.out()).contains("Confusion matrix", "weighted avg", "accuracy");
        Path csv = tmp.resolve("in.csv");
        Files.writeString(csv, "0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,15,2,0,11,8,0,0,4,12,0,0,8,8,0,0,5,8,0,0,9,8,0,0,4,11,0,1,12,7,0,0,2,14,5,10,12,0,0,0,0,6,13,10,0,0,0\n");
        Result p = run("predict", runDir.toString(), csv.toString(), "--all");
        assertThat(p.code()).as(p.err()).isZero();
        assertThat(p.out().lines().toList()).hasSize(2);
        assertThat(p.out()).startsWith("index,predicted,probability,p_0,");
        assertThat(p.out().lines().toList().get(1)).startsWith("0,0,"); // the first digits row is a 0
        // --batch-size runs the rows in batches (at least 5 rows each: 11 rows as 5, 5 and the last row with the 4 before it) with the one-batch output, byte for byte
        StringBuilder rows = new StringBuilder();
        for (int r = 0; r < 11; r++) {
            for (int i = 0; i < 64; i++) rows.append(i == 0 ? "" : ",").append((i * (r + 3) + r) % 17);
            rows.append('\n');
        }
        Path many = Files.writeString(tmp.resolve("many.csv"), rows);
        Result whole = run("predict", runDir.toString(), many.toString(), "--all");
        Result batched = run("predict", runDir.toString(), many.toString(), "--all", "--batch-size", "4");
        assertThat(batched.code()).as(batched.err()).isZero();
        assertThat(batched.out().lines().toList()).hasSize(12);
        assertThat(batched.out()).isEqualTo(whole.out());
        // the same rows as a float IDX [11, 8, 8], read a batch at a time: the same output
        java.nio.ByteBuffer idx = java.nio.ByteBuffer.allocate(16 + 11 * 64 * 4).putInt(0x00000D03).putInt(11).putInt(8).putInt(8);
        for (int r = 0; r < 11; r++) for (int i = 0; i < 64; i++) idx.putFloat((i * (r + 3) + r) % 17);
        Path manyIdx = Files.write(tmp.resolve("many-idx3"), idx.array());
        for (String bs : new String[] {"4", "1000"}) {
            Result fromIdx = run("predict", runDir.toString(), manyIdx.toString(), "--all", "--batch-size", bs);
            assertThat(fromIdx.code()).as(fromIdx.err()).isZero();
            assertThat(fromIdx.out()).as("batch size " + bs).isEqualTo(whole.out());
        }
        Result zero = run("predict", runDir.toString(), many.toString(), "--batch-size", "0");
        assertThat(zero.code()).isEqualTo(2);
        assertThat(zero.err().strip()).isEqualTo("machina: --batch-size must be at least 1, got 0");
        // a float IDX full of NaN is refused, not predicted
        java.nio.ByteBuffer nan = java.nio.ByteBuffer.allocate(12 + 64 * 4).putInt(0x00000D02).putInt(1).putInt(64);
        for (int i = 0; i < 64; i++) nan.putFloat(Float.NaN);
        Path nanIdx = Files.write(tmp.resolve("nan-idx"), nan.array());
        Result pn = run("predict", runDir.toString(), nanIdx.toString());
        assertThat(pn.code()).isEqualTo(2);
        assertThat(pn.out()).isEmpty();
        assertThat(pn.err().strip()).isEqualTo("machina: " + nanIdx + ": element 0 (byte 12) is NaN; inputs must be finite numbers");
        Result list = run("runs", "list", runs.toString());
        assertThat(list.out()).contains("quick", "completed");
        Result show = run("runs", "show", runDir.toString());
        assertThat(show.out()).contains("optimizer.lr", "test accuracy");
        Result cmp = run("runs", "compare", runDir.toString(), runDir.toString());
        assertThat(cmp.code()).isZero();
        assertThat(cmp.out()).contains("(none: the runs have the same settings)", "test_accuracy");
    }

    @Test
    void badInputGivesOneLineExitCodeTwoAndNoStackTrace() throws Exception {
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"train", tmp.resolve("missing.yaml").toString()});
        Path mal = tmp.resolve("mal.yaml");
        Files.writeString(mal, "data: {dataset: digits\nmodel: [");
        cases.add(new String[] {"train", mal.toString()});
        Path unk = tmp.resolve("unk.yaml");
        Files.writeString(unk, "data: digits\nmodel: [{linear: 10}]\noptimzer: {lr: 0.1}\n");
        cases.add(new String[] {"train", unk.toString()});
        cases.add(new String[] {"train", spec.toString(), "--set", "optimizer.lr=-1", "--runs", runs.toString()});
        cases.add(new String[] {"train", spec.toString(), "--set", "data.dataset=csv", "--set", "data.path=" + tmp.resolve("nope.csv"), "--runs", runs.toString()});
        Path csv = tmp.resolve("iris.csv");
        Files.writeString(csv, "a,b,species\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n");
        cases.add(new String[] {"train", spec.toString(), "--set", "data.dataset=csv", "--set", "data.path=" + csv, "--set", "data.label=kind", "--runs", runs.toString()});
        cases.add(new String[] {"train", spec.toString(), "--set", "data.dataset=mnist", "--set", "data.path=" + tmp.resolve("no-mnist"), "--runs", runs.toString()});
        cases.add(new String[] {"train", spec.toString(), "--set", "model=[{linear: 5}]", "--runs", runs.toString()});
        cases.add(new String[] {"eval", tmp.toString()});
        cases.add(new String[] {"train", "--resume", tmp.toString()});
        cases.add(new String[] {"train", spec.toString(), "--threads", "0"});
        for (String[] c : cases) {
            Result r = run(c);
            String cmd = String.join(" ", c);
            assertThat(r.code()).as(cmd + "\n" + r.err()).isEqualTo(2);
            assertThat(r.err().strip().lines().count()).as(cmd + " gives one line:\n" + r.err()).isEqualTo(1);
            assertThat(r.err()).as(cmd).startsWith("machina: ").doesNotContain("Exception", "\tat ");
        }
        assertThat(run(cases.get(2)).err()).contains("did you mean 'optimizer'");
        assertThat(run(cases.get(5)).err()).contains("kind");
        assertThat(run(cases.get(6)).err()).contains("./machina datasets fetch mnist");
        assertThat(run(cases.get(7)).err()).contains("the last linear layer should have 10 outputs");
    }

    @Test
    void debugShowsTheStackTrace() {
        Result r = run("--debug", "train", tmp.resolve("missing.yaml").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("\tat ");
    }

    @Test
    void helpAndUnknownOptions() {
        assertThat(run("train", "--help").out()).contains("--resume", "--set");
        Result u = run("train", "--bogus");
        assertThat(u.code()).isEqualTo(2);
        assertThat(u.err()).contains("Unknown option");
    }

    @Test
    void datasetsListAndFetchErrors() {
        Result list = run("datasets", "list");
        assertThat(list.code()).isZero();
        assertThat(list.out()).contains("digits", "classpath:", "fashion-mnist", "mnist");
        Result unknown = run("datasets", "fetch", "imagenet");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("machina: ").contains("imagenet");
    }

    @Test
    void compareCanOverlayTheValidationCurves() {
        Path png = tmp.resolve("cmp.png");
        Result r = run("runs", "compare", runDir.toString(), runDir.toString(), "--plot", png.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(png).exists();
        assertThat(tmp.resolve("cmp.svg")).exists();
    }
}
