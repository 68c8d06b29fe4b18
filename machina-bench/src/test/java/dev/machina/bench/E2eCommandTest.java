package dev.machina.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `machina bench e2e` end to end with a python that has no torch: the comparison is skipped, loudly. */
class E2eCommandTest {
    @TempDir
    Path tmp;

    @Test
    void pythonWithoutTorchSkipsTheComparisonWithAnInstallHint() throws Exception {
        Path fakePython = tmp.resolve("python-without-torch");
        Files.writeString(fakePython, "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'torch'\" >&2\nexit 1\n");
        Files.setPosixFilePermissions(fakePython, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path json = tmp.resolve("out/e2e.json");
        StringWriter out = new StringWriter(), err = new StringWriter();

        int code = BenchMain.execute(new String[] {"e2e", "--synthetic", "300", "--repeats", "1", "--warmup", "0",
            "--python", fakePython.toString(), "--json", json.toString()},
                new PrintWriter(out, true), new PrintWriter(err, true));

        assertThat(code).as("stderr: %s", err).isZero();
        assertThat(err.toString()).contains("PyTorch comparison skipped").contains("No module named 'torch'")
                .contains("apt-get install python3-torch");
        assertThat(out.toString()).contains("order M;").doesNotContain("pytorch done")
                .contains("| MLP train epoch, batch 64 | s |").contains("n/a: run without the LSTM benchmark");

        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.get("torch_skipped").asText()).contains("apt-get install python3-torch");
        assertThat(root.get("command").asText()).startsWith("./machina bench e2e --synthetic 300");
        assertThat(root.path("settings").path("threads").asInt()).isEqualTo(2);
        assertThat(root.get("runs")).hasSize(1);
        JsonNode b64 = root.get("rows").get(1);
        assertThat(b64.get("key").asText()).isEqualTo("mlp_epoch_b64");
        assertThat(b64.get("machina").asDouble()).isPositive();
        assertThat(b64.get("pytorch").isNull()).isTrue();
        assertThat(b64.get("ratio").isNull()).isTrue();
    }

    @Test
    void pytorchOnTheReferenceBlasIsComparedWithAWarningEverywhereTheFiguresGo() throws Exception {
        // a python whose torch reports Debian's reference BLAS, and whose "worker" prints a fixed result
        Path fakePython = tmp.resolve("python-reference-blas");
        Files.writeString(fakePython, """
                #!/bin/sh
                if [ "$1" = "-c" ]; then
                  echo '{"torch": "1.13.0a0", "numpy": "1.24.2", "blas": "generic /usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0"}'
                else
                  echo '{"train": {"64": {"mean_epoch_s": 20.0, "samples_per_s": 15.0}}, "vmhwm_train_kb": 1024}'
                fi
                """);
        Files.setPosixFilePermissions(fakePython, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path json = tmp.resolve("e2e.json");
        StringWriter out = new StringWriter(), err = new StringWriter();

        int code = BenchMain.execute(new String[] {"e2e", "--synthetic", "300", "--repeats", "1", "--warmup", "0",
            "--python", fakePython.toString(), "--json", json.toString()},
                new PrintWriter(out, true), new PrintWriter(err, true));

        assertThat(code).as("stderr: %s", err).isZero();
        String warning = "reference BLAS (/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0)";
        assertThat(err.toString()).contains("machina: warning: PyTorch is calling the " + warning).contains("libopenblas0-pthread");
        assertThat(out.toString()).contains("pytorch done").contains("(warning: PyTorch is calling the " + warning);
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.get("torch_warning").asText()).contains(warning);
        assertThat(root.get("rows").get(1).get("pytorch").asDouble()).isEqualTo(20.0);
    }

    @Test
    void badOptionsAreUsageErrors() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertThat(BenchMain.execute(new String[] {"e2e", "--skip-timing", "--synthetic", "100"},
                new PrintWriter(out, true), new PrintWriter(err, true))).isEqualTo(2);
        assertThat(err.toString()).contains("--skip-timing leaves nothing to do without --accuracy");
        assertThat(BenchMain.execute(new String[] {"e2e", "--torch-env", "NOEQUALS", "--synthetic", "100"},
                new PrintWriter(out, true), new PrintWriter(err, true))).isEqualTo(2);
        assertThat(err.toString()).contains("--torch-env must be KEY=VALUE");
        assertThat(BenchMain.execute(new String[] {"e2e", "--threads", "0"},
                new PrintWriter(out, true), new PrintWriter(err, true))).isEqualTo(2);
        assertThat(err.toString()).contains("--threads must be at least 1");
        assertThat(BenchMain.execute(new String[] {"e2e", "--lstm-examples", "-1", "--synthetic", "100"},
                new PrintWriter(out, true), new PrintWriter(err, true))).isEqualTo(2);
        assertThat(err.toString()).contains("--lstm-examples must be 0 (no LSTM row) or more, got -1");
        // the figures go to the terminal and, with --json, to a file; nothing writes into the docs any more
        assertThat(BenchMain.execute(new String[] {"e2e", "--append-docs", "--synthetic", "100"},
                new PrintWriter(out, true), new PrintWriter(err, true))).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option: '--append-docs'");
    }

    @Test
    void syntheticDataRunsTheLstmWhenAskedAndTheRowNamesItsImages() throws Exception {
        Path json = tmp.resolve("lstm.json");
        StringWriter out = new StringWriter(), err = new StringWriter();
        // 500 asked, 300 there: the row trains on the 300 and says so
        int code = BenchMain.execute(new String[] {"e2e", "--synthetic", "300", "--repeats", "1", "--warmup", "0", "--no-torch",
            "--lstm-examples", "500", "--json", json.toString()}, new PrintWriter(out, true), new PrintWriter(err, true));

        assertThat(code).as("stderr: %s", err).isZero();
        assertThat(out.toString()).contains("| LSTM train epoch, 300 images as 28 rows, batch 64 | s |")
                .doesNotContain("run without the LSTM benchmark");
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        JsonNode lstm = root.path("runs").get(0).path("result").path("lstm");
        assertThat(lstm.path("examples").asInt()).isEqualTo(300);
        assertThat(lstm.path("epoch_s").asDouble()).isPositive();
        assertThat(root.path("settings").path("lstm_examples").asInt()).isEqualTo(300);
    }

    /** A python whose torch reports OpenBLAS; as a worker it prints a fixed result with the core type it was given. */
    private Path fakeOpenblasPython() throws Exception {
        Path py = tmp.resolve("python-openblas");
        Files.writeString(py, """
                #!/bin/sh
                case "$1" in
                  -c) echo '{"torch": "1.13.0a0", "numpy": "1.24.2", "blas": "open /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so"}' ;;
                  *openblas_coretype.py) echo '{"chosen": "SkylakeX", "core": "SkylakeX", "environment": "Haswell", "omp": "'"$OMP_WAIT_POLICY"'", "candidates": [{"coretype": "Haswell", "core": "Haswell", "max_rel_error": 3e-7, "correct": true, "score_us": 600}, {"coretype": "SkylakeX", "core": "SkylakeX", "max_rel_error": 3e-7, "correct": true, "score_us": 300}]}' ;;
                  *) echo '{"train": {"64": {"mean_epoch_s": 5.0}}, "vmhwm_train_kb": 1024, "coretype_seen": "'"${OPENBLAS_CORETYPE-unset}"'"}' ;;
                esac
                """);
        Files.setPosixFilePermissions(py, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path bench = Files.createDirectories(tmp.resolve("bench"));
        Files.writeString(bench.resolve("torch_bench.py"), "# the fake python answers for it\n");
        Files.writeString(bench.resolve("openblas_coretype.py"), "# the fake python answers for it\n");
        return py;
    }

    @Test
    void pytorchRunsWithTheSearchsCoreTypeNamedInTheTableAndTheJson() throws Exception {
        Path py = fakeOpenblasPython();
        Path json = tmp.resolve("e2e.json");
        StringWriter out = new StringWriter(), err = new StringWriter();

        int code = BenchMain.execute(new String[] {"e2e", "--synthetic", "300", "--repeats", "1", "--warmup", "0", "--lstm-examples", "0",
            "--python", py.toString(), "--script", tmp.resolve("bench/torch_bench.py").toString(), "--json", json.toString(),
            "--torch-env", "OMP_WAIT_POLICY=PASSIVE"},
                new PrintWriter(out, true), new PrintWriter(err, true));

        assertThat(code).as("stderr: %s", err).isZero();
        assertThat(out.toString()).contains("PyTorch: OPENBLAS_CORETYPE SkylakeX, the fastest correct of: Haswell 600.0 µs, SkylakeX 300.0 µs")
                .contains("| benchmark | unit | Machina | PyTorch (OpenBLAS SkylakeX) |");
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertThat(root.path("versions").path("openblas_coretype").asText()).isEqualTo("SkylakeX");
        assertThat(root.path("openblas_coretype").path("search").path("candidates")).hasSize(2);
        assertThat(root.path("openblas_coretype").path("search").path("omp").asText()).as("--torch-env reaches the search").isEqualTo("PASSIVE");
        assertThat(root.path("runs").get(1).path("result").path("coretype_seen").asText()).as("the worker's environment").isEqualTo("SkylakeX");
    }

    @Test
    void envKeepsTheEnvironmentsCoreTypeAndTheTableSurvivesAFile() throws Exception {
        Path py = fakeOpenblasPython();
        Path stdout = tmp.resolve("results.txt");
        StringWriter err = new StringWriter();
        int code;
        // as `./machina bench e2e > results.txt`: the writer main() makes, on a file instead of a terminal
        try (java.io.OutputStream file = Files.newOutputStream(stdout)) {
            code = BenchMain.execute(new String[] {"e2e", "--synthetic", "300", "--repeats", "1", "--warmup", "0", "--lstm-examples", "0",
                "--python", py.toString(), "--script", tmp.resolve("bench/torch_bench.py").toString(), "--openblas-coretype", "env"},
                    new PrintWriter(file, true), new PrintWriter(err, true));
        }
        assertThat(code).as("stderr: %s", err).isZero();
        String env = System.getenv().getOrDefault("OPENBLAS_CORETYPE", "");
        String text = Files.readString(stdout);
        assertThat(text).contains("the environment's, --openblas-coretype env")
                .contains("| MLP train epoch, batch 64 | s |").contains("| 5.000 |")
                .contains("PyTorch (OpenBLAS " + (env.isEmpty() ? "unset" : env) + " (environment))")
                .endsWith("|\n");
    }
}
