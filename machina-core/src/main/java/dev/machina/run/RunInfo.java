package dev.machina.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What can be read back from a run directory, tolerant of runs that crashed half-way or were
 * written by another version: missing or malformed files become {@link #problems()}, never
 * exceptions.
 *
 * @param dir the run directory
 * @param record run.json (a MissingNode when absent or unreadable)
 * @param epochs the epoch records of metrics.jsonl, in order
 * @param testResults test-results.json (MissingNode when absent)
 * @param problems what was missing or malformed
 */
public record RunInfo(Path dir, JsonNode record, List<Map<String, Double>> epochs, JsonNode testResults, List<String> problems) {

    public static RunInfo load(Path dir) {
        List<String> problems = new ArrayList<>();
        JsonNode record = readJson(dir.resolve(RunDirectory.RUN_JSON), problems);
        JsonNode test = Files.exists(dir.resolve(RunDirectory.TEST_RESULTS))
                ? readJson(dir.resolve(RunDirectory.TEST_RESULTS), problems) : MissingNode.getInstance();
        List<Map<String, Double>> epochs = new ArrayList<>();
        Path m = dir.resolve(RunDirectory.METRICS);
        if (Files.exists(m)) {
            try {
                List<String> lines = Files.readAllLines(m, StandardCharsets.UTF_8);
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i).trim();
                    if (line.isEmpty()) continue;
                    try {
                        JsonNode n = RunDirectory.JSON.readTree(line);
                        if (!"epoch".equals(n.path("type").asText("epoch")) || !n.has("epoch")) continue;
                        Map<String, Double> e = new LinkedHashMap<>();
                        n.fields().forEachRemaining(f -> {
                            if (f.getValue().isNumber()) e.put(f.getKey(), f.getValue().asDouble());
                        });
                        epochs.add(e);
                    } catch (IOException ex) {
                        problems.add(m.getFileName() + " line " + (i + 1) + " is not valid JSON (a run killed while writing leaves this)");
                    }
                }
            } catch (IOException e) {
                problems.add("cannot read " + m.getFileName() + ": " + e.getMessage());
            }
        }
        return new RunInfo(dir, record, epochs, test, problems);
    }

    private static JsonNode readJson(Path f, List<String> problems) {
        if (!Files.exists(f)) {
            problems.add(f.getFileName() + " is missing");
            return MissingNode.getInstance();
        }
        try {
            return RunDirectory.JSON.readTree(f.toFile());
        } catch (IOException e) {
            problems.add(f.getFileName() + " is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
            return MissingNode.getInstance();
        }
    }

    public String name() {
        return record.path("name").asText(dir.getParent() == null ? "?" : dir.getParent().getFileName().toString());
    }

    public String id() {
        return record.path("run_id").asText(dir.getFileName().toString());
    }

    /** running / completed / stopped-early / failed / interrupted, or "unknown". */
    public String status() {
        String s = record.path("status").asText("unknown");
        if (s.equals("running") && record.has("pid")) {
            long pid = record.path("pid").asLong();
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            if (!alive) return "crashed";
        }
        return s;
    }

    public String startTime() {
        return record.path("start_time").asText("");
    }

    /** Test accuracy from test-results.json or run.json's final metrics; NaN when unknown. */
    public double testAccuracy() {
        if (testResults.has("accuracy")) return testResults.get("accuracy").asDouble();
        JsonNode f = record.path("final_metrics").path("test_accuracy");
        return f.isNumber() ? f.asDouble() : Double.NaN;
    }

    /** Best value of a per-epoch metric (max for accuracies/F1, min otherwise); NaN without data. */
    public double best(String metric) {
        boolean max = metric.contains("acc") || metric.contains("f1") || metric.contains("auc") || metric.contains("precision") || metric.contains("recall");
        double best = Double.NaN;
        for (Map<String, Double> e : epochs) {
            Double v = e.get(metric);
            if (v == null || v.isNaN()) continue;
            if (Double.isNaN(best) || (max ? v > best : v < best)) best = v;
        }
        return best;
    }

    /** Wall time in seconds from run.json, NaN when unknown. */
    public double durationSeconds() {
        JsonNode d = record.path("duration_s");
        return d.isNumber() ? d.asDouble() : Double.NaN;
    }

    /** The resolved configuration flattened to dotted keys ("optimizer.lr" → "0.001"). */
    public Map<String, String> flatConfig() {
        Map<String, String> out = new LinkedHashMap<>();
        flatten("", record.path("config"), out);
        return out;
    }

    static void flatten(String prefix, JsonNode n, Map<String, String> out) {
        if (n.isObject()) {
            n.fields().forEachRemaining(f -> flatten(prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey(), f.getValue(), out));
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) flatten(prefix + "[" + i + "]", n.get(i), out);
        } else if (!n.isMissingNode()) {
            out.put(prefix, n.isTextual() ? n.asText() : n.toString());
        }
    }

    /** Reads a run directory, then loads it; a readable error when the path is not a run at all. */
    public static RunInfo require(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException(dir + " does not exist or is not a directory");
        if (!Files.exists(dir.resolve(RunDirectory.RUN_JSON)) && !Files.exists(dir.resolve(RunDirectory.METRICS))) {
            throw new IOException(dir + " is not a run directory (no run.json or metrics.jsonl)");
        }
        return load(dir);
    }
}
