// Serve a model exported by `machina export` with ONNX Runtime: plain Java, no Machina on the
// class path, only onnxruntime (Maven: com.microsoft.onnxruntime:onnxruntime:1.20.0, whose jar
// carries the native library for Linux, macOS and Windows).
//
//   ./machina train examples/digits-mlp.yaml
//   ./machina export runs/digits-mlp/<run-id> -o digits.onnx
//   java -cp onnxruntime-1.20.0.jar examples/OnnxServe.java digits.onnx INPUT.csv
//
// INPUT.csv holds one example per line, raw feature values as `machina predict` reads them (the
// exported graph applies the run's input transform itself). Prints CSV: index, predicted class,
// probability; for a regression model, the predicted values.

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

public class OnnxServe {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: java -cp onnxruntime.jar OnnxServe.java MODEL.onnx INPUT.csv");
            System.exit(2);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(args[0], new OrtSession.SessionOptions())) {
            // What machina export stores beside the graph: class names and one example's shape, as JSON.
            Map<String, String> meta = session.getMetadata().getCustomMetadata();
            List<String> classes = jsonStrings(meta.getOrDefault("class_names", "[]"));
            long[] example = jsonInts(meta.get("feature_shape"));

            List<float[]> rows = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of(args[1]))) {
                if (line.isBlank()) continue;
                String[] cells = line.split(",");
                float[] row = new float[cells.length];
                for (int i = 0; i < cells.length; i++) row[i] = Float.parseFloat(cells[i].trim());
                rows.add(row);
            }
            int n = rows.size(), width = rows.isEmpty() ? 0 : rows.get(0).length;
            FloatBuffer data = FloatBuffer.allocate(n * width);
            rows.forEach(data::put);
            data.flip();
            long[] shape = new long[example.length + 1];
            shape[0] = n;
            System.arraycopy(example, 0, shape, 1, example.length);

            try (OnnxTensor input = OnnxTensor.createTensor(env, data, shape);
                 OrtSession.Result result = session.run(Map.of("input", input))) {
                float[][] out = (float[][]) result.get("output").orElseThrow().getValue();
                System.out.println(classes.isEmpty() ? "index,prediction" : "index,predicted,probability");
                for (int i = 0; i < out.length; i++) {
                    if (classes.isEmpty()) {
                        System.out.println(i + "," + String.format(Locale.ROOT, "%.6f", out[i][0]));
                        continue;
                    }
                    float[] p = softmax(out[i]);
                    int best = 0;
                    for (int j = 1; j < p.length; j++) if (p[j] > p[best]) best = j;
                    System.out.println(i + "," + classes.get(best) + "," + String.format(Locale.ROOT, "%.6f", p[best]));
                }
            }
        }
    }

    static float[] softmax(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) max = Math.max(max, v);
        double sum = 0;
        float[] p = new float[logits.length];
        for (int j = 0; j < p.length; j++) sum += p[j] = (float) Math.exp(logits[j] - max);
        for (int j = 0; j < p.length; j++) p[j] /= (float) sum;
        return p;
    }

    /** A JSON array of strings, e.g. ["T-shirt/top","Trouser"]. */
    static List<String> jsonStrings(String json) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = null;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (cur == null) {
                if (c == '"') cur = new StringBuilder();
            } else if (c == '\\') {
                char e = json.charAt(++i);
                cur.append(e == 'n' ? '\n' : e == 't' ? '\t' : e == 'u' ? (char) Integer.parseInt(json.substring(i + 1, i + 5), 16) : e);
                if (e == 'u') i += 4;
            } else if (c == '"') {
                out.add(cur.toString());
                cur = null;
            } else {
                cur.append(c);
            }
        }
        return out;
    }

    /** A JSON array of integers, e.g. [28,28]. */
    static long[] jsonInts(String json) {
        String body = json.replaceAll("[\\[\\]\\s]", "");
        return body.isEmpty() ? new long[0] : java.util.Arrays.stream(body.split(",")).mapToLong(Long::parseLong).toArray();
    }
}
