package dev.machina.ui;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server over HTTP: what it lists, that it only reads, and that it never serves a file outside the runs directory. */
class UiServerTest {
    @TempDir
    static Path tmp;
    static Path runs;
    static UiServer ui;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws IOException {
        runs = Files.createDirectories(tmp.resolve("runs"));
        Files.writeString(tmp.resolve("secret.txt"), "outside the runs directory\n");
        SeedRuns.writeFinished(runs.resolve("mlp/20250101-120000"), "mlp", "20250101-120000", 0.01, 32, 4, 0.91);
        // the ways a run directory can be damaged
        Path half = Files.createDirectories(runs.resolve("broken/half-written"));
        Files.writeString(half.resolve("run.json"), "{\"name\": \"half\", \"status\": \"runn");
        Files.writeString(half.resolve("metrics.jsonl"), "{\"type\":\"epoch\",\"epoch\":1,\"train_loss\":0.5}\n{\"type\":\"epoch\",\"ep");
        Path other = Files.createDirectories(runs.resolve("broken/other-version"));
        Files.writeString(other.resolve("run.json"), "{\"format\": 99, \"name\": [1, 2], \"status\": {\"x\": 1}, \"config\": \"none\", \"final_metrics\": 3}");
        Files.writeString(other.resolve("metrics.jsonl"), "[1,2,3]\n\"text\"\n{\"type\":\"epoch\",\"epoch\":\"one\"}\n");
        Files.writeString(other.resolve("test-results.json"), "{\"confusion_matrix\": [[1, 2], [3]], \"curves\": 5}");
        Path crashed = Files.createDirectories(runs.resolve("broken/crashed"));
        Files.writeString(crashed.resolve("run.json"), "{\"name\": \"crashed\", \"run_id\": \"c1\", \"status\": \"running\", \"pid\": 2147483000}");
        Path empty = Files.createDirectories(runs.resolve("broken/empty-metrics"));
        Files.writeString(empty.resolve("metrics.jsonl"), "");
        // links that point out of the runs directory
        Files.createSymbolicLink(runs.resolve("mlp/20250101-120000/leak.txt"), tmp.resolve("secret.txt"));
        Files.createSymbolicLink(runs.resolve("outside"), tmp);
        ui = UiServer.start(runs, "127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        if (ui != null) ui.close();
    }

    static HttpResponse<String> get(String rawPath) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(ui.uri().toString() + rawPath.substring(1))).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends the request line exactly as given (no client-side normalisation) and returns the status code. */
    static int rawStatus(String target) throws IOException {
        try (Socket s = new Socket("127.0.0.1", ui.uri().getPort())) {
            OutputStream out = s.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            String status = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).lines().findFirst().orElse("");
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    @Test
    void listsEveryRunAndSurvivesDamagedOnes() throws Exception {
        HttpResponse<String> r = get("/api/runs");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode list = RunsIndex.JSON.readTree(r.body());
        Map<String, JsonNode> byPath = new java.util.HashMap<>();
        list.path("runs").forEach(n -> byPath.put(n.path("path").asText(), n));
        assertThat(byPath).containsKeys("mlp/20250101-120000", "broken/half-written", "broken/other-version", "broken/crashed", "broken/empty-metrics");
        JsonNode mlp = byPath.get("mlp/20250101-120000");
        assertThat(mlp.path("status").asText()).isEqualTo("completed");
        assertThat(mlp.path("lr").asDouble()).isEqualTo(0.01);
        assertThat(mlp.path("epochs").asInt()).isEqualTo(4);
        assertThat(mlp.path("test").asDouble()).isEqualTo(0.91);
        JsonNode half = byPath.get("broken/half-written");
        assertThat(half.path("status").asText()).isEqualTo("unreadable");
        assertThat(half.path("epochs").asInt()).isEqualTo(1);
        assertThat(half.path("problems").toString()).contains("run.json is not valid JSON", "metrics.jsonl line 2");
        assertThat(byPath.get("broken/crashed").path("status").asText()).isEqualTo("crashed");
        assertThat(byPath.get("broken/other-version").path("name").asText()).isEqualTo("broken");
        // the run page of each damaged run answers too
        for (String p : List.of("broken/half-written", "broken/other-version", "broken/crashed", "broken/empty-metrics")) {
            HttpResponse<String> d = get("/api/run?p=" + p);
            assertThat(d.statusCode()).as(p).isEqualTo(200);
            assertThat(RunsIndex.JSON.readTree(d.body()).path("problems").size()).as(p).isGreaterThan(0);
        }
    }

    @Test
    void servesTheRunsFilesAndThePages() throws Exception {
        assertThat(get("/files/mlp/20250101-120000/metrics.jsonl").body()).contains("\"epoch\":4");
        assertThat(get("/").body()).contains("data-page=\"index\"");
        HttpResponse<String> js = get("/static/uplot/uPlot.iife.min.js");
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.body()).contains("uPlot");
        assertThat(get("/static/app.js").statusCode()).isEqualTo(200);
    }

    @Test
    void everyResponseForbidsOtherOrigins() throws Exception {
        for (String p : List.of("/", "/api/runs", "/files/mlp/20250101-120000/run.json", "/nope")) {
            String csp = get(p).headers().firstValue("Content-Security-Policy").orElse("");
            assertThat(csp).as(p).contains("default-src 'none'", "script-src 'self'", "connect-src 'self'").doesNotContain("http", "*");
        }
    }

    @Test
    void refusesToWrite() throws Exception {
        for (String m : List.of("POST", "PUT", "DELETE", "PATCH")) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(ui.uri().resolve("/files/mlp/20250101-120000/run.json"))
                    .method(m, HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(m).isEqualTo(405);
        }
        assertThat(Files.readString(runs.resolve("mlp/20250101-120000/run.json"))).contains("\"completed\"");
    }

    @Test
    void neverServesAFileOutsideTheRunsDirectory() throws Exception {
        List<String> attempts = new ArrayList<>(List.of(
                "/files/../secret.txt", "/files/mlp/../../secret.txt", "/files/%2e%2e/secret.txt", "/files/%2E%2E/secret.txt",
                "/files/mlp/%2e%2e/%2e%2e/secret.txt", "/files/..%2fsecret.txt", "/files/%2e%2e%2fsecret.txt", "/files//etc/passwd",
                "/files/%2fetc%2fpasswd", "/files/..%5csecret.txt", "/files/mlp/20250101-120000/leak.txt", "/files/outside/secret.txt",
                "/api/run?p=..", "/api/run?p=%2e%2e", "/api/run?p=/tmp", "/api/run?p=outside", "/api/compare?p=mlp/../..",
                "/api/sweep?p=../", "/api/metrics?p=mlp%2F..%2F..", "/files/%252e%252e/secret.txt", "/files/mlp/20250101-120000/run.json%00", "/files/%zz/x",
                "/api/run?p=%zz"));
        for (String a : attempts) {
            int code = rawStatus(a);
            assertThat(code).as(a).isIn(400, 404);
        }
        // and through a client as a browser would send them
        assertThat(get("/files/%2e%2e/secret.txt").statusCode()).isIn(400, 404);
        assertThat(get("/files/mlp/20250101-120000/leak.txt").body()).doesNotContain("outside the runs directory");
    }

    @Test
    void tellsTheTaskOfARun() throws Exception {
        Path lm = Files.createDirectories(runs.resolve("text-lstm/1"));
        Files.writeString(lm.resolve("run.json"), "{\"name\": \"text-lstm\", \"status\": \"completed\", \"config\": {}, \"dataset\": {\"name\": \"text\"},"
                + " \"final_metrics\": {\"test_loss\": 3.2}}");
        Files.writeString(lm.resolve("metrics.jsonl"), "{\"type\":\"epoch\",\"epoch\":1,\"train_loss\":3.3,\"val_loss\":4.1}\n");
        Path reg = Files.createDirectories(runs.resolve("sine/1"));
        Files.writeString(reg.resolve("run.json"), "{\"name\": \"sine\", \"status\": \"completed\", \"config\": {}, \"dataset\": {\"name\": \"sine\"},"
                + " \"final_metrics\": {\"test_loss\": 0.01}}");
        Files.writeString(reg.resolve("metrics.jsonl"), "{\"type\":\"epoch\",\"epoch\":1,\"train_loss\":0.1,\"val_loss\":0.02}\n");
        assertThat(RunsIndex.JSON.readTree(get("/api/run?p=text-lstm/1").body()).path("task").asText()).isEqualTo("language-model");
        JsonNode sine = RunsIndex.JSON.readTree(get("/api/run?p=sine/1").body());
        assertThat(sine.path("task").asText()).isEqualTo("regression");
        assertThat(sine.path("test_metric").asText()).isEqualTo("test_loss");
        assertThat(sine.path("best_val_metric").asText()).isEqualTo("val_loss");
        assertThat(RunsIndex.JSON.readTree(get("/api/run?p=mlp/20250101-120000").body()).path("task").asText()).isEqualTo("classification");
    }

    @Test
    void comparesAndShowsMetricsSinceAnEpoch() throws Exception {
        SeedRuns.writeFinished(runs.resolve("mlp/20250101-130000"), "mlp", "20250101-130000", 0.1, 32, 3, 0.88);
        JsonNode c = RunsIndex.JSON.readTree(get("/api/compare?p=mlp/20250101-120000&p=mlp/20250101-130000").body());
        assertThat(c.path("runs").size()).isEqualTo(2);
        assertThat(c.path("differing").has("optimizer.lr")).isTrue();
        assertThat(c.path("differing").has("training.batch_size")).isFalse();
        JsonNode m = RunsIndex.JSON.readTree(get("/api/metrics?p=mlp/20250101-120000&since=3").body());
        assertThat(m.path("total").asInt()).isEqualTo(4);
        assertThat(m.path("epochs").size()).isEqualTo(1);
    }
}
