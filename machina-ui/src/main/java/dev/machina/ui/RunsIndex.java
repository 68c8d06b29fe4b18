package dev.machina.ui;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.machina.run.RunDirectory;
import dev.machina.run.RunInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The runs and sweeps under the runs directory, found at any depth (a sweep's trials are runs in
 * {@code trials/NNN/}), each summarised as one table row. A row is read from run.json and
 * metrics.jsonl only, and kept until either file changes (size or modification time), so listing
 * thousands of runs again costs a directory walk. Symbolic links are not followed.
 */
final class RunsIndex {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SWEEP_JSON = "sweep.json";
    private static final int MAX_DEPTH = 8;

    private record Stamp(long runJsonTime, long runJsonSize, long metricsTime, long metricsSize) {}

    private record Cached(Stamp stamp, ObjectNode row, String rawStatus, long pid) {}

    private final RunFiles files;
    private final Map<Path, Cached> cache = new ConcurrentHashMap<>();

    RunsIndex(RunFiles files) {
        this.files = files;
    }

    /** The runs directory's content: {@code runs} (rows) and {@code sweeps}. */
    ObjectNode list() throws IOException {
        List<Path> runDirs = new ArrayList<>();
        List<Path> sweepDirs = new ArrayList<>();
        Path root = files.root();
        if (Files.isDirectory(root)) {
            Files.walkFileTree(root, EnumSet.noneOf(java.nio.file.FileVisitOption.class), MAX_DEPTH, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    String n = dir.getFileName() == null ? "" : dir.getFileName().toString();
                    if (!dir.equals(root) && (n.equals(RunDirectory.CHECKPOINTS) || n.equals(RunDirectory.PLOTS) || n.startsWith("."))) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    if (Files.isRegularFile(dir.resolve(SWEEP_JSON), LinkOption.NOFOLLOW_LINKS)) sweepDirs.add(dir);
                    if (Files.isRegularFile(dir.resolve(RunDirectory.RUN_JSON), LinkOption.NOFOLLOW_LINKS)
                            || Files.isRegularFile(dir.resolve(RunDirectory.METRICS), LinkOption.NOFOLLOW_LINKS)) {
                        runDirs.add(dir);
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("root", root.toString());
        ArrayNode rows = out.putArray("runs");
        rows.addAll(runDirs.parallelStream().map(this::row).toList());
        cache.keySet().retainAll(runDirs);
        ArrayNode sweeps = out.putArray("sweeps");
        for (Path d : sweepDirs) sweeps.add(sweepRow(d));
        return out;
    }

    /** One run's row, from the cache when run.json and metrics.jsonl are unchanged. */
    ObjectNode row(Path dir) {
        Stamp stamp = stamp(dir);
        Cached c = cache.get(dir);
        if (c == null || !c.stamp.equals(stamp)) {
            c = read(dir, stamp);
            cache.put(dir, c);
        }
        ObjectNode row = c.row.deepCopy();
        if ("running".equals(c.rawStatus) && c.pid > 0 && !ProcessHandle.of(c.pid).map(ProcessHandle::isAlive).orElse(false)) {
            row.put("status", "crashed");
        }
        return row;
    }

    private static Stamp stamp(Path dir) {
        long[] a = attrs(dir.resolve(RunDirectory.RUN_JSON)), b = attrs(dir.resolve(RunDirectory.METRICS));
        return new Stamp(a[0], a[1], b[0], b[1]);
    }

    private static long[] attrs(Path f) {
        try {
            BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return new long[] {a.lastModifiedTime().toMillis(), a.size()};
        } catch (IOException e) {
            return new long[] {-1, -1};
        }
    }

    /** Reads run.json and metrics.jsonl into a {@link RunInfo} (test-results.json is left out: it can be large). */
    static RunInfo light(Path dir) {
        List<String> problems = new ArrayList<>();
        JsonNode record = record(dir, problems);
        return new RunInfo(dir, record, readEpochs(dir.resolve(RunDirectory.METRICS), problems), MissingNode.getInstance(), problems);
    }

    /** run.json's object, or a missing node with the reason in {@code problems}. */
    private static JsonNode record(Path dir, List<String> problems) {
        JsonNode record = MissingNode.getInstance();
        Path rj = dir.resolve(RunDirectory.RUN_JSON);
        if (!Files.exists(rj)) {
            problems.add("run.json is missing");
        } else {
            try {
                JsonNode n = JSON.readTree(rj.toFile());
                if (n != null && n.isObject()) {
                    record = n;
                    if (!n.path("status").isTextual()) problems.add("run.json has no status (written by another version, or not by Machina?)");
                    if (!n.path("config").isObject()) problems.add("run.json has no configuration object");
                } else {
                    problems.add("run.json does not hold a JSON object");
                }
            } catch (IOException e) {
                problems.add("run.json is not valid JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
            }
        }
        return record;
    }

    /** The epoch records of metrics.jsonl; a line that is not JSON (a run killed while writing) is skipped and noted. */
    static List<Map<String, Double>> readEpochs(Path m, List<String> problems) {
        List<Map<String, Double>> epochs = new ArrayList<>();
        eachRecord(m, problems, (p, lineNo) -> epochLine(p, lineNo, problems, epochs));
        return epochs;
    }

    /** What a table row needs of metrics.jsonl, read as {@link #readEpochs} reads it but without keeping every value. */
    static final class EpochSummary {
        int epochs;
        boolean hasValAccuracy;
        double bestAccuracy = Double.NaN, bestLoss = Double.NaN;

        /** {@link RunInfo#best} of the validation metric the row shows. */
        double best() {
            return hasValAccuracy ? bestAccuracy : bestLoss;
        }

        String metric() {
            return hasValAccuracy ? "val_accuracy" : "val_loss";
        }
    }

    static EpochSummary summarise(Path m, List<String> problems) {
        EpochSummary sum = new EpochSummary();
        eachRecord(m, problems, (p, lineNo) -> {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                problems.add("metrics.jsonl line " + lineNo + " is not a record");
                return;
            }
            String type = "epoch";
            boolean epoch = false, acc = false, loss = false;
            double accV = Double.NaN, lossV = Double.NaN;
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String key = p.currentName();
                JsonToken v = p.nextToken();
                if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) {
                    switch (key) {
                        case "epoch" -> epoch = true;
                        case "val_accuracy" -> {
                            acc = true;
                            accV = p.getDoubleValue();
                        }
                        case "val_loss" -> {
                            loss = true;
                            lossV = p.getDoubleValue();
                        }
                        default -> { }
                    }
                } else if (v == JsonToken.VALUE_STRING && key.equals("type")) type = p.getText();
                else if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) p.skipChildren();
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) throw new JsonParseException(p, "trailing content");
            if (!type.equals("epoch")) return;
            if (!epoch) {
                problems.add("metrics.jsonl line " + lineNo + " has no epoch number");
                return;
            }
            sum.epochs++;
            if (acc) {
                sum.hasValAccuracy = true;
                if (!Double.isNaN(accV) && (Double.isNaN(sum.bestAccuracy) || accV > sum.bestAccuracy)) sum.bestAccuracy = accV;
            }
            if (loss && !Double.isNaN(lossV) && (Double.isNaN(sum.bestLoss) || lossV < sum.bestLoss)) sum.bestLoss = lossV;
        });
        return sum;
    }

    private interface RecordReader {
        void read(JsonParser p, int lineNo) throws IOException;
    }

    /** Hands each non-blank line of metrics.jsonl to {@code reader}; a line that is not JSON is noted in {@code problems}. */
    private static void eachRecord(Path m, List<String> problems, RecordReader reader) {
        if (!Files.exists(m)) {
            problems.add("metrics.jsonl is missing");
            return;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(m);
        } catch (IOException e) {
            problems.add("cannot read metrics.jsonl: " + e.getMessage());
            return;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            eachLine(m, problems, reader); // not UTF-8: reported as Files.readAllLines reports it
            return;
        }
        // split as Files.readAllLines does (\n, \r or \r\n), with String.indexOf rather than a loop over chars
        int lineNo = 0, cr = -1;
        for (int start = 0; start < text.length(); ) {
            int nl = text.indexOf('\n', start);
            if (cr != Integer.MAX_VALUE && cr < start) {
                cr = text.indexOf('\r', start);
                if (cr < 0) cr = Integer.MAX_VALUE;
            }
            int end = Math.min(nl < 0 ? text.length() : nl, cr);
            int next = end < text.length() && text.charAt(end) == '\r' && end + 1 < text.length() && text.charAt(end + 1) == '\n' ? end + 2 : end + 1;
            lineNo++;
            String line = text.substring(start, end).trim();
            start = next;
            if (line.isEmpty()) continue;
            try (JsonParser p = JSON.getFactory().createParser(line)) {
                reader.read(p, lineNo);
            } catch (IOException ex) {
                problems.add("metrics.jsonl line " + lineNo + " is not valid JSON (a run killed while writing leaves this)");
            }
        }
    }

    /** The lines of a metrics.jsonl that is not valid UTF-8, read as {@link Files#readAllLines} reads them. */
    private static void eachLine(Path m, List<String> problems, RecordReader reader) {
        List<String> lines;
        try {
            lines = Files.readAllLines(m, StandardCharsets.UTF_8);
        } catch (IOException e) {
            problems.add("cannot read metrics.jsonl: " + e.getMessage());
            return;
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) continue;
            try (JsonParser p = JSON.getFactory().createParser(line)) {
                reader.read(p, i + 1);
            } catch (IOException ex) {
                problems.add("metrics.jsonl line " + (i + 1) + " is not valid JSON (a run killed while writing leaves this)");
            }
        }
    }

    /** One record of metrics.jsonl: an epoch is added to {@code epochs}; other record types are skipped. */
    private static void epochLine(JsonParser p, int lineNo, List<String> problems, List<Map<String, Double>> epochs) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            problems.add("metrics.jsonl line " + lineNo + " is not a record");
            return;
        }
        Map<String, Double> e = new LinkedHashMap<>();
        String type = "epoch";
        for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT) e.put(key, p.getDoubleValue());
            else if (v == JsonToken.VALUE_STRING && key.equals("type")) type = p.getText();
            else if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) p.skipChildren();
        }
        if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) throw new JsonParseException(p, "trailing content");
        if (!type.equals("epoch")) return;
        if (!e.containsKey("epoch")) {
            problems.add("metrics.jsonl line " + lineNo + " has no epoch number");
            return;
        }
        epochs.add(e);
    }

    private Cached read(Path dir, Stamp stamp) {
        List<String> readProblems = new ArrayList<>();
        JsonNode rec = record(dir, readProblems);
        EpochSummary sum = summarise(dir.resolve(RunDirectory.METRICS), readProblems);
        JsonNode cfg = rec.path("config");
        ObjectNode row = JSON.createObjectNode();
        row.put("path", files.rel(dir));
        String parentName = dir.getParent() == null || dir.getParent().getFileName() == null ? "?" : dir.getParent().getFileName().toString();
        row.put("name", rec.path("name").isTextual() ? rec.path("name").asText() : parentName);
        row.put("id", rec.path("run_id").isTextual() ? rec.path("run_id").asText() : dir.getFileName().toString());
        JsonNode sweep = rec.path("sweep");
        if (sweep.isObject()) {
            row.put("sweep", sweep.path("name").asText("") + "/" + sweep.path("sweep_id").asText(""));
            Path sweepDir = dir.getParent() == null ? null : dir.getParent().getParent();
            if (sweepDir != null && sweepDir.startsWith(files.root())) row.put("sweep_path", files.rel(sweepDir));
        }
        String rawStatus = rec.isMissingNode() ? "unreadable" : rec.path("status").isTextual() ? rec.path("status").asText() : "unknown";
        row.put("status", rawStatus);
        row.put("start", rec.path("start_time").asText(""));
        putNumber(row, "duration_s", rec.path("duration_s"));
        row.put("dataset", text(rec.path("dataset").path("name"), cfg.path("data").path("dataset")));
        row.put("model", modelSummary(rec, cfg));
        row.put("optimizer", text(cfg.path("optimizer").path("name"), rec.path("training").path("optimizer")));
        putNumber(row, "lr", cfg.path("optimizer").path("lr").isMissingNode() ? rec.path("training").path("lr") : cfg.path("optimizer").path("lr"));
        putNumber(row, "batch_size", cfg.path("training").path("batch_size"));
        row.put("epochs", sum.epochs);
        putNumber(row, "epochs_planned", cfg.path("training").path("epochs"));
        String valMetric = sum.metric();
        double best = sum.best();
        if (!Double.isNaN(best)) {
            row.put("best_val", best);
            row.put("best_val_metric", valMetric);
        }
        JsonNode fin = rec.path("final_metrics");
        String testKey = fin.has("test_accuracy") ? "test_accuracy" : null;
        if (testKey == null) {
            for (Map.Entry<String, JsonNode> f : fin.properties()) {
                if (f.getKey().startsWith("test_") && f.getValue().isNumber()) {
                    testKey = f.getKey();
                    break;
                }
            }
        }
        if (testKey != null && fin.path(testKey).isNumber()) {
            row.put("test", fin.path(testKey).asDouble());
            row.put("test_metric", testKey);
        }
        ArrayNode problems = row.putArray("problems");
        readProblems.forEach(problems::add);
        return new Cached(stamp, row, rawStatus, rec.path("pid").asLong(0));
    }

    private static String text(JsonNode a, JsonNode b) {
        if (a.isValueNode()) return a.asText();
        return b.isValueNode() ? b.asText() : "";
    }

    private static void putNumber(ObjectNode row, String key, JsonNode v) {
        if (v.isNumber()) row.put(key, v.asDouble());
        else if (v.isTextual()) {
            try {
                row.put(key, Double.parseDouble(v.asText()));
            } catch (NumberFormatException e) {
                // not a number: left out
            }
        }
    }

    /** The layer list as one line ("linear 256 · relu · linear 10") and the parameter count. */
    static String modelSummary(JsonNode rec, JsonNode cfg) {
        JsonNode layers = cfg.path("model").isArray() ? cfg.path("model") : rec.path("model").path("layers");
        StringBuilder sb = new StringBuilder();
        for (JsonNode l : layers) {
            if (sb.length() > 0) sb.append(" · ");
            if (l.isTextual()) {
                sb.append(l.asText());
            } else if (l.isObject() && l.size() > 0) {
                Map.Entry<String, JsonNode> f = l.properties().iterator().next();
                sb.append(f.getKey());
                JsonNode v = f.getValue();
                JsonNode size = v.isObject() ? (v.has("out") ? v.get("out") : v.has("hidden") ? v.get("hidden") : v.has("dim") ? v.get("dim") : null) : v;
                if (size != null && size.isValueNode()) sb.append(' ').append(trimNumber(size));
            }
        }
        JsonNode params = rec.path("model").path("parameters");
        if (params.isNumber()) sb.append(sb.length() > 0 ? " (" : "(").append(String.format("%,d", params.asLong())).append(" params)");
        return sb.toString();
    }

    private static String trimNumber(JsonNode v) {
        if (v.isFloatingPointNumber()) {
            double d = v.asDouble();
            return String.format(java.util.Locale.ROOT, "%.4g", d).replaceAll("\\.?0+$", "");
        }
        return v.asText();
    }

    private ObjectNode sweepRow(Path dir) {
        ObjectNode row = JSON.createObjectNode();
        row.put("path", files.rel(dir));
        JsonNode s = readJson(dir.resolve(SWEEP_JSON));
        row.put("name", s.path("name").asText(dir.getParent() == null ? "" : dir.getParent().getFileName().toString()));
        row.put("id", s.path("sweep_id").asText(dir.getFileName().toString()));
        row.put("objective", s.path("objective").asText(""));
        row.put("strategy", s.path("strategy").asText(""));
        putNumber(row, "trials", s.path("trials"));
        row.put("start", s.path("start_time").asText(""));
        return row;
    }

    static JsonNode readJson(Path f) {
        try {
            JsonNode n = JSON.readTree(f.toFile());
            return n == null ? MissingNode.getInstance() : n;
        } catch (IOException e) {
            return MissingNode.getInstance();
        }
    }
}
