package dev.machina.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.machina.experiment.UserError;
import dev.machina.ui.UiServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * `machina bench ui-list`: writes N run directories (run.json as a spec run writes it, a 30-epoch
 * metrics.jsonl, log.txt; one in ten as a trial of a sweep), starts the dashboard's server on them
 * and times {@code GET /api/runs}, the request behind the runs table, a few times:
 * <pre>./machina bench ui-list [--runs N] [--repeats R] [--dir DIR]</pre>
 * The server starts reading every run.json and metrics.jsonl when it starts (the files were just
 * written, so they are in the OS page cache), and the first request, sent at once, shares that
 * work; later ones reuse the rows of unchanged runs and only walk the directories.
 */
@Command(name = "ui-list", mixinStandardHelpOptions = true,
        description = "Time of the runs dashboard's run list (GET /api/runs) over N generated run directories.")
final class UiListBench implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--runs", defaultValue = "2000", description = "Run directories to generate (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--repeats", defaultValue = "5", description = "Requests (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where to generate them (default: a temporary directory, deleted after).")
    Path dir;

    @Override
    public void run() {
        if (runs < 1 || repeats < 1) throw new UserError("--runs and --repeats must be at least 1");
        PrintWriter out = spec.commandLine().getOut();
        try {
            boolean temp = dir == null;
            Path root = temp ? Files.createTempDirectory("machina-ui-bench") : Files.createDirectories(dir);
            try {
                long t0 = System.nanoTime();
                generate(root, runs);
                out.printf(Locale.ROOT, "wrote %d run directories under %s in %.1f s%n", runs, root, (System.nanoTime() - t0) / 1e9);
                long started = System.nanoTime();
                try (UiServer ui = UiServer.start(root, "127.0.0.1", 0)) {
                    HttpClient http = HttpClient.newHttpClient();
                    HttpRequest req = HttpRequest.newBuilder(ui.uri().resolve("/api/runs")).build();
                    for (int r = 0; r < repeats; r++) {
                        long s = System.nanoTime();
                        HttpResponse<byte[]> resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
                        double secs = (System.nanoTime() - s) / 1e9;
                        if (resp.statusCode() != 200) throw new IllegalStateException("GET /api/runs answered " + resp.statusCode());
                        int listed = JSON.readTree(resp.body()).path("runs").size();
                        out.printf(Locale.ROOT, "request %d: %d runs listed in %.3f s (%,d bytes of JSON)%s%n", r, listed, secs, resp.body().length,
                                r == 0 ? String.format(Locale.ROOT, ", %.3f s after the server started", (System.nanoTime() - started) / 1e9) : "");
                        out.flush();
                    }
                }
            } finally {
                if (temp) deleteTree(root);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void generate(Path root, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            boolean trial = i % 10 == 9;
            String name = trial ? "sweep-" + (i / 100) : "exp-" + (i % 40);
            String id = trial ? String.format("%03d", i % 100) : String.format("20250101-%06d", i);
            Path d = trial ? root.resolve(name).resolve("20250101-000000").resolve("trials").resolve(id) : root.resolve(name).resolve(id);
            Files.createDirectories(d.resolve("checkpoints"));
            double lr = 1e-4 * (1 + i % 50);
            Files.writeString(d.resolve("run.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(record(name, id, lr, i)));
            StringBuilder m = new StringBuilder();
            for (int e = 1; e <= 30; e++) {
                m.append(String.format(Locale.ROOT, "{\"type\":\"epoch\",\"epoch\":%d,\"train_loss\":%.6f,\"train_accuracy\":%.6f,\"val_loss\":%.6f,"
                        + "\"val_accuracy\":%.6f,\"lr\":%s,\"epoch_time_s\":0.5,\"samples_per_s\":5000.0,\"step\":%d}%n",
                        e, 1.0 / e, 1 - 0.5 / e, 1.1 / e, 1 - 0.6 / e, lr, e * 80));
            }
            Files.writeString(d.resolve("metrics.jsonl"), m.toString());
            Files.writeString(d.resolve("log.txt"), "started " + name + "\nended completed\n");
        }
    }

    private static ObjectNode record(String name, String id, double lr, int i) {
        ObjectNode r = JSON.createObjectNode();
        r.put("name", name);
        r.put("run_id", id);
        ObjectNode cfg = r.putObject("config");
        cfg.put("name", name);
        cfg.put("seed", 42);
        cfg.putObject("data").put("dataset", "digits").put("test", 0.2).put("validation", 0.1).put("transform", "standardize");
        ArrayNode model = cfg.putArray("model");
        model.addObject().putObject("linear").put("out", 256).put("bias", true);
        model.add("relu");
        model.addObject().put("dropout", 0.2);
        model.addObject().putObject("linear").put("out", 10).put("bias", true);
        cfg.putObject("loss").put("name", "cross_entropy");
        cfg.putObject("optimizer").put("name", "adam").put("lr", lr).put("weight_decay", 0.0);
        cfg.putObject("schedule").put("name", "cosine");
        cfg.putObject("training").put("epochs", 30).put("batch_size", 16 << (i % 3));
        ObjectNode ds = r.putObject("dataset");
        ds.put("name", "digits");
        ds.put("sha256_data", "bb17b6713a8abd6e290c6f8e60cbaf069bc8a5435aec31411630089dc31504af");
        ds.put("train", 1293).put("validation", 145).put("test", 359);
        ArrayNode classes = ds.putArray("class_names");
        for (int c = 0; c < 10; c++) classes.add(Integer.toString(c));
        ObjectNode p = r.putObject("provenance");
        p.put("machina_version", "0.1.0-SNAPSHOT").put("java_version", "25").put("os", "Linux").put("cores", 2).put("git_commit", "0".repeat(40));
        r.putObject("model").put("summary", "Sequential(...)").put("parameters", 19210);
        r.put("start_time", "2025-01-01T00:00:00Z");
        r.put("status", "completed");
        r.put("end_time", "2025-01-01T00:00:15Z");
        r.put("duration_s", 15.0);
        r.put("epochs_completed", 30);
        r.putObject("final_metrics").put("val_accuracy", 0.98).put("test_accuracy", 0.97);
        return r;
    }

    private static void deleteTree(Path root) throws IOException {
        try (var s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
