package dev.machina.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.machina.bench.E2eBench.Kind;
import dev.machina.bench.E2eBench.Side;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The harness logic of `machina bench e2e`, without running any benchmark. */
class E2eBenchTest {
    private final ObjectMapper om = new ObjectMapper();

    @Test
    void medianOfOddEvenAndEmpty() {
        assertThat(E2eBench.median(new double[] {3, 1, 2})).isEqualTo(2);
        assertThat(E2eBench.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
        assertThat(E2eBench.median(new double[] {5, Double.NaN, 1})).isEqualTo(3);
        assertThat(E2eBench.median(new double[0])).isNaN();
    }

    @Test
    void nearestRankPercentile() {
        double[] v = new double[100];
        for (int i = 0; i < 100; i++) v[i] = 100 - i; // 100..1
        assertThat(E2eBench.percentile(v, 99)).isEqualTo(99);
        assertThat(E2eBench.percentile(v, 100)).isEqualTo(100);
        assertThat(E2eBench.percentile(new double[] {7}, 99)).isEqualTo(7);
        double[] thousand = new double[1000];
        for (int i = 0; i < 1000; i++) thousand[i] = i + 1;
        assertThat(E2eBench.percentile(thousand, 99)).isEqualTo(990);
    }

    @Test
    void warnsWhenPytorchCallsTheReferenceBlasOnly() {
        // what the probe reports with python3-torch and no optimised BLAS installed
        String reference = "generic /usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0";
        assertThat(E2eBench.blasWarning(reference)).contains("reference BLAS (/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0)")
                .contains("apt-get install libopenblas0-pthread");
        // … and with libopenblas0-pthread installed (the alternatives then point at OpenBLAS)
        assertThat(E2eBench.blasWarning("generic /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 "
                + "/usr/lib/x86_64-linux-gnu/openblas-pthread/liblapack.so.3 "
                + "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so")).isNull();
        assertThat(E2eBench.blasWarning("generic /usr/lib/x86_64-linux-gnu/blis-pthread/libblas.so.3")).isNull();
        assertThat(E2eBench.blasWarning("mkl")).isNull(); // pip wheels: MKL linked in, no BLAS library mapped
        assertThat(E2eBench.blasWarning("")).isNull();
        assertThat(E2eBench.blasWarning(null)).isNull();
    }

    @Test
    void runsAlternateMachinaAndPytorch() {
        assertThat(E2eBench.schedule(3, true)).containsExactly(Side.MACHINA, Side.PYTORCH, Side.MACHINA, Side.PYTORCH,
                Side.MACHINA, Side.PYTORCH);
        assertThat(E2eBench.schedule(3, false)).containsExactly(Side.MACHINA, Side.MACHINA, Side.MACHINA);
    }

    @Test
    void ratioIsMachinaCostOverPytorchCost() {
        assertThat(E2eBench.ratio(Kind.TIME, 1.0, 4.0)).isEqualTo(0.25);
        assertThat(E2eBench.ratio(Kind.MEMORY, 300, 200)).isEqualTo(1.5);
        // throughput: higher is better, so the cost ratio is PyTorch's over Machina's
        assertThat(E2eBench.ratio(Kind.THROUGHPUT, 4000, 1000)).isEqualTo(0.25);
        assertThat(E2eBench.ratio(Kind.TIME, Double.NaN, 1)).isNaN();
        assertThat(E2eBench.ratio(Kind.TIME, 1, 0)).isNaN();
    }

    @Test
    void targetMarking() {
        assertThat(E2eBench.status(0.35, 0.35)).isEqualTo("pass");
        assertThat(E2eBench.status(0.35, 0.3501)).isEqualTo("miss");
        assertThat(E2eBench.status(null, 0.1)).isEmpty();
        assertThat(E2eBench.status(0.35, Double.NaN)).isEmpty();
        assertThat(E2eBench.accuracyStatus(0.880, 0.884)).isEqualTo("pass");
        assertThat(E2eBench.accuracyStatus(0.880, 0.886)).isEqualTo("miss");
        assertThat(E2eBench.accuracyStatus(0.890, Double.NaN)).isEqualTo("n/a");
    }

    @Test
    void targetsAreThoseOfTheIssue() {
        List<E2eBench.Row> rows = E2eBench.rows(new int[] {64, 256});
        assertThat(target(rows, "mlp_epoch_b64")).isEqualTo(0.35);
        assertThat(target(rows, "mlp_epoch_b256")).isEqualTo(0.6);
        assertThat(target(rows, "latency_median")).isEqualTo(0.2);
        assertThat(target(rows, "peak_rss")).isEqualTo(0.6);
        E2eBench.Row lstm = rows.stream().filter(r -> r.key().equals("lstm_epoch")).findFirst().orElseThrow();
        assertThat(lstm.target()).isEqualTo(0.25);
        assertThat(lstm.na()).startsWith("n/a: run without the LSTM benchmark");
        assertThat(lstm.label()).isEqualTo("LSTM train epoch, " + E2eWorker.LSTM_EXAMPLES + " images as 28 rows, batch 64");
    }

    @Test
    void theLstmRowNamesTheImagesItTrainsOn() {
        assertThat(label(E2eBench.rows(new int[] {64}, 3200), "lstm_epoch")).isEqualTo("LSTM train epoch, 3200 images as 28 rows, batch 64");
        assertThat(label(E2eBench.rows(new int[] {64}, 0), "lstm_epoch")).isEqualTo("LSTM train epoch, images as 28 rows, batch 64");
    }

    private static String label(List<E2eBench.Row> rows, String key) {
        return rows.stream().filter(r -> r.key().equals(key)).findFirst().orElseThrow().label();
    }

    private static Double target(List<E2eBench.Row> rows, String key) {
        return rows.stream().filter(r -> r.key().equals(key)).findFirst().orElseThrow().target();
    }

    private JsonNode run(double epoch64, double epoch256, double latency, long hwmKb) {
        ObjectNode o = om.createObjectNode();
        o.put("load_s", 1.0);
        o.putObject("train").putObject("64").put("mean_epoch_s", epoch64).put("samples_per_s", 60000 / epoch64);
        ((ObjectNode) o.get("train")).putObject("256").put("mean_epoch_s", epoch256).put("samples_per_s", 60000 / epoch256);
        o.putObject("infer").put("throughput_samples_per_s", 10000).put("latency_median_us", latency).put("latency_p99_us", 2 * latency);
        o.put("vmhwm_train_kb", hwmKb);
        return o;
    }

    @Test
    void resultsAreMediansWithRatiosAndStatus() {
        List<JsonNode> m = List.of(run(3, 1, 10, 100 * 1024), run(1, 3, 30, 300 * 1024), run(2, 2, 20, 200 * 1024));
        List<JsonNode> p = List.of(run(10, 4, 100, 100 * 1024), run(8, 4, 100, 100 * 1024), run(12, 4, 100, 100 * 1024));
        List<E2eBench.Result> res = E2eBench.results(E2eBench.rows(new int[] {64, 256}), m, p);
        E2eBench.Result b64 = find(res, "mlp_epoch_b64");
        assertThat(b64.machina()).isEqualTo(2);
        assertThat(b64.pytorch()).isEqualTo(10);
        assertThat(b64.ratio()).isCloseTo(0.2, within(1e-12));
        assertThat(b64.status()).isEqualTo("pass");
        assertThat(find(res, "mlp_epoch_b256").status()).isEqualTo("pass"); // 2/4 = 0.5 ≤ 0.6
        assertThat(find(res, "mlp_train_sps_b64").ratio()).isCloseTo(0.2, within(1e-12));
        assertThat(find(res, "latency_median").ratio()).isCloseTo(0.2, within(1e-12));
        assertThat(find(res, "latency_median").status()).isEqualTo("pass");
        assertThat(find(res, "latency_p99").status()).isEqualTo("pass"); // 40/200 = 0.2 ≤ 1.0
        assertThat(find(res, "infer_sps").ratio()).isCloseTo(1.0, within(1e-12));
        assertThat(find(res, "infer_sps").status()).isEqualTo("miss"); // equal throughput: 1.0 > 0.5
        E2eBench.Result rss = find(res, "peak_rss");
        assertThat(rss.machina()).isEqualTo(200);
        assertThat(rss.ratio()).isEqualTo(2);
        assertThat(rss.status()).isEqualTo("miss");
        assertThat(find(res, "lstm_epoch").status()).contains("n/a");

        String table = E2eBench.table(res);
        assertThat(table).contains("| benchmark | unit | Machina | PyTorch | Machina/PyTorch | target |");
        assertThat(table).contains("| MLP train epoch, batch 64 | s | 2.000 | 10.00 | 0.200 | ≤ 0.35 | pass |");
        assertThat(table).contains("| peak RSS during MLP training | MiB | 200.0 | 100.0 | 2.000 | ≤ 0.6 | miss |");
        assertThat(table).contains("n/a: run without the LSTM benchmark");
    }

    @Test
    void withoutPytorchTheRatiosAreEmpty() {
        List<E2eBench.Result> res = E2eBench.results(E2eBench.rows(new int[] {64, 256}), List.of(run(2, 1, 10, 1024)), List.of());
        assertThat(find(res, "mlp_epoch_b64").machina()).isEqualTo(2);
        assertThat(find(res, "mlp_epoch_b64").pytorch()).isNaN();
        assertThat(find(res, "mlp_epoch_b64").status()).isEmpty();
        assertThat(E2eBench.table(res)).contains("| MLP train epoch, batch 64 | s | 2.000 | — | — | ≤ 0.35 |  |");
    }

    @Test
    void jsonRowsHaveAFixedShape() {
        List<E2eBench.Result> res = E2eBench.results(E2eBench.rows(new int[] {64, 256}),
                List.of(run(2, 1, 10, 1024)), List.of(run(10, 4, 100, 1024)));
        ArrayNode rows = E2eBench.rowsJson(om, res);
        assertThat(rows).hasSize(res.size());
        for (JsonNode r : rows) {
            assertThat(r.fieldNames()).toIterable().containsExactly("key", "label", "unit", "kind", "machina", "pytorch", "ratio",
                    "target", "status");
        }
        JsonNode b64 = rows.get(1);
        assertThat(b64.get("key").asText()).isEqualTo("mlp_epoch_b64");
        assertThat(b64.get("ratio").asDouble()).isCloseTo(0.2, within(1e-12));
        assertThat(b64.get("target").asDouble()).isEqualTo(0.35);
        JsonNode lstm = rows.get(rows.size() - 2);
        assertThat(lstm.get("key").asText()).isEqualTo("lstm_epoch");
        assertThat(lstm.get("machina").isNull()).isTrue();
        assertThat(lstm.get("status").asText()).startsWith("n/a");
    }

    @Test
    void theLstmRowReadsTheLstmSection() {
        JsonNode m = run(2, 1, 10, 1024), p = run(10, 4, 100, 1024);
        ((ObjectNode) m).putObject("lstm").put("epoch_s", 3.0).put("samples_per_s", 2000);
        ((ObjectNode) p).putObject("lstm").put("epoch_s", 12.0).put("samples_per_s", 500);
        List<E2eBench.Result> res = E2eBench.results(E2eBench.rows(new int[] {64, 256}), List.of(m), List.of(p));
        assertThat(find(res, "lstm_epoch").ratio()).isCloseTo(0.25, within(1e-12));
        assertThat(find(res, "lstm_epoch").status()).isEqualTo("pass");
        assertThat(find(res, "lstm_sps").ratio()).isCloseTo(0.25, within(1e-12));
    }

    private static E2eBench.Result find(List<E2eBench.Result> res, String key) {
        return res.stream().filter(r -> r.row().key().equals(key)).findFirst().orElseThrow();
    }

    @Test
    void theSearchsChoiceIsNamedWithEveryCandidateAndSetInPytorchsEnvironment() throws Exception {
        JsonNode j = om.readTree("""
                {"chosen": "SkylakeX", "core": "SkylakeX", "environment": "Haswell", "candidates": [
                 {"coretype": "Haswell", "core": "Haswell", "max_rel_error": 3e-7, "correct": true, "score_us": 601.0},
                 {"coretype": "", "core": "Cooperlake", "max_rel_error": 3e-7, "correct": true, "score_us": 330.0},
                 {"coretype": "Cooperlake", "core": "Cooperlake", "max_rel_error": 3e-7, "correct": true, "score_us": 330.0, "same_as": ""},
                 {"coretype": "SkylakeX", "core": "SkylakeX", "max_rel_error": 3e-7, "correct": true, "score_us": 305.0},
                 {"coretype": "Zen", "core": "Zen", "max_rel_error": 0.5, "correct": false, "score_us": null},
                 {"coretype": "SapphireRapids", "core": null, "correct": false, "error": "exit code -4"}]}
                """);
        E2eBench.CoreType ct = E2eBench.coreTypeOf(j, "Haswell");
        assertThat(ct.value()).isEqualTo("SkylakeX");
        assertThat(ct.name()).isEqualTo("SkylakeX");
        assertThat(ct.line()).startsWith("OPENBLAS_CORETYPE SkylakeX, the fastest correct of: Haswell 601.0 µs, unset (Cooperlake) 330.0 µs, "
                + "Cooperlake = unset, SkylakeX 305.0 µs, Zen wrong (error 5.0e-01), SapphireRapids failed").contains("environment: Haswell");
        assertThat(ct.applyTo(java.util.Map.of("OMP_WAIT_POLICY", "PASSIVE")))
                .containsEntry("OPENBLAS_CORETYPE", "SkylakeX").containsEntry("OMP_WAIT_POLICY", "PASSIVE");
        assertThat(E2eBench.table(List.of(), ct.name())).startsWith("| benchmark | unit | Machina | PyTorch (OpenBLAS SkylakeX) |");
    }

    @Test
    void openblassOwnDetectionIsTheVariableUnsetAndNoCorrectCandidateKeepsTheEnvironment() throws Exception {
        E2eBench.CoreType auto = E2eBench.coreTypeOf(om.readTree("""
                {"chosen": "", "core": "Cooperlake", "candidates": [{"coretype": "", "core": "Cooperlake", "correct": true, "score_us": 3}]}
                """), "Haswell");
        assertThat(auto.name()).isEqualTo("unset (Cooperlake detected)");
        java.util.Map<String, String> env = auto.applyTo(java.util.Map.of());
        assertThat(env).containsKey("OPENBLAS_CORETYPE");
        assertThat(env.get("OPENBLAS_CORETYPE")).as("null: removed from the child's environment").isNull();

        E2eBench.CoreType none = E2eBench.coreTypeOf(om.readTree("""
                {"chosen": null, "core": null, "candidates": [{"coretype": "", "core": "X", "max_rel_error": 1, "correct": false}]}
                """), "Haswell");
        assertThat(none.value()).isNull();
        assertThat(none.applyTo(java.util.Map.of())).doesNotContainKey("OPENBLAS_CORETYPE");
        assertThat(none.line()).contains("no candidate was correct");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> E2eBench.coreTypeOf(om.readTree("{\"train\": {}}"), "Haswell"))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("unexpected output");
    }

    @Test
    void anExplicitOrEnvironmentCoreTypeSkipsTheSearch() {
        E2eBench.TorchProbe torch = new E2eBench.TorchProbe("/nonexistent/python", "1.13", "1.24", "openblas", null);
        E2eBench.CoreType env = E2eBench.chooseCoreType("env", torch, null, 2, 10);
        assertThat(env.value()).isNull();
        assertThat(env.line()).contains("the environment's, --openblas-coretype env");
        E2eBench.CoreType named = E2eBench.chooseCoreType("Cooperlake", torch, null, 2, 10);
        assertThat(named.value()).isEqualTo("Cooperlake");
        // not OpenBLAS: nothing to choose
        E2eBench.CoreType ref = E2eBench.chooseCoreType("auto", new E2eBench.TorchProbe("/x", "1", "1", "generic /usr/lib/blas/libblas.so.3", null),
                null, 2, 10);
        assertThat(ref.value()).isNull();
        assertThat(ref.line()).contains("not OpenBLAS");
    }
}
