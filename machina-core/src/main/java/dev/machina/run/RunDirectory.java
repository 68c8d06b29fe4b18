package dev.machina.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.machina.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * A run's directory, {@code <runs>/<name>/<run-id>/}, and the files written into it as the run
 * proceeds: {@code run.json} (provenance, configuration, status, final metrics),
 * {@code metrics.jsonl} (appended and flushed per record), {@code history.csv},
 * {@code model.safetensors}, {@code checkpoints/}, {@code test-results.json}, {@code log.txt},
 * {@code plots/}. Every whole-file write is atomic.
 */
public final class RunDirectory {
    public static final String RUN_JSON = "run.json", METRICS = "metrics.jsonl", HISTORY = "history.csv",
            MODEL = "model.safetensors", TEST_RESULTS = "test-results.json", LOG = "log.txt",
            CHECKPOINTS = "checkpoints", PLOTS = "plots";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper COMPACT_JSON = new ObjectMapper();
    private static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Path dir;
    private final String name;
    private ObjectNode record;

    private RunDirectory(Path dir, String name, ObjectNode record) {
        this.dir = dir;
        this.name = name;
        this.record = record;
    }

    /** Creates a new, empty run directory {@code root/name/<yyyyMMdd-HHmmss>[-N]}. */
    public static RunDirectory create(Path root, String name) throws IOException {
        if (name == null || name.isBlank() || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("run name must be letters, digits, '.', '_' or '-', got '" + name + "'");
        }
        Path parent = root.resolve(name);
        Files.createDirectories(parent);
        String base = LocalDateTime.now().format(ID);
        for (int i = 0; ; i++) {
            Path d = parent.resolve(i == 0 ? base : base + "-" + i);
            try {
                Files.createDirectory(d);
                Files.createDirectories(d.resolve(CHECKPOINTS));
                ObjectNode rec = JSON.createObjectNode();
                rec.put("name", name);
                rec.put("run_id", d.getFileName().toString());
                return new RunDirectory(d, name, rec);
            } catch (FileAlreadyExistsException e) {
                // another run started in the same second: take the next suffix
            }
        }
    }

    /**
     * Creates a run directory at exactly {@code dir} (a sweep's trial), named {@code name}; the
     * run id is the directory's own name. The directory must not exist or be empty.
     */
    public static RunDirectory createAt(Path dir, String name) throws IOException {
        if (name == null || name.isBlank() || !name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("run name must be letters, digits, '.', '_' or '-', got '" + name + "'");
        }
        Files.createDirectories(dir);
        try (var s = Files.list(dir)) {
            if (s.findAny().isPresent()) throw new FileAlreadyExistsException(dir + " is not empty");
        }
        Files.createDirectories(dir.resolve(CHECKPOINTS));
        ObjectNode rec = JSON.createObjectNode();
        rec.put("name", name);
        rec.put("run_id", dir.getFileName().toString());
        return new RunDirectory(dir, name, rec);
    }

    /** Opens an existing run directory (to resume or add results); run.json must be readable. */
    public static RunDirectory open(Path dir) throws IOException {
        Path rj = dir.resolve(RUN_JSON);
        if (!Files.isRegularFile(rj)) throw new IOException(dir + " is not a run directory: it has no " + RUN_JSON);
        JsonNode n;
        try {
            n = JSON.readTree(rj.toFile());
        } catch (IOException e) {
            throw new IOException(rj + " is not valid JSON: " + e.getMessage(), e);
        }
        if (!(n instanceof ObjectNode o)) throw new IOException(rj + " does not hold a JSON object");
        Files.createDirectories(dir.resolve(CHECKPOINTS));
        return new RunDirectory(dir, o.path("name").asText(dir.getParent() == null ? "run" : dir.getParent().getFileName().toString()), o);
    }

    public Path dir() {
        return dir;
    }

    public String name() {
        return name;
    }

    public Path file(String fileName) {
        return dir.resolve(fileName);
    }

    public Path checkpoints() {
        return dir.resolve(CHECKPOINTS);
    }

    /** The lock file a training process holds while it writes the run. */
    public static final String LOCK = ".lock";

    /**
     * Locks the run for one training process. The operating system releases the lock when the
     * process ends, however it ends, so a lock left by a killed process is simply taken over.
     *
     * @return the lock; close it when training ends
     * @throws IllegalStateException when another process (or this one) holds it, naming the holder
     */
    public java.io.Closeable lock() throws IOException {
        java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve(LOCK),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            String holder = Files.readString(dir.resolve(LOCK)).strip();
            ch.close();
            throw new IllegalStateException(dir + " is being trained by another process" + (holder.isEmpty() ? "" : " (" + holder + ")")
                    + "; wait for it to end or stop it first");
        }
        try {
            ch.truncate(0);
            ch.write(java.nio.ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + ", since " + java.time.Instant.now())
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (IOException e) {
            // the holder's note is only for the message above (a full disk has no room for it); the lock is held all the same
        }
        java.nio.channels.FileLock held = lock;
        return () -> {
            held.release();
            ch.close();
        };
    }

    /**
     * Before a resume: drops from metrics.jsonl what was logged after the checkpoint the run
     * resumes from (epoch records past {@code epochs}, step records past {@code steps}, and a
     * last line cut short by a kill), and deletes stray temporary files of interrupted writes, so
     * the resumed run's records read as an uninterrupted run's.
     */
    public void trimToCheckpoint(int epochs, long steps) throws IOException {
        Path m = dir.resolve(METRICS);
        if (Files.isRegularFile(m)) {
            ObjectMapper json = COMPACT_JSON;
            StringBuilder kept = new StringBuilder();
            for (String line : Files.readAllLines(m)) {
                JsonNode r;
                try {
                    r = json.readTree(line);
                } catch (IOException e) {
                    continue; // a line cut short by a kill
                }
                if (r == null || !r.isObject()) continue;
                String type = r.path("type").asText("");
                if (type.equals("epoch") && r.path("epoch").asInt(0) > epochs) continue;
                if (type.equals("step") && r.path("step").asLong(0) > steps) continue;
                kept.append(line).append('\n');
            }
            AtomicFiles.writeString(m, kept.toString());
        }
        try (var files = Files.walk(dir, 2)) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("\\..+\\.tmp")).toList()) Files.deleteIfExists(f);
        }
    }

    /**
     * Drops from log.txt the epoch lines ("epoch k/n …") with k over {@code epochs} that the
     * current training segment (after the last "started" or "resumed" line) logged: a failed fit
     * ends at its last epoch whose files and checkpoint were all written.
     */
    public synchronized void trimLog(int epochs) throws IOException {
        Path f = dir.resolve(LOG);
        if (!Files.isRegularFile(f)) return;
        List<String> lines = Files.readAllLines(f);
        int segment = 0;
        for (int i = 0; i < lines.size(); i++) if (lines.get(i).startsWith("started ") || lines.get(i).startsWith("resumed ")) segment = i;
        StringBuilder kept = new StringBuilder();
        var epochLine = java.util.regex.Pattern.compile("^epoch +(\\d+)/\\d+");
        for (int i = 0; i < lines.size(); i++) {
            var m = epochLine.matcher(lines.get(i));
            if (i > segment && m.find() && Integer.parseInt(m.group(1)) > epochs) continue;
            kept.append(lines.get(i)).append('\n');
        }
        AtomicFiles.writeString(f, kept.toString());
    }

    public Path plots() throws IOException {
        return Files.createDirectories(dir.resolve(PLOTS));
    }

    /** The run.json record held in memory (change it, then {@link #saveRecord()}). */
    public ObjectNode record() {
        return record;
    }

    /** Sets one top-level field of run.json (any Jackson-convertible value) and saves. */
    public synchronized void put(String key, Object value) {
        record.set(key, JSON.valueToTree(value));
        saveRecord();
    }

    /**
     * Writes run.json atomically. When that fails, as on a full disk (no room for the new copy
     * beside the old), the record is written without indentation, which makes it shorter than the
     * indented old copy, over that copy's own bytes ({@link AtomicFiles#overwriteInPlace}), so that
     * run.json still says how the run ended; if that fails too, run.json is left as it was and the
     * error is thrown.
     */
    public synchronized void saveRecord() {
        saveRecord(record);
    }

    /** {@link #saveRecord()} of {@code record}: a copy of {@link #record()} taken earlier (written behind by {@link RunRecorder}). */
    synchronized void saveRecord(ObjectNode record) {
        Path file = dir.resolve(RUN_JSON);
        try {
            AtomicFiles.writeString(file, JSON.writeValueAsString(record) + "\n");
        } catch (IOException e) {
            try {
                byte[] compact = (COMPACT_JSON.writeValueAsString(record) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
                if (Files.isRegularFile(file)) {
                    AtomicFiles.overwriteInPlace(file, compact);
                    return;
                }
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Appends one record to metrics.jsonl and flushes it to disk. */
    public synchronized void appendMetrics(Map<String, ?> values) {
        try {
            AtomicFiles.appendLine(dir.resolve(METRICS), COMPACT_JSON.writeValueAsString(values), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + dir.resolve(METRICS) + ": " + e.getMessage(), e);
        }
    }

    /** Appends a line to log.txt. */
    public synchronized void log(String line) {
        try {
            AtomicFiles.appendLine(dir.resolve(LOG), line, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + dir.resolve(LOG) + ": " + e.getMessage(), e);
        }
    }

    /** Rewrites history.csv from per-epoch records (columns: the union of keys, in first-seen order). */
    public void writeHistory(List<Map<String, Double>> epochs) {
        java.util.LinkedHashSet<String> cols = new java.util.LinkedHashSet<>();
        for (Map<String, Double> e : epochs) cols.addAll(e.keySet());
        StringBuilder sb = new StringBuilder(String.join(",", cols)).append('\n');
        for (Map<String, Double> e : epochs) {
            boolean first = true;
            for (String c : cols) {
                if (!first) sb.append(',');
                first = false;
                Double v = e.get(c);
                if (v != null) sb.append(formatNumber(v));
            }
            sb.append('\n');
        }
        try {
            AtomicFiles.writeString(dir.resolve(HISTORY), sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(HISTORY) + ": " + e.getMessage(), e);
        }
    }

    /** The per-epoch records {@link #writeHistory} wrote (an empty list when there is no history.csv); a blank cell is left out. */
    public List<Map<String, Double>> readHistory() throws IOException {
        Path file = dir.resolve(HISTORY);
        if (!Files.isRegularFile(file)) return List.of();
        List<String> lines = Files.readAllLines(file);
        List<Map<String, Double>> epochs = new java.util.ArrayList<>();
        if (lines.isEmpty()) return epochs;
        String[] cols = lines.get(0).split(",", -1);
        for (String line : lines.subList(1, lines.size())) {
            if (line.isEmpty()) continue;
            String[] v = line.split(",", -1);
            Map<String, Double> e = new java.util.LinkedHashMap<>();
            for (int i = 0; i < Math.min(cols.length, v.length); i++) {
                if (!v[i].isEmpty()) e.put(cols[i], Double.valueOf(v[i]));
            }
            epochs.add(e);
        }
        return epochs;
    }

    static String formatNumber(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return Double.toString(v);
    }

    /** Writes test-results.json (atomically) from a JSON string. */
    public void writeTestResults(String json) throws IOException {
        AtomicFiles.writeString(dir.resolve(TEST_RESULTS), json.endsWith("\n") ? json : json + "\n");
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
