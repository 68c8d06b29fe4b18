package dev.machina.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The logic of {@code machina bench e2e}: which process runs when (alternating Machina and
 * PyTorch), how the two are started, how their JSON results become table rows (median over
 * repeats, ratio Machina/PyTorch, target pass/miss) and how the table is rendered.
 */
final class E2eBench {
    private E2eBench() {}

    static final String TORCH_INSTALL_HINT =
            "install it with `apt-get install python3-torch libopenblas0-pthread` (Debian/Ubuntu; then /usr/bin/python3 has it) "
                    + "or `pip install torch`, or point --python at a python that can `import torch`";

    /**
     * Why the PyTorch figures are not a fair comparison, or null. Debian's python3-torch calls
     * whichever libblas.so.3 the system's alternatives point at, and with no optimised BLAS
     * installed that is the reference (netlib) one: on the AVX2 machine of 2026-12-01 a batch-64
     * epoch took 24 s instead of about 8. {@code blas} is the probe's BLAS_INFO followed by the
     * paths of the BLAS libraries the process had mapped.
     */
    static String blasWarning(String blas) {
        if (blas == null || blas.isBlank()) return null;
        String b = blas.toLowerCase(Locale.ROOT);
        for (String optimised : List.of("openblas", "blis", "mkl", "atlas", "accelerate", "armpl", "flexiblas")) {
            if (b.contains(optimised)) return null;
        }
        if (!b.contains("/blas/libblas.so")) return null; // not the reference library's place either: nothing known to warn of
        String path = Arrays.stream(blas.split("\\s+")).filter(t -> t.contains("/blas/libblas.so")).findFirst().orElse(blas.strip());
        return "PyTorch is calling the reference BLAS (" + path + "), which is not optimised: its matrix products run several "
                + "times slower than with OpenBLAS, so every ratio below flatters Machina. For a fair comparison install an "
                + "optimised BLAS (Debian/Ubuntu: `apt-get install libopenblas0-pthread`) and run again.";
    }

    enum Side {
        MACHINA("machina"), PYTORCH("pytorch");

        final String key;

        Side(String key) {
            this.key = key;
        }
    }

    /** What a figure measures: a time (lower is better), a throughput (higher is better) or a memory size. */
    enum Kind { TIME, THROUGHPUT, MEMORY, INFO }

    /**
     * One row of the table. {@code metric} extracts the figure from one worker's JSON result
     * (NaN when absent); {@code target} is the highest acceptable Machina/PyTorch ratio, or
     * null; {@code na} marks a row that cannot be measured yet, with the reason.
     */
    record Row(String key, String label, String unit, Kind kind, Double target, ToDoubleFunction<JsonNode> metric, String na) {}

    /** The rows of the table for the default LSTM benchmark ({@link E2eWorker#LSTM_EXAMPLES} images). */
    static List<Row> rows(int[] batchSizes) {
        return rows(batchSizes, E2eWorker.LSTM_EXAMPLES);
    }

    /**
     * The rows of the table, in order, the LSTM row named by the images it trains on
     * ({@code lstmExamples}; 0 when it is not run). A new benchmark is one more row and one more
     * worker section.
     */
    static List<Row> rows(int[] batchSizes, int lstmExamples) {
        List<Row> r = new ArrayList<>();
        r.add(new Row("load_s", "data load (scaled to [0,1], flattened; Machina keeps the pixels as bytes)", "s", Kind.INFO, null, j -> num(j, "load_s"), null));
        for (int b : batchSizes) {
            Double target = b == 64 ? Double.valueOf(0.35) : b == 256 ? Double.valueOf(0.6) : null;
            String k = Integer.toString(b);
            r.add(new Row("mlp_epoch_b" + b, "MLP train epoch, batch " + b, "s", Kind.TIME, target,
                    j -> num(j.path("train").path(k), "mean_epoch_s"), null));
            r.add(new Row("mlp_train_sps_b" + b, "MLP train throughput, batch " + b, "samples/s", Kind.THROUGHPUT, null,
                    j -> num(j.path("train").path(k), "samples_per_s"), null));
        }
        r.add(new Row("infer_sps", "MLP inference, test set, batch 1000", "samples/s", Kind.THROUGHPUT, 0.5,
                j -> num(j.path("infer"), "throughput_samples_per_s"), null));
        r.add(new Row("latency_median", "MLP latency, batch 1, median", "µs", Kind.TIME, 0.2,
                j -> num(j.path("infer"), "latency_median_us"), null));
        r.add(new Row("latency_p99", "MLP latency, batch 1, p99", "µs", Kind.TIME, 1.0,
                j -> num(j.path("infer"), "latency_p99_us"), null));
        r.add(new Row("peak_rss", "peak RSS during MLP training", "MiB", Kind.MEMORY, 0.6,
                j -> num(j, "vmhwm_train_kb") / 1024, null));
        r.add(new Row("lstm_epoch", "LSTM train epoch, " + (lstmExamples > 0 ? lstmExamples + " images" : "images") + " as 28 rows, batch 64", "s",
                Kind.TIME, 0.25, j -> num(j.path("lstm"), "epoch_s"),
                "n/a: run without the LSTM benchmark (--lstm-examples 0; with --synthetic it runs only when --lstm-examples is given)"));
        r.add(new Row("lstm_sps", "LSTM train throughput", "samples/s", Kind.THROUGHPUT, null,
                j -> num(j.path("lstm"), "samples_per_s"), null));
        return r;
    }

    private static double num(JsonNode j, String field) {
        JsonNode v = j == null ? null : j.get(field);
        return v != null && v.isNumber() ? v.asDouble() : Double.NaN;
    }

    // ------------------------------------------------------------------ statistics

    /** The median (mean of the two middle values for an even count); NaN for none. NaNs are ignored. */
    static double median(double[] values) {
        double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) return Double.NaN;
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }

    /** The nearest-rank percentile: the smallest value with at least p% of the values at or below it. */
    static double percentile(double[] values, double p) {
        double[] v = Arrays.stream(values).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) return Double.NaN;
        int rank = (int) Math.ceil(p / 100 * v.length);
        return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
    }

    /** The run order: Machina and PyTorch alternating, M, P, M, P, … (Machina only without torch). */
    static List<Side> schedule(int repeats, boolean withTorch) {
        List<Side> s = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            s.add(Side.MACHINA);
            if (withTorch) s.add(Side.PYTORCH);
        }
        return s;
    }

    /**
     * The ratio Machina/PyTorch as a cost (below 1 means Machina is better): time over time,
     * memory over memory, and for throughputs PyTorch's over Machina's.
     */
    static double ratio(Kind kind, double machina, double pytorch) {
        if (Double.isNaN(machina) || Double.isNaN(pytorch)) return Double.NaN;
        return switch (kind) {
            case THROUGHPUT -> machina == 0 ? Double.NaN : pytorch / machina;
            default -> pytorch == 0 ? Double.NaN : machina / pytorch;
        };
    }

    /** "pass" when the ratio is at or below the target, "miss" above, "" without a target or a ratio. */
    static String status(Double target, double ratio) {
        if (target == null || Double.isNaN(ratio)) return "";
        return ratio <= target ? "pass" : "miss";
    }

    /** A computed row: the medians of each side, their ratio, the target and its status. */
    record Result(Row row, double machina, double pytorch, double ratio, String status) {}

    /** Medians over the repeats of each side, then ratio and status, for every row. */
    static List<Result> results(List<Row> rows, List<JsonNode> machinaRuns, List<JsonNode> torchRuns) {
        List<Result> out = new ArrayList<>();
        for (Row r : rows) {
            double m = median(machinaRuns.stream().mapToDouble(r.metric()).toArray());
            double p = median(torchRuns.stream().mapToDouble(r.metric()).toArray());
            if (r.na() != null && Double.isNaN(m) && Double.isNaN(p)) { // the runs did not measure this row
                out.add(new Result(r, Double.NaN, Double.NaN, Double.NaN, r.na()));
                continue;
            }
            double q = ratio(r.kind(), m, p);
            out.add(new Result(r, m, p, q, status(r.target(), q)));
        }
        return out;
    }

    // ------------------------------------------------------------------ rendering

    static String fmt(double v) {
        if (Double.isNaN(v)) return "—";
        double a = Math.abs(v);
        if (a >= 1000) return String.format(Locale.ROOT, "%,.0f", v);
        if (a >= 100) return String.format(Locale.ROOT, "%.1f", v);
        if (a >= 10) return String.format(Locale.ROOT, "%.2f", v);
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** The results as a Markdown table (readable as plain text too). */
    static String table(List<Result> results) {
        return table(results, null);
    }

    /** The same, with PyTorch's OpenBLAS core type in its column's heading when {@code coreType} is not null. */
    static String table(List<Result> results, String coreType) {
        StringBuilder sb = new StringBuilder();
        sb.append("| benchmark | unit | Machina | PyTorch").append(coreType == null ? "" : " (OpenBLAS " + coreType + ")")
                .append(" | Machina/PyTorch | target | |\n");
        sb.append("|---|---|---:|---:|---:|---:|---|\n");
        for (Result r : results) {
            Row row = r.row();
            String ratio = Double.isNaN(r.ratio()) ? "—" : String.format(Locale.ROOT, "%.3f", r.ratio());
            String target = row.target() == null ? "" : "≤ " + row.target();
            sb.append("| ").append(row.label()).append(" | ").append(row.unit()).append(" | ").append(fmt(r.machina()))
                    .append(" | ").append(fmt(r.pytorch())).append(" | ").append(ratio).append(" | ").append(target)
                    .append(" | ").append(r.status()).append(" |\n");
        }
        return sb.toString();
    }

    static ArrayNode rowsJson(ObjectMapper om, List<Result> results) {
        ArrayNode a = om.createArrayNode();
        for (Result r : results) {
            ObjectNode o = a.addObject();
            o.put("key", r.row().key());
            o.put("label", r.row().label());
            o.put("unit", r.row().unit());
            o.put("kind", r.row().kind().name().toLowerCase(Locale.ROOT));
            putNum(o, "machina", r.machina());
            putNum(o, "pytorch", r.pytorch());
            putNum(o, "ratio", r.ratio());
            if (r.row().target() == null) o.putNull("target");
            else o.put("target", r.row().target());
            o.put("status", r.status());
        }
        return a;
    }

    static void putNum(ObjectNode o, String k, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) o.putNull(k);
        else o.put(k, v);
    }

    // ------------------------------------------------------------------ processes

    /** The command that starts a Machina worker JVM: this JVM's java, flags and class path. */
    static List<String> machinaCommand(String[] workerArgs, int threads, List<String> extraJvmOpts) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        boolean vector = false;
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // a debugger agent or a flight recording of the parent must not be copied into the child
            if (a.startsWith("-agentlib:jdwp") || a.startsWith("-XX:StartFlightRecording") || a.startsWith("-Dmachina.threads=")) continue;
            if (a.contains("jdk.incubator.vector")) vector = true;
            cmd.add(a);
        }
        if (!vector && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            cmd.add("--add-modules");
            cmd.add("jdk.incubator.vector");
        }
        cmd.add("-Dmachina.threads=" + threads);
        cmd.addAll(extraJvmOpts);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(E2eWorker.class.getName());
        cmd.addAll(List.of(workerArgs));
        return cmd;
    }

    static List<String> torchCommand(String python, Path script, String[] workerArgs) {
        List<String> cmd = new ArrayList<>(List.of(python, script.toString()));
        cmd.addAll(List.of(workerArgs));
        return cmd;
    }

    /** What a child printed and how it ended. */
    record ProcessResult(int exitCode, String stdout, String stderr, long pid) {}

    static ProcessResult exec(List<String> cmd, long timeoutSeconds) throws IOException {
        return exec(cmd, java.util.Map.of(), timeoutSeconds);
    }

    static ProcessResult exec(List<String> cmd, java.util.Map<String, String> env, long timeoutSeconds) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        for (java.util.Map.Entry<String, String> e : env.entrySet()) { // a null value removes the variable
            if (e.getValue() == null) pb.environment().remove(e.getKey());
            else pb.environment().put(e.getKey(), e.getValue());
        }
        pb.environment().put("PYTHONUNBUFFERED", "1");
        Process p = pb.start();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out after " + timeoutSeconds + " s: " + String.join(" ", cmd));
            }
            return new ProcessResult(p.exitValue(), out.join(), filterStderr(err.join()), p.pid());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + cmd.get(0), e);
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }

    static String filterStderr(String s) {
        StringBuilder sb = new StringBuilder();
        for (String line : s.split("\n")) {
            if (line.isBlank() || line.startsWith("WARNING: Using incubator modules")) continue;
            sb.append(line).append('\n');
        }
        return sb.toString();
    }

    /** The last line of a child's stdout that is a JSON object (the result); earlier lines may be chatter. */
    static JsonNode parseResult(ObjectMapper om, ProcessResult r, String who) throws IOException {
        if (r.exitCode() != 0) {
            throw new IOException(who + " exited with code " + r.exitCode() + ": " + lastLines(r.stderr(), 15));
        }
        String[] lines = r.stdout().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String l = lines[i].trim();
            if (l.startsWith("{")) return om.readTree(l);
        }
        throw new IOException(who + " printed no JSON result; stderr: " + lastLines(r.stderr(), 15));
    }

    static String lastLines(String s, int n) {
        String[] l = s.strip().split("\n");
        return String.join("\n", Arrays.copyOfRange(l, Math.max(0, l.length - n), l.length));
    }

    /** A python that can import torch, with the versions it reported, or why there is none. */
    record TorchProbe(String python, String torchVersion, String numpyVersion, String blas, String failure) {
        boolean ok() {
            return failure == null;
        }
    }

    /** Tries {@code explicit} alone when given, else /usr/bin/python3 and then python3 on the PATH. */
    static TorchProbe findTorch(String explicit) {
        List<String> candidates = explicit != null ? List.of(explicit) : List.of("/usr/bin/python3", "python3");
        StringBuilder why = new StringBuilder();
        String code = "import torch, numpy, json; "
                + "cfg = torch.__config__.show(); "
                + "blas = [l.strip() for l in cfg.splitlines() if 'BLAS_INFO' in l or 'LAPACK' in l]; "
                + "print(json.dumps({'torch': torch.__version__, 'numpy': numpy.__version__, "
                + "'blas': ((cfg.split('BLAS_INFO=')[1].split(',')[0]) if 'BLAS_INFO=' in cfg else '') + "
                + "''.join(sorted({' ' + l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l.lower() and '/' in l}))}))";
        for (String py : candidates) {
            try {
                ProcessResult r = exec(List.of(py, "-c", code), 60);
                if (r.exitCode() == 0) {
                    JsonNode j = new ObjectMapper().readTree(lastLines(r.stdout(), 1));
                    return new TorchProbe(py, j.path("torch").asText(), j.path("numpy").asText(), j.path("blas").asText(), null);
                }
                if (!why.isEmpty()) why.append("; ");
                why.append(py).append(": ").append(lastLines(r.stderr().isBlank() ? r.stdout() : r.stderr(), 1).strip());
            } catch (IOException e) {
                if (!why.isEmpty()) why.append("; ");
                why.append(py).append(": cannot run (").append(e.getMessage()).append(")");
            }
        }
        return new TorchProbe(null, null, null, null, why.toString());
    }

    /** bench/torch_bench.py of the source tree: next to the working directory or above the benchmarks jar. */
    static Path findScript() {
        List<Path> tries = new ArrayList<>();
        tries.add(Path.of("bench", "torch_bench.py"));
        try {
            Path jar = Path.of(E2eBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // machina-bench/target/machina-bench.jar or machina-bench/target/classes → the repository root
            Path root = jar.getParent() == null ? null : jar.getParent().getParent();
            if (root != null && root.getParent() != null) tries.add(root.getParent().resolve("bench").resolve("torch_bench.py"));
        } catch (Exception e) {
            // no code source: only the working directory
        }
        for (Path p : tries) if (Files.isRegularFile(p)) return p.toAbsolutePath().normalize();
        return null;
    }

    // ------------------------------------------------------------------ OpenBLAS's core type

    /**
     * The OpenBLAS core type the PyTorch side runs with. {@code value} is what OPENBLAS_CORETYPE is
     * set to in its environment: a name, "" for unset (OpenBLAS's own detection), or null to leave
     * the variable as this process has it. {@code line} says which and why; {@code choice} is the
     * search's JSON (bench/openblas_coretype.py), or null when there was no search.
     */
    record CoreType(String value, String line, JsonNode choice) {
        /** The PyTorch process's environment with this core type applied (a null value removes a variable). */
        java.util.Map<String, String> applyTo(java.util.Map<String, String> env) {
            java.util.Map<String, String> m = new java.util.LinkedHashMap<>(env);
            if (value != null) m.put("OPENBLAS_CORETYPE", value.isEmpty() ? null : value);
            return m;
        }

        /** How the table, the JSON and BENCHMARKS.md name it: "SkylakeX", "unset (Cooperlake detected)", …. */
        String name() {
            if (value == null) return environmentCoreType().isEmpty() ? "unset (environment)" : environmentCoreType() + " (environment)";
            if (value.isEmpty()) {
                String core = choice == null ? "" : choice.path("core").asText("");
                return "unset" + (core.isEmpty() ? "" : " (" + core + " detected)");
            }
            return value;
        }
    }

    static String environmentCoreType() {
        return System.getenv().getOrDefault("OPENBLAS_CORETYPE", "");
    }

    /**
     * The core type for PyTorch: {@code requested} "env" keeps the environment's setting, a name is
     * used as given, and "auto" runs bench/openblas_coretype.py with the PyTorch python (each
     * candidate the CPU supports, the environment's among them, checked against a float64 product
     * and timed on the benchmark's products; the fastest correct one wins). A PyTorch whose BLAS is
     * not OpenBLAS, or a search that fails, keeps the environment's setting and says why.
     */
    static CoreType chooseCoreType(String requested, TorchProbe torch, Path script, int threads, long timeoutSeconds) {
        return chooseCoreType(requested, torch, script, threads, java.util.Map.of(), timeoutSeconds);
    }

    /** The same, with {@code env} (the PyTorch workers' extra environment, e.g. OMP_WAIT_POLICY) in the search's processes. */
    static CoreType chooseCoreType(String requested, TorchProbe torch, Path script, int threads, java.util.Map<String, String> extraEnv,
                                   long timeoutSeconds) {
        String env = environmentCoreType();
        String envText = env.isEmpty() ? "unset" : env;
        if (requested.equals("env")) {
            return new CoreType(null, "OPENBLAS_CORETYPE " + envText + " (the environment's, --openblas-coretype env)", null);
        }
        if (!requested.equals("auto")) {
            return new CoreType(requested, "OPENBLAS_CORETYPE " + requested + " (--openblas-coretype)", null);
        }
        if (torch.blas() == null || !torch.blas().toLowerCase(Locale.ROOT).contains("openblas")) {
            return new CoreType(null, "OPENBLAS_CORETYPE " + envText + " (the environment's; PyTorch's BLAS is not OpenBLAS)", null);
        }
        if (script == null || !Files.isRegularFile(script)) {
            return new CoreType(null, "OPENBLAS_CORETYPE " + envText + " (the environment's; " + script + " not found)", null);
        }
        try {
            ProcessResult r = exec(List.of(torch.python(), script.toString(), "--json", "--lib", "torch", "--threads",
                    Integer.toString(threads)), extraEnv, timeoutSeconds);
            JsonNode j = parseResult(new ObjectMapper(), r, "openblas_coretype.py");
            return coreTypeOf(j, envText);
        } catch (IOException e) {
            return new CoreType(null, "OPENBLAS_CORETYPE " + envText + " (the environment's; the search failed: "
                    + oneLine(e.getMessage()) + ")", null);
        }
    }

    /** The search's JSON as a CoreType, with a line naming each candidate's result. */
    static CoreType coreTypeOf(JsonNode j, String envText) throws IOException {
        if (!j.has("chosen") || !j.path("candidates").isArray()) throw new IOException("unexpected output: " + j);
        StringBuilder tried = new StringBuilder();
        for (JsonNode c : j.path("candidates")) {
            if (!tried.isEmpty()) tried.append(", ");
            String name = c.path("coretype").asText("");
            tried.append(name.isEmpty() ? "unset" : name);
            String core = c.path("core").asText("");
            if (!core.isEmpty() && !core.equalsIgnoreCase(name)) tried.append(" (").append(core).append(')');
            if (!c.path("correct").asBoolean()) {
                tried.append(c.path("core").isTextual() ? String.format(Locale.ROOT, " wrong (error %.1e)", c.path("max_rel_error").asDouble())
                        : " failed");
            } else if (c.has("same_as")) {
                tried.append(" = ").append(c.path("same_as").asText("").isEmpty() ? "unset" : c.path("same_as").asText());
            } else {
                tried.append(' ').append(fmt(c.path("score_us").asDouble())).append(" µs");
            }
        }
        if (j.path("chosen").isNull()) {
            return new CoreType(null, "OPENBLAS_CORETYPE " + envText + " (the environment's: no candidate was correct; tried "
                    + tried + ")", j);
        }
        CoreType ct = new CoreType(j.path("chosen").asText(), null, j);
        return new CoreType(ct.value(), "OPENBLAS_CORETYPE " + ct.name() + ", the fastest correct of: " + tried
                + " (geometric mean time of the benchmark's products; environment: " + envText + ")", j);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.strip().replace('\n', ' ');
    }

    // ------------------------------------------------------------------ machine facts

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return l < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f", l);
        }
    }

    static final double ACCURACY_TOLERANCE_POINTS = 0.5;

    /** "pass" when Machina's test accuracy is within 0.5 points of PyTorch's, "miss" otherwise, "n/a" without both. */
    static String accuracyStatus(double machina, double pytorch) {
        if (Double.isNaN(machina) || Double.isNaN(pytorch)) return "n/a";
        return Math.abs(machina - pytorch) * 100 <= ACCURACY_TOLERANCE_POINTS + 1e-9 ? "pass" : "miss";
    }
}
