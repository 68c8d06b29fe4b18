package dev.machina.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `machina bench` driven in-process: the gemm benchmark on tiny shapes, help, and bad input. */
class BenchMainTest {
    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = BenchMain.execute(args, new PrintWriter(o, true), new PrintWriter(e, true));
        return new Result(code, o.toString(), e.toString());
    }

    @Test
    void benchGemmJsonHasTheFieldsDashboardsRead() throws Exception {
        Result r = run("gemm", "--shape", "40x70x30", "--seconds", "0.1", "--threads", "1", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode arr = new ObjectMapper().readTree(r.out());
        assertThat(arr.isArray()).isTrue();
        assertThat(arr).hasSize(1);
        JsonNode o = arr.get(0);
        assertThat(o.get("m").asInt()).isEqualTo(40);
        assertThat(o.get("n").asInt()).isEqualTo(70);
        assertThat(o.get("k").asInt()).isEqualTo(30);
        assertThat(o.get("threads").asInt()).isEqualTo(1);
        assertThat(o.get("huge_pages").isBoolean()).isTrue();
        double best = o.get("gflops").asDouble(), median = o.get("gflops_median").asDouble();
        assertThat(median).isPositive().isLessThanOrEqualTo(best);
        assertThat(o.get("ratio").asDouble()).isCloseTo(best / o.get("peak_gflops").asDouble(), org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void benchGemmShapesTakeTheFormOfEachOperand() throws Exception {
        Result r = run("gemm", "--shape", "40x70x30:nt", "--shape", "33x17x9:TN", "--shape", "5x6x7:tt", "--shape", "8x9x10",
                "--seconds", "0.05", "--threads", "1", "--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode arr = new ObjectMapper().readTree(r.out());
        assertThat(arr).hasSize(4);
        int[][] mnk = {{40, 70, 30}, {33, 17, 9}, {5, 6, 7}, {8, 9, 10}};
        boolean[][] trans = {{false, true}, {true, false}, {true, true}, {false, false}};
        for (int i = 0; i < 4; i++) {
            JsonNode o = arr.get(i);
            assertThat(new int[] {o.get("m").asInt(), o.get("n").asInt(), o.get("k").asInt()}).as("shape %d", i).containsExactly(mnk[i]);
            assertThat(o.get("transA").asBoolean()).as("transA of shape %d", i).isEqualTo(trans[i][0]);
            assertThat(o.get("transB").asBoolean()).as("transB of shape %d", i).isEqualTo(trans[i][1]);
            assertThat(o.get("gflops").asDouble()).isPositive();
        }
        assertThat(run("gemm", "--shape", "6x6x6:nx").err()).contains("must be nn, nt, tn or tt").contains("'nx'");
    }

    @Test
    void badInputGivesOneLineExitCodeTwoAndNoStackTrace() {
        List<String[]> cases = List.of(
                new String[] {"gemm", "--shape", "6x6"},
                new String[] {"gemm", "--shape", "6x6x6:nx"},
                new String[] {"gemm", "--shape", "6x0x6:nt"},
                new String[] {"gemm", "--threads", "0"});
        for (String[] c : cases) {
            Result r = run(c);
            String cmd = String.join(" ", c);
            assertThat(r.code()).as(cmd + "\n" + r.err()).isEqualTo(2);
            assertThat(r.err().strip().lines().count()).as(cmd + " gives one line:\n" + r.err()).isEqualTo(1);
            assertThat(r.err()).as(cmd).startsWith("machina: ").doesNotContain("Exception", "\tat ");
        }
    }

    @Test
    void jmhGetsEveryArgumentAsItIs() {
        java.io.PrintStream stdout = System.out;
        java.io.ByteArrayOutputStream jmhOut = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(jmhOut, true, java.nio.charset.StandardCharsets.UTF_8));
        Result r;
        try {
            r = run("jmh", "-l", "Step");
        } finally {
            System.setOut(stdout);
        }
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(jmhOut.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("dev.machina.bench.MlpStepBench.step", "dev.machina.bench.LstmStepBench.step").doesNotContain("GemmBench");
    }

    @Test
    void helpListsTheBenchmarks() {
        Result r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("gemm", "e2e", "scale", "load", "gemm-windows", "ab-flip", "ab-loader", "mlp-step", "jmh",
                "tune-parallel");
        assertThat(run("e2e", "--help").out()).contains("--no-torch", "--synthetic");
        Result t = run("tune-parallel", "--epochs", "1", "--repeats", "1", "--hidden", "16");
        assertThat(t.code()).as(t.err()).isZero();
        assertThat(t.out()).contains("ratio");
        Result u = run("nosuchbench");
        assertThat(u.code()).isEqualTo(2);
        assertThat(u.err()).startsWith("machina: ");
    }

    @Test
    void benchScaleValidatesItsOptions() {
        Result r = run("scale", "--examples", "10");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--examples must be at least 64");
    }
}
