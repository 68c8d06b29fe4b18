package dev.machina.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.machina.Machina;
import dev.machina.experiment.MemoryEstimate;
import dev.machina.experiment.UserError;
import dev.machina.kernel.KernelProvider;
import dev.machina.kernel.Parallel;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The benchmarks' entry point, {@code machina bench …} ({@code ./machina bench} runs this class
 * from machina-bench's jar): benchmarks that print figures, never pass/fail. Exit codes: 0
 * success, 1 a run failed, 2 bad usage or bad input.
 */
@Command(name = "machina bench", mixinStandardHelpOptions = true, versionProvider = BenchMain.Version.class,
        description = "Benchmarks (figures, never pass/fail).",
        subcommands = {BenchMain.Gemm.class, BenchMain.E2e.class, ScaleBench.class, EpochsBench.class, LoadBench.class, UiListBench.class,
            dev.machina.bench.ab.GemmWindows.class, dev.machina.bench.ab.FlipAB.class, dev.machina.bench.ab.LoaderAB.class,
            dev.machina.bench.ab.MlpStep.class, TuneParallelBench.class, JmhCommand.class, CommandLine.HelpCommand.class})
public final class BenchMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--debug", description = "Show stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean debug;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command (main, and tests in-process) and flushes both writers; returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        boolean debug = java.util.Arrays.asList(args).contains("--debug");
        CommandLine cl = new CommandLine(new BenchMain());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            Throwable e = ex;
            if (debug) e.printStackTrace(cmd.getErr());
            if (e instanceof UserError) {
                cmd.getErr().println("machina: " + e.getMessage());
                return 2;
            }
            if (e instanceof IllegalArgumentException || e instanceof java.io.UncheckedIOException
                    || e instanceof java.io.IOException || e instanceof IllegalStateException) {
                cmd.getErr().println("machina: " + e.getMessage() + (debug ? "" : " (use --debug for details)"));
                return 2;
            }
            cmd.getErr().println("machina: failed: " + e + (debug ? "" : " (use --debug for details)"));
            return 1;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("machina: " + ex.getMessage());
            ex.getCommandLine().getErr().println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return 2;
        });
        int code;
        try {
            code = cl.execute(args);
        } catch (OutOfMemoryError e) { // picocli passes Errors on
            if (debug) e.printStackTrace(err);
            String named = java.util.Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse("");
            err.println("machina: " + MemoryEstimate.outOfMemory("running machina bench " + named, "./machina bench " + named + " …")
                    + (debug ? "" : " (use --debug for details)"));
            code = 1;
        }
        out.flush(); // print, unlike println and printf, leaves text in the writer, and System.exit would drop it
        err.flush();
        return code;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"machina " + Machina.version()};
        }
    }

    @Command(mixinStandardHelpOptions = true, name = "gemm", description = {
        "GEMM throughput (GFLOP/s) on square 256..2048 and on the products of an MLP training step",
        "(batch 64 and 128, a 784->256 layer), next to the fp32 FMA peak measured in the same run."})
    static final class Gemm implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--threads", description = "Threads (default: all cores).")
        Integer threads;

        @Option(names = "--json", description = "Print a JSON array of objects (m, n, k, threads, gflops, …) instead of a table.")
        boolean json;

        @Option(names = "--seconds", defaultValue = "1.0", description = "Measuring time per shape (default: ${DEFAULT-VALUE}).")
        double seconds;

        @Option(names = "--shape", description = "Only this shape (repeatable): MxNxK for A·B, or MxNxK:FORM with FORM nn (A·B), "
                + "nt (A·Bᵀ), tn (Aᵀ·B) or tt (Aᵀ·Bᵀ); op(A) is MxK and op(B) KxN, e.g. 64x256x784:nt, the forward "
                + "product of a 784→256 layer at batch 64.")
        List<String> shapes;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            int t = threads == null ? Parallel.threads() : threads;
            if (t < 1) throw new UserError("--threads must be at least 1, got " + t);
            if (!(seconds > 0)) throw new UserError("--seconds must be positive, got " + seconds);
            List<GemmBench.Shape> list = new ArrayList<>();
            if (shapes == null) {
                list.addAll(GemmBench.defaultShapes());
            } else {
                for (String s : shapes) list.add(GemmBench.parseShape(s));
            }
            // The FMA peak is measured before and after the shapes and the higher one is used: on a
            // shared machine one measurement can land in a minute when a core is slowed, which would
            // inflate every ratio (a 2-thread peak of 151 instead of 205 once gave ratios above 100%).
            double peakBefore = GemmBench.peak(t);
            boolean hugePages = Machina.hugePages().startsWith("on");
            if (!json) {
                out.printf("machina %s, %s kernels (%d-bit), %d thread(s), Java %s, huge pages %s%n", Machina.version(),
                        KernelProvider.get().name(), KernelProvider.get().vectorBits(), t, System.getProperty("java.version"),
                        hugePages ? "on" : "off");
                out.flush();
            }
            List<GemmBench.Result> results = new ArrayList<>();
            for (GemmBench.Shape s : list) results.add(GemmBench.run(s, t, peakBefore, seconds));
            double peakAfter = GemmBench.peak(t);
            double peak = Math.max(peakBefore, peakAfter);
            if (!json) {
                out.printf("fp32 FMA peak measured now: %.1f GFLOP/s (%.1f before the shapes, %.1f after; the higher is used)%n",
                        peak, peakBefore, peakAfter);
                out.printf("%-22s %6s %6s %6s %10s %8s %10s %8s%n", "shape", "m", "n", "k", "GFLOP/s", "of peak", "median", "of peak");
            }
            ObjectMapper om = new ObjectMapper();
            ArrayNode arr = om.createArrayNode();
            for (GemmBench.Result measured : results) {
                GemmBench.Shape s = measured.shape();
                GemmBench.Result r = new GemmBench.Result(s, measured.threads(), measured.gflops(), measured.median(), peak);
                if (json) {
                    ObjectNode o = arr.addObject();
                    o.put("name", s.name());
                    o.put("m", s.m());
                    o.put("n", s.n());
                    o.put("k", s.k());
                    o.put("transA", s.transA());
                    o.put("transB", s.transB());
                    o.put("huge_pages", hugePages);
                    o.put("threads", t);
                    o.put("gflops", Math.round(r.gflops() * 10) / 10.0);
                    o.put("peak_gflops", Math.round(peak * 10) / 10.0);
                    o.put("ratio", Math.round(r.ratio() * 1000) / 1000.0);
                    o.put("gflops_median", Math.round(r.median() * 10) / 10.0);
                    o.put("ratio_median", Math.round(r.medianRatio() * 1000) / 1000.0);
                    o.put("kernels", KernelProvider.get().name());
                } else {
                    out.printf("%-22s %6d %6d %6d %10.1f %7.1f%% %10.1f %7.1f%%%n", s.name(), s.m(), s.n(), s.k(), r.gflops(), 100 * r.ratio(),
                            r.median(), 100 * r.medianRatio());
                }
            }
            if (json) {
                try {
                    out.println(om.writerWithDefaultPrettyPrinter().writeValueAsString(arr));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    @Command(name = "e2e", sortOptions = false, mixinStandardHelpOptions = true, description = {
        "End-to-end comparison with PyTorch on Fashion-MNIST: MLP 784-256-128-10 training time per epoch (batch 64 and 256), test-set inference throughput, single-example latency and peak memory.",
        "Machina and PyTorch each run in their own process, alternately (M, P, M, P, ...); every figure is the median over the repeats.",
        "PyTorch runs bench/torch_bench.py with a python that can import torch."})
    static final class E2e implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--threads", defaultValue = "2", description = "Threads on both sides (default: ${DEFAULT-VALUE}).")
        int threads;

        @Option(names = "--warmup", defaultValue = "1", description = "Warm-up epochs before measuring (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--epochs", defaultValue = "1", description = "Measured epochs per run (default: ${DEFAULT-VALUE}).")
        int epochs;

        @Option(names = "--repeats", defaultValue = "3", description = "Runs of each side; figures are medians (default: ${DEFAULT-VALUE}).")
        int repeats;

        @Option(names = "--lstm-examples", defaultValue = "6400",
                description = {"Training images of the LSTM row (28 rows of 28 pixels, LSTM 128, batch 64); 0 leaves the row out (default: ${DEFAULT-VALUE}).",
                    "With --synthetic the row is left out unless this is given."})
        int lstmExamples;

        @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
        Path json;

        @Option(names = "--accuracy", description = "Also train the MLP for --accuracy-epochs epochs on both sides and compare test accuracy (slow).")
        boolean accuracy;

        @Option(names = "--skip-timing", description = "Skip the timing runs (e.g. with --accuracy alone).")
        boolean skipTiming;

        @Option(names = "--accuracy-epochs", defaultValue = "15", description = "Epochs of the accuracy check (default: ${DEFAULT-VALUE}).")
        int accuracyEpochs;

        @Option(names = "--python", paramLabel = "PATH", description = "Python with torch (default: /usr/bin/python3, then python3 on the PATH).")
        String python;

        @Option(names = "--no-torch", description = "Run Machina only.")
        boolean noTorch;

        @Option(names = "--script", paramLabel = "FILE", description = "The PyTorch side (default: bench/torch_bench.py).")
        Path script;

        @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST directory (default: the first standard one that has it).")
        Path data;

        @Option(names = "--synthetic", paramLabel = "N", description = "Use N synthetic examples instead of Fashion-MNIST (for smoke tests).")
        Integer synthetic;

        @Option(names = "--seed", defaultValue = "0", description = "Seed of initialisation, shuffling and dropout (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--worker-jvm-opt", paramLabel = "OPT", description = "Extra JVM option of the Machina worker (repeatable), e.g. -XX:StartFlightRecording=….")
        List<String> workerJvmOpts = new ArrayList<>();

        @Option(names = "--torch-env", paramLabel = "KEY=VALUE", description = "Extra environment variable of the PyTorch process (repeatable), e.g. OMP_WAIT_POLICY=PASSIVE.")
        List<String> torchEnv = new ArrayList<>();

        @Option(names = "--openblas-coretype", paramLabel = "NAME", defaultValue = "auto", description = {
            "OpenBLAS's core type for PyTorch: auto (default) tries the environment's OPENBLAS_CORETYPE, OpenBLAS's own "
                + "detection and each core type the CPU supports (bench/openblas_coretype.py), checks each against a float64 "
                + "product and keeps the fastest correct one; env keeps the environment's; or a name, e.g. SkylakeX."})
        String openblasCoretype;

        @Option(names = "--timeout", defaultValue = "3600", description = "Seconds one worker may take (default: ${DEFAULT-VALUE}).")
        long timeout;

        /**
         * Images the LSTM benchmark trains on: --lstm-examples, at most the synthetic set's size;
         * with --synthetic only when --lstm-examples is given (a synthetic run is a quick check).
         */
        private int lstmImages() {
            if (synthetic == null) return lstmExamples;
            boolean given = spec.commandLine().getParseResult() != null && spec.commandLine().getParseResult().hasMatchedOption("--lstm-examples");
            return given ? Math.min(lstmExamples, synthetic) : 0;
        }

        /** The core type PyTorch runs with (null without PyTorch). */
        private E2eBench.CoreType coreType;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (threads < 1) throw new UserError("--threads must be at least 1, got " + threads);
            if (warmup < 0) throw new UserError("--warmup must be 0 or more, got " + warmup);
            if (epochs < 1) throw new UserError("--epochs must be at least 1, got " + epochs);
            if (repeats < 1) throw new UserError("--repeats must be at least 1, got " + repeats);
            if (accuracyEpochs < 1) throw new UserError("--accuracy-epochs must be at least 1, got " + accuracyEpochs);
            if (skipTiming && !accuracy) throw new UserError("--skip-timing leaves nothing to do without --accuracy");
            for (String kv : torchEnv) {
                if (kv.indexOf('=') < 1) throw new UserError("--torch-env must be KEY=VALUE, got '" + kv + "'");
            }
            if (synthetic != null && synthetic < 10) throw new UserError("--synthetic must be at least 10, got " + synthetic);
            if (lstmExamples < 0) throw new UserError("--lstm-examples must be 0 (no LSTM row) or more, got " + lstmExamples);
            Path dataDir = null;
            if (synthetic == null) {
                dataDir = dev.machina.data.DatasetLocator.system().find("fashion-mnist", data).orElseThrow(() -> new UserError(
                        "Fashion-MNIST not found (looked in " + dev.machina.data.DatasetLocator.system().candidates("fashion-mnist", data)
                                + "); get it with " + dev.machina.data.DatasetLocator.howToGet("fashion-mnist") + ", or use --data DIR"))
                        .toAbsolutePath();
            }
            E2eWorker.Settings settings = E2eWorker.Settings.defaults()
                    .with("data", dataDir)
                    .with("synthetic", synthetic == null ? 0 : synthetic)
                    .with("threads", threads)
                    .with("warmup", warmup)
                    .with("epochs", epochs)
                    .with("seed", seed)
                    .with("infer-warmup", Math.max(1, warmup) * E2eWorker.Settings.defaults().inferWarmup())
                    .with("lstm-examples", lstmImages());

            // the PyTorch side: a python that imports torch and the script, or a loud skip
            E2eBench.TorchProbe torch = null;
            Path torchScript = null;
            String skip = null;
            if (noTorch) {
                skip = "PyTorch comparison skipped (--no-torch).";
            } else {
                torchScript = script != null ? script : E2eBench.findScript();
                if (torchScript == null || !Files.isRegularFile(torchScript)) {
                    skip = "PyTorch comparison skipped: " + (script != null ? script : "bench/torch_bench.py")
                            + " not found; run from the repository root or pass --script FILE.";
                } else {
                    torch = E2eBench.findTorch(python);
                    if (!torch.ok()) {
                        skip = "PyTorch comparison skipped: no python that can import torch (" + torch.failure() + "); "
                                + E2eBench.TORCH_INSTALL_HINT + ".";
                    }
                }
            }
            boolean withTorch = skip == null;
            if (!withTorch) {
                err.println("machina: " + skip);
                err.flush();
            }
            String blasWarning = withTorch ? E2eBench.blasWarning(torch.blas()) : null;
            if (blasWarning != null) {
                err.println("machina: warning: " + blasWarning);
                err.flush();
            }
            if (withTorch) {
                String requested = openblasCoretype;
                for (String kv : torchEnv) if (kv.startsWith("OPENBLAS_CORETYPE=")) requested = kv.substring(kv.indexOf('=') + 1);
                if (requested.equals("auto")) {
                    out.println("choosing OpenBLAS's core type for PyTorch (bench/openblas_coretype.py)…");
                    out.flush();
                }
                java.util.Map<String, String> extraEnv = new java.util.LinkedHashMap<>();
                for (String kv : torchEnv) extraEnv.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                coreType = E2eBench.chooseCoreType(requested, torch, torchScript.toAbsolutePath().getParent().resolve("openblas_coretype.py"),
                        threads, extraEnv, timeout);
                out.println("PyTorch: " + coreType.line());
                out.flush();
            }
            if (repeats < 3) err.println("machina: note: --repeats " + repeats + " < 3; figures are less robust.");

            ObjectMapper om = new ObjectMapper();
            List<JsonNode> mRuns = new ArrayList<>(), pRuns = new ArrayList<>();
            ArrayNode runsJson = om.createArrayNode();
            String loadBefore = E2eBench.loadAverage();
            List<E2eBench.Side> order = skipTiming ? List.of() : E2eBench.schedule(repeats, withTorch);
            out.printf("machina bench e2e: %d run(s) in the order %s; %d thread(s), %d warm-up + %d measured epoch(s), load %s%n",
                    order.size(), String.join(", ", order.stream().map(x -> x == E2eBench.Side.MACHINA ? "M" : "P").toList()),
                    threads, warmup, epochs, loadBefore);
            out.flush();
            for (int i = 0; i < order.size(); i++) {
                E2eBench.Side side = order.get(i);
                JsonNode r = runWorker(side, settings, torch, torchScript, om);
                (side == E2eBench.Side.MACHINA ? mRuns : pRuns).add(r);
                ObjectNode rj = runsJson.addObject();
                rj.put("side", side.key);
                rj.put("index", i);
                rj.set("result", r);
                out.printf("  run %d/%d %-7s done (batch 64 epoch %s s, peak RSS %s MiB)%n", i + 1, order.size(), side.key,
                        E2eBench.fmt(r.path("train").path("64").path("mean_epoch_s").asDouble(Double.NaN)),
                        E2eBench.fmt(r.path("vmhwm_train_kb").asDouble(Double.NaN) / 1024));
                out.flush();
            }
            String loadAfter = E2eBench.loadAverage();
            // the LSTM row names the images Machina's worker trained on (fewer than asked when the training set is smaller)
            int lstmShown = mRuns.stream().mapToInt(r -> r.path("lstm").path("examples").asInt(0)).filter(v -> v > 0).findFirst()
                    .orElse(settings.lstmExamples());
            List<E2eBench.Result> results = E2eBench.results(E2eBench.rows(settings.batchSizes(), lstmShown), mRuns, pRuns);
            String table = E2eBench.table(results, withTorch ? coreType.name() : null);
            if (!skipTiming) {
                out.println();
                out.print(table);
            }
            if (!withTorch) out.println("(" + skip + ")");
            if (blasWarning != null && !skipTiming) out.println("(warning: " + blasWarning + ")");

            ObjectNode acc = null;
            if (accuracy) acc = accuracyCheck(settings, withTorch, torch, torchScript, om, out);

            // the whole command line as given (picocli keeps the arguments of the top-level command, "e2e" included)
            String command = spec.commandLine().getParseResult() == null ? "./machina bench e2e"
                    : ("./machina bench " + String.join(" ", spec.commandLine().getParseResult().originalArgs())).strip();
            ObjectNode root = om.createObjectNode();
            root.put("date", java.time.OffsetDateTime.now().withNano(0).toString());
            root.put("command", command);
            ObjectNode machine = root.putObject("machine");
            machine.put("cpu", Machina.cpuModel());
            machine.put("cores", Runtime.getRuntime().availableProcessors());
            machine.put("load_average_before", loadBefore);
            machine.put("load_average_after", loadAfter);
            ObjectNode versions = root.putObject("versions");
            versions.put("machina", Machina.version());
            versions.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
            versions.put("kernels", KernelProvider.get().name() + ", " + KernelProvider.get().vectorBits() + "-bit");
            if (withTorch) {
                versions.put("python", torch.python());
                versions.put("torch", torch.torchVersion());
                versions.put("numpy", torch.numpyVersion());
                versions.put("torch_blas", torch.blas());
                versions.put("openblas_coretype", coreType.name());
                ObjectNode ct = root.putObject("openblas_coretype");
                ct.put("used", coreType.name());
                if (coreType.value() == null) ct.putNull("value");
                else ct.put("value", coreType.value());
                ct.put("environment", E2eBench.environmentCoreType());
                ct.put("how", coreType.line());
                if (coreType.choice() != null) ct.set("search", coreType.choice());
            }
            if (blasWarning != null) root.put("torch_warning", blasWarning);
            ObjectNode set = root.putObject("settings");
            set.put("threads", threads);
            set.put("warmup_epochs", warmup);
            set.put("epochs", epochs);
            set.put("repeats", repeats);
            set.put("data", dataDir == null ? "synthetic:" + synthetic : dataDir.toString());
            set.put("seed", seed);
            set.put("lstm_examples", settings.lstmExamples());
            set.put("machina_worker_jvm_opts", String.join(" ", workerJvmOpts));
            set.put("machina_java_opts_env", System.getenv().getOrDefault("MACHINA_JAVA_OPTS", ""));
            set.put("torch_env", String.join(" ", torchEnv));
            StringBuilder threadEnv = new StringBuilder();
            for (String k : List.of("OMP_NUM_THREADS", "OMP_WAIT_POLICY", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")) {
                String v = System.getenv(k);
                if (v != null) threadEnv.append(threadEnv.isEmpty() ? "" : " ").append(k).append('=').append(v);
            }
            set.put("inherited_thread_env", threadEnv.toString());
            if (withTorch) root.putNull("torch_skipped");
            else root.put("torch_skipped", skip);
            if (skipTiming) root.set("rows", om.createArrayNode());
            else root.set("rows", E2eBench.rowsJson(om, results));
            if (acc != null) root.set("accuracy", acc);
            root.set("runs", runsJson);
            try {
                if (json != null) {
                    if (json.toAbsolutePath().getParent() != null) Files.createDirectories(json.toAbsolutePath().getParent());
                    dev.machina.io.AtomicFiles.writeString(json, om.writerWithDefaultPrettyPrinter().writeValueAsString(root));
                    out.println("results written to " + json);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot write results: " + e.getMessage(), e);
            }
        }

        private JsonNode runWorker(E2eBench.Side side, E2eWorker.Settings s, E2eBench.TorchProbe torch, Path torchScript, ObjectMapper om) {
            List<String> cmd = side == E2eBench.Side.MACHINA
                    ? E2eBench.machinaCommand(s.args(), s.threads(), workerJvmOpts)
                    : E2eBench.torchCommand(torch.python(), torchScript, s.args());
            try {
                java.util.Map<String, String> env = new java.util.LinkedHashMap<>();
                if (side == E2eBench.Side.PYTORCH) {
                    for (String kv : torchEnv) env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                    env = coreType.applyTo(env);
                }
                return E2eBench.parseResult(om, E2eBench.exec(cmd, env, timeout), side.key + " worker");
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }

        private ObjectNode accuracyCheck(E2eWorker.Settings s, boolean withTorch, E2eBench.TorchProbe torch, Path torchScript,
                                         ObjectMapper om, PrintWriter out) {
            E2eWorker.Settings a = s.with("batch-sizes", 64).with("warmup", 0).with("epochs", accuracyEpochs).with("mode", "accuracy")
                    .with("lstm-examples", 0);
            out.printf("%naccuracy check: %d epochs, batch 64, on each side…%n", accuracyEpochs);
            out.flush();
            ObjectNode acc = om.createObjectNode();
            acc.put("epochs", accuracyEpochs);
            acc.put("batch_size", 64);
            double m = runWorker(E2eBench.Side.MACHINA, a, torch, torchScript, om).path("accuracy").path("test_accuracy").asDouble(Double.NaN);
            E2eBench.putNum(acc, "machina", m);
            double p = Double.NaN;
            if (withTorch) p = runWorker(E2eBench.Side.PYTORCH, a, torch, torchScript, om).path("accuracy").path("test_accuracy").asDouble(Double.NaN);
            E2eBench.putNum(acc, "pytorch", p);
            String verdict = E2eBench.accuracyStatus(m, p);
            acc.put("status", verdict);
            out.printf("test accuracy after %d epochs: Machina %.2f%%, PyTorch %s → %s (must be within %.1f points)%n", accuracyEpochs,
                    100 * m, Double.isNaN(p) ? "n/a" : String.format(java.util.Locale.ROOT, "%.2f%%", 100 * p), verdict,
                    E2eBench.ACCURACY_TOLERANCE_POINTS);
            return acc;
        }
    }
}
