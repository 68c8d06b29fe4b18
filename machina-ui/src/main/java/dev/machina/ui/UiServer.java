package dev.machina.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.machina.run.RunDirectory;
import dev.machina.run.RunInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The runs dashboard: a read-only web server over one runs directory, on the JDK's own
 * {@link HttpServer}. Pages ({@code /}, {@code /run}, {@code /compare}, {@code /sweep}) are static
 * HTML and JavaScript from this jar that draw with uPlot (a WebJar, also served from the jar);
 * they read JSON from {@code /api/…} and files from {@code /files/<path under the runs directory>}.
 * Only GET and HEAD are answered; nothing is ever written. Every response carries a
 * Content-Security-Policy that allows requests to this origin only.
 */
public final class UiServer implements AutoCloseable {
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            + "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final String STATIC = "/dev/machina/ui/static/";
    private static final String UPLOT = "/META-INF/resources/webjars/uplot/1.6.30/dist/";
    private static final Map<String, String> PAGES = Map.of("/", "index.html", "/run", "run.html", "/compare", "compare.html", "/sweep", "sweep.html");
    private static final int LOG_TAIL_BYTES = 16 * 1024;

    private final HttpServer server;
    private final ExecutorService pool;
    private final RunFiles files;
    private final RunsIndex index;

    private UiServer(HttpServer server, ExecutorService pool, RunFiles files) {
        this.server = server;
        this.pool = pool;
        this.files = files;
        this.index = new RunsIndex(files);
    }

    /** Starts serving {@code runsDir} on host:port (port 0: any free port). */
    public static UiServer start(Path runsDir, String host, int port) throws IOException {
        if (!Files.isDirectory(runsDir)) throw new IOException(runsDir + " is not a directory (train a run first, or pass --runs DIR)");
        HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 64);
        ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "machina-ui");
            t.setDaemon(true);
            return t;
        });
        UiServer ui = new UiServer(http, pool, new RunFiles(runsDir));
        http.createContext("/", ui::handle);
        http.setExecutor(pool);
        http.start();
        // read every run once now, so the first page load finds the rows ready
        pool.execute(() -> {
            try {
                ui.index.list();
            } catch (IOException | RuntimeException e) {
                // the first request will read them itself and report what fails
            }
        });
        return ui;
    }

    /** The address to open, e.g. {@code http://127.0.0.1:8765/}. */
    public URI uri() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create("http://" + host + ":" + a.getPort() + "/");
    }

    public Path runsDir() {
        return files.root();
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            var h = ex.getResponseHeaders();
            h.set("Content-Security-Policy", CSP);
            h.set("X-Content-Type-Options", "nosniff");
            h.set("Referrer-Policy", "no-referrer");
            h.set("Cache-Control", "no-store");
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                h.set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain", "read-only: only GET and HEAD\n");
                return;
            }
            String raw = ex.getRequestURI().getRawPath();
            try {
                route(ex, raw);
            } catch (RunFiles.BadPath e) {
                send(ex, 400, "text/plain", "bad path: " + e.getMessage() + "\n");
            } catch (RuntimeException | IOException e) {
                send(ex, 500, "text/plain", "error: " + e + "\n");
            }
        }
    }

    private void route(HttpExchange ex, String raw) throws IOException, RunFiles.BadPath {
        if (PAGES.containsKey(raw)) {
            resource(ex, STATIC + PAGES.get(raw));
        } else if (raw.startsWith("/static/uplot/") && raw.substring(14).matches("uPlot\\.(iife\\.min\\.js|min\\.css)")) {
            resource(ex, UPLOT + raw.substring(14));
        } else if (raw.startsWith("/static/") && raw.substring(8).matches("[a-z][a-z0-9-]*\\.(js|css|svg)")) {
            resource(ex, STATIC + raw.substring(8));
        } else if (raw.startsWith("/files/")) {
            file(ex, files.resolveRaw(raw.substring(7)));
        } else if (raw.startsWith("/api/")) {
            Map<String, List<String>> q = query(ex.getRequestURI().getRawQuery());
            JsonNode body = switch (raw) {
                case "/api/runs" -> index.list();
                case "/api/run" -> run(dir(q));
                case "/api/metrics" -> metrics(dir(q), intParam(q, "since"));
                case "/api/compare" -> compare(q.getOrDefault("p", List.of()));
                case "/api/sweep" -> sweep(dir(q));
                default -> null;
            };
            if (body == null) send(ex, 404, "text/plain", "not found\n");
            else send(ex, 200, "application/json", RunsIndex.JSON.writeValueAsString(body));
        } else {
            send(ex, 404, "text/plain", "not found\n");
        }
    }

    private Path dir(Map<String, List<String>> q) throws RunFiles.BadPath {
        List<String> p = q.get("p");
        if (p == null || p.size() != 1) throw new RunFiles.BadPath("one p=<run directory> is needed");
        Path d = files.resolve(p.get(0));
        if (files.existing(d).filter(Files::isDirectory).isEmpty()) throw new RunFiles.BadPath("no directory " + p.get(0));
        return d;
    }

    private static int intParam(Map<String, List<String>> q, String key) {
        try {
            return Math.max(0, Integer.parseInt(q.getOrDefault(key, List.of("0")).get(0)));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static Map<String, List<String>> query(String raw) throws RunFiles.BadPath {
        Map<String, List<String>> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return q;
        for (String kv : raw.split("&")) {
            int i = kv.indexOf('=');
            try {
                String k = URLDecoder.decode(i < 0 ? kv : kv.substring(0, i), StandardCharsets.UTF_8);
                String v = i < 0 ? "" : URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8);
                q.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
            } catch (IllegalArgumentException e) {
                throw new RunFiles.BadPath("malformed percent-encoding in the query");
            }
        }
        return q;
    }

    // ---- API ----

    private ObjectNode run(Path dir) throws IOException {
        ObjectNode out = index.row(dir);
        RunInfo info = RunsIndex.light(dir);
        ArrayNode problems = out.putArray("problems");
        info.problems().forEach(problems::add);
        out.set("record", info.record().isMissingNode() ? null : info.record());
        out.set("history", RunsIndex.JSON.valueToTree(info.epochs()));
        Path test = dir.resolve(RunDirectory.TEST_RESULTS);
        if (files.isPlainFile(test)) {
            JsonNode t = RunsIndex.readJson(test);
            if (t.isMissingNode()) problems.add("test-results.json is not valid JSON");
            else {
                out.set("test_results", t);
                JsonNode cm = t.path("confusion_matrix");
                if (cm.isArray()) {
                    for (JsonNode row : cm) {
                        if (!row.isArray() || row.size() != cm.size()) {
                            problems.add("test-results.json: confusion_matrix is not a square matrix");
                            break;
                        }
                    }
                }
                if (t.has("curves") && !t.path("curves").isObject()) problems.add("test-results.json: curves are malformed");
            }
        }
        Path mis = dir.resolve("misclassified.json");
        if (files.isPlainFile(mis)) {
            JsonNode m = RunsIndex.readJson(mis);
            if (m.isMissingNode()) problems.add("misclassified.json is not valid JSON");
            else out.set("misclassified", m);
        }
        Path spec = dir.resolve("spec.yaml");
        if (files.isPlainFile(spec)) out.put("spec", Files.readString(spec, StandardCharsets.UTF_8));
        Path log = dir.resolve(RunDirectory.LOG);
        if (files.isPlainFile(log)) out.put("log_tail", tail(log));
        out.set("files", listFiles(dir));
        out.put("task", task(info, out.path("test_results")));
        return out;
    }

    /** classification, language-model or regression, from what the run recorded. */
    static String task(RunInfo info, JsonNode test) {
        JsonNode rec = info.record();
        if (test.has("confusion_matrix") || info.epochs().stream().anyMatch(e -> e.containsKey("val_accuracy") || e.containsKey("train_accuracy"))) {
            return "classification";
        }
        String ds = rec.path("dataset").path("name").asText(rec.path("config").path("data").path("dataset").asText(""));
        if (test.has("perplexity") || test.has("test_perplexity") || ds.equals("text") || rec.path("dataset").has("vocabulary")
                || info.epochs().stream().anyMatch(e -> e.keySet().stream().anyMatch(k -> k.contains("perplexity")))) {
            return "language-model";
        }
        return "regression";
    }

    private ObjectNode metrics(Path dir, int since) {
        ObjectNode out = RunsIndex.JSON.createObjectNode();
        ObjectNode row = index.row(dir);
        out.set("status", row.get("status"));
        out.set("row", row);
        List<String> problems = new ArrayList<>();
        List<Map<String, Double>> epochs = RunsIndex.readEpochs(dir.resolve(RunDirectory.METRICS), problems);
        out.put("total", epochs.size());
        out.set("epochs", RunsIndex.JSON.valueToTree(epochs.subList(Math.min(since, epochs.size()), epochs.size())));
        Path log = dir.resolve(RunDirectory.LOG);
        if (files.isPlainFile(log)) {
            try {
                out.put("log_tail", tail(log));
            } catch (IOException e) {
                // the tail is optional
            }
        }
        return out;
    }

    private ObjectNode compare(List<String> paths) throws RunFiles.BadPath {
        ObjectNode out = RunsIndex.JSON.createObjectNode();
        ArrayNode runs = out.putArray("runs");
        List<Map<String, String>> flat = new ArrayList<>();
        for (String p : paths) {
            Path d = files.resolve(p);
            if (files.existing(d).filter(Files::isDirectory).isEmpty()) throw new RunFiles.BadPath("no directory " + p);
            RunInfo info = RunsIndex.light(d);
            ObjectNode r = index.row(d);
            r.set("history", RunsIndex.JSON.valueToTree(info.epochs()));
            runs.add(r);
            flat.add(info.flatConfig());
        }
        Set<String> keys = new LinkedHashSet<>();
        flat.forEach(f -> keys.addAll(f.keySet()));
        ObjectNode differing = out.putObject("differing");
        for (String k : keys) {
            if (k.equals("name")) continue;
            List<String> vals = new ArrayList<>();
            for (Map<String, String> f : flat) vals.add(f.getOrDefault(k, "—"));
            if (vals.stream().distinct().count() > 1) {
                ArrayNode a = differing.putArray(k);
                vals.forEach(a::add);
            }
        }
        return out;
    }

    private ObjectNode sweep(Path dir) throws IOException {
        ObjectNode out = RunsIndex.JSON.createObjectNode();
        out.put("path", files.rel(dir));
        JsonNode s = RunsIndex.readJson(dir.resolve(RunsIndex.SWEEP_JSON));
        ArrayNode problems = out.putArray("problems");
        if (s.isMissingNode()) problems.add("sweep.json is missing or not valid JSON");
        out.set("sweep", s.isMissingNode() ? null : s);
        Path lb = dir.resolve("leaderboard.json");
        JsonNode l = files.isPlainFile(lb) ? RunsIndex.readJson(lb) : com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        if (l.isMissingNode()) problems.add("leaderboard.json is missing or not valid JSON (no trial has finished yet?)");
        out.set("leaderboard", l.isMissingNode() ? null : l);
        Path best = dir.resolve("best.yaml");
        if (files.isPlainFile(best)) {
            out.put("best_yaml", Files.readString(best, StandardCharsets.UTF_8));
            out.put("best_path", files.rel(best));
            out.put("command", "./machina train " + best);
        }
        ArrayNode trials = out.putArray("trials");
        Path td = dir.resolve("trials");
        if (Files.isDirectory(td, LinkOption.NOFOLLOW_LINKS)) {
            try (var st = Files.list(td)) {
                for (Path t : st.sorted().toList()) {
                    if (Files.isDirectory(t, LinkOption.NOFOLLOW_LINKS)) trials.add(index.row(t));
                }
            }
        }
        return out;
    }

    private ArrayNode listFiles(Path dir) throws IOException {
        ArrayNode out = RunsIndex.JSON.createArrayNode();
        Files.walkFileTree(dir, java.util.EnumSet.noneOf(java.nio.file.FileVisitOption.class), 3, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                if (a.isRegularFile() && out.size() < 500) {
                    ObjectNode n = out.addObject();
                    n.put("path", files.rel(f));
                    n.put("name", dir.relativize(f).toString().replace('\\', '/'));
                    n.put("size", a.size());
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
                return FileVisitResult.CONTINUE;
            }
        });
        return out;
    }

    static String tail(Path f) throws IOException {
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "r")) {
            long len = r.length();
            long from = Math.max(0, len - LOG_TAIL_BYTES);
            byte[] b = new byte[(int) (len - from)];
            r.seek(from);
            r.readFully(b);
            String s = new String(b, StandardCharsets.UTF_8);
            if (from > 0) s = s.substring(s.indexOf('\n') + 1);
            return s;
        }
    }

    // ---- responses ----

    private void file(HttpExchange ex, Path p) throws IOException {
        if (!files.isPlainFile(p)) {
            send(ex, 404, "text/plain", "not found\n");
            return;
        }
        String name = p.getFileName().toString();
        String ext = name.contains(".") ? name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT) : "";
        String type = switch (ext) {
            case "png" -> "image/png";
            case "json", "jsonl", "yaml", "yml", "csv", "txt", "log", "svg", "html" -> "text/plain; charset=utf-8";
            default -> "application/octet-stream";
        };
        var h = ex.getResponseHeaders();
        h.set("Content-Type", type);
        if (type.equals("application/octet-stream") || ex.getRequestURI().getRawQuery() != null && ex.getRequestURI().getRawQuery().contains("download")) {
            h.set("Content-Disposition", "attachment; filename=\"" + name.replaceAll("[^A-Za-z0-9._-]", "_") + "\"");
        }
        long size = Files.size(p);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(200, -1);
            return;
        }
        ex.sendResponseHeaders(200, size == 0 ? -1 : size);
        try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS); OutputStream out = ex.getResponseBody()) {
            in.transferTo(out);
        }
    }

    private void resource(HttpExchange ex, String name) throws IOException {
        try (InputStream in = UiServer.class.getResourceAsStream(name)) {
            if (in == null) {
                send(ex, 404, "text/plain", "not found\n");
                return;
            }
            byte[] b = in.readAllBytes();
            String type = name.endsWith(".html") ? "text/html; charset=utf-8" : name.endsWith(".js") ? "text/javascript; charset=utf-8"
                    : name.endsWith(".css") ? "text/css; charset=utf-8" : name.endsWith(".svg") ? "image/svg+xml" : "application/octet-stream";
            send(ex, 200, type, b);
        }
    }

    private static void send(HttpExchange ex, int code, String type, String body) throws IOException {
        send(ex, code, type.contains("charset") ? type : type + "; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int code, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(code, -1);
            return;
        }
        ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
