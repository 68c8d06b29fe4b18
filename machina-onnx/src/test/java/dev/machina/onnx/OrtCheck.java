package dev.machina.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.machina.data.FeatureTransform;
import dev.machina.nn.Module;
import dev.machina.tensor.Tensor;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Runs an exported model in ONNX Runtime and compares it with Machina on the same raw inputs;
 * runs Debian's ONNX checker ({@code python3-onnx}) on the file when it is installed.
 */
final class OrtCheck {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();
    static final String CHECKER_MISSING = "ONNX's checker is not installed: apt-get install python3-onnx (Debian) to check every exported file with "
            + "onnx.checker.check_model(full_check=True)";
    private static final String PYTHON = findPython();

    private OrtCheck() {}

    /** The model's outputs on {@code raw} in ONNX Runtime. */
    static Tensor run(Path onnx, Tensor raw) throws OrtException {
        try (OrtSession s = ENV.createSession(onnx.toString(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(raw.data()), Arrays.stream(raw.shape()).asLongStream().toArray());
             OrtSession.Result r = s.run(Map.of(OnnxExport.INPUT, in))) {
            OnnxTensor out = (OnnxTensor) r.get(OnnxExport.OUTPUT).orElseThrow();
            long[] shape = out.getInfo().getShape();
            FloatBuffer fb = out.getFloatBuffer();
            float[] data = new float[fb.remaining()];
            fb.get(data);
            return Tensor.of(data, Arrays.stream(shape).mapToInt(d -> (int) d).toArray());
        }
    }

    /** Machina's outputs on {@code raw}: the transform, then the model in evaluation mode. */
    static Tensor machina(Module model, FeatureTransform transform, Tensor raw) {
        model.eval();
        try (var ng = Tensor.noGrad()) {
            return model.forward(transform == null ? raw : transform.apply(raw));
        }
    }

    /**
     * Asserts that ONNX Runtime gives Machina's outputs on {@code raw} (same shape, max |Δ| ≤ 1e-5,
     * same argmax over the last axis) and returns the max |Δ|.
     */
    static double assertSame(Path onnx, Module model, FeatureTransform transform, Tensor raw) throws OrtException {
        Tensor want = machina(model, transform, raw), got = run(onnx, raw);
        assertThat(got.shape()).as("output shape for input %s", Arrays.toString(raw.shape())).containsExactly(want.shape());
        double max = 0;
        float[] a = want.data(), b = got.data();
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
        assertThat(max).as("max |machina - onnxruntime| for input %s", Arrays.toString(raw.shape())).isLessThanOrEqualTo(1e-5);
        if (want.shape(-1) > 1) assertThat(got.argmax(-1)).as("argmax").containsExactly(want.argmax(-1));
        return max;
    }

    static boolean checkerAvailable() {
        return PYTHON != null;
    }

    /** ONNX's full check of the file, when python3-onnx is installed; a no-op otherwise. */
    static void checker(Path onnx) throws IOException, InterruptedException {
        if (PYTHON == null) return;
        String problem = checkerProblem(onnx);
        assertThat(problem).as("onnx.checker on %s", onnx).isNull();
    }

    /** What ONNX's full check says is wrong with the file, or null when it passes (python3-onnx must be installed). */
    static String checkerProblem(Path onnx) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(PYTHON, "-c", "import sys, onnx; onnx.checker.check_model(sys.argv[1], full_check=True)", onnx.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() == 0 ? null : out;
    }

    private static String findPython() {
        for (String py : List.of("/usr/bin/python3", "python3")) {
            try {
                Process p = new ProcessBuilder(py, "-c", "import onnx.checker").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor() == 0) return py;
            } catch (IOException e) {
                // not this one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    static Path tempModel(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        return dir.resolve(name + ".onnx");
    }
}
