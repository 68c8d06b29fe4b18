package dev.machina.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * bench/openblas_coretype.py, the search for OpenBLAS's fastest correct core type, run with a real
 * python: which candidates a CPU's flags give, and one short search over numpy's OpenBLAS. The
 * environment's OPENBLAS_CORETYPE is left as it is.
 */
class OpenblasCoretypeScriptTest {
    private static final Path SCRIPT = E2eBench.findScript() == null ? Path.of("..", "bench", "openblas_coretype.py")
            : E2eBench.findScript().resolveSibling("openblas_coretype.py");

    private static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    private static E2eBench.ProcessResult py(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(python()));
        cmd.addAll(List.of(args));
        return E2eBench.exec(cmd, 120);
    }

    @Test
    void candidatesAreTheEnvironmentsOpenblassOwnAndTheSupportedCoreTypes() throws Exception {
        assumeTrue(py("-c", "pass").exitCode() == 0, "no python");
        String code = "import sys; sys.path.insert(0, sys.argv[1]); import openblas_coretype as o; import json; "
                + "a = {'avx', 'avx2', 'fma', 'avx512f', 'avx512bw', 'avx512vl', 'avx512dq', 'avx512cd'}; "
                + "print(json.dumps([o.candidates(a | {'avx512_bf16'}, 'Haswell'), o.candidates(a, ''), "
                + "o.candidates({'avx', 'avx2', 'fma'}, 'Cooperlake'), o.candidates({'avx'}, ''), o.candidates(set(), 'haswell')]))";
        E2eBench.ProcessResult r = py("-c", code, SCRIPT.toAbsolutePath().getParent().toString());
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.stdout());
        assertThat(j.get(0).toString()).isEqualTo("[\"Haswell\",\"\",\"Cooperlake\",\"SkylakeX\",\"Zen\"]");
        assertThat(j.get(1).toString()).isEqualTo("[\"\",\"SkylakeX\",\"Zen\",\"Haswell\"]");
        assertThat(j.get(2).toString()).as("the environment's is tried even where the flags say no")
                .isEqualTo("[\"Cooperlake\",\"\",\"Zen\",\"Haswell\"]");
        assertThat(j.get(3).toString()).isEqualTo("[\"\",\"Sandybridge\"]");
        assertThat(j.get(4).toString()).isEqualTo("[\"haswell\",\"\"]");
    }

    @Test
    void aShortSearchOverNumpysOpenblasChoosesACorrectCandidate() throws Exception {
        assumeTrue(py("-c", "import numpy").exitCode() == 0, "no python with numpy");
        E2eBench.ProcessResult r = py(SCRIPT.toString(), "--lib", "numpy", "--threads", "1", "--json", "--seconds", "0.001", "--rounds", "1");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        JsonNode j = new ObjectMapper().readTree(E2eBench.lastLines(r.stdout(), 1));
        String env = System.getenv().getOrDefault("OPENBLAS_CORETYPE", "");
        assertThat(j.get("environment").asText()).isEqualTo(env);
        List<String> tried = new ArrayList<>();
        for (JsonNode c : j.get("candidates")) tried.add(c.get("coretype").asText());
        assertThat(tried).contains("");
        if (!env.isEmpty()) assertThat(tried.get(0)).isEqualTo(env);
        if (!j.get("chosen").isNull()) { // numpy on OpenBLAS: its own detection, at least, runs and is correct
            JsonNode chosen = null;
            for (JsonNode c : j.get("candidates")) if (c.get("coretype").asText().equals(j.get("chosen").asText())) chosen = c;
            assertThat(chosen).isNotNull();
            assertThat(chosen.get("correct").asBoolean()).isTrue();
            assertThat(chosen.get("max_rel_error").asDouble()).isLessThanOrEqualTo(1e-5);
            assertThat(chosen.get("score_us").asDouble()).isPositive();
            for (JsonNode c : j.get("candidates")) {
                if (c.get("correct").asBoolean() && !c.has("same_as")) {
                    assertThat(c.get("score_us").asDouble()).isGreaterThanOrEqualTo(chosen.get("score_us").asDouble());
                }
            }
        }
    }
}
