package dev.machina.bench.ab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.machina.bench.BenchMain;
import dev.machina.experiment.UserError;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The A/B harnesses as `machina bench` subcommands, each on a tiny shape for about a second or two. */
class AbHarnessTest {
    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = BenchMain.execute(args, new PrintWriter(o, true), new PrintWriter(e, true));
        return new Result(code, o.toString(), e.toString());
    }

    /** A field for ab-flip to flip (the harness must not depend on which fields VectorGemm has). */
    static final class Knob {
        static boolean on;
        static int level;
        static final int FIXED = 1;
    }

    @Test
    void shapesAreMnkWithOptionalTransposes() {
        assertThat(Shape.parse("64,256,784,0,1")).isEqualTo(new Shape(64, 256, 784, false, true));
        assertThat(Shape.parse("8,9,10")).isEqualTo(new Shape(8, 9, 10, false, false));
        assertThat(Shape.parse("8,9,10,1")).isEqualTo(new Shape(8, 9, 10, true, false));
        assertThat(Shape.parse("8,9,10,1,0").lda()).isEqualTo(8);
        assertThat(Shape.parse("8,9,10,0,1").ldb()).isEqualTo(10);
        for (String bad : new String[] {"8,9", "8,0,10", "8,9,10,2,0", "8x9x10", "8,9,10,0,0,0"}) {
            assertThatThrownBy(() -> Shape.parse(bad)).as(bad).isInstanceOf(UserError.class).hasMessageContaining(bad);
        }
    }

    @Test
    void gemmWindowsPrintsMedianBestAndPeak() {
        Result r = run("gemm-windows", "--warmms", "0", "1", "8,8,8", "6,5,4,1,1");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("8,8,8 med \\d+ max \\d+ \\| 6,5,4,1,1 med \\d+ max \\d+ \\| peak \\d+");
    }

    @Test
    void flipAbFlipsAFieldBetweenWindows() {
        Result r = run("ab-flip", "--class", Knob.class.getName(), "--field", "on", "--vals", "false,true", "--secs", "1", "--warmms", "0",
                "1", "8,8,8");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("8,8,8: false q25 \\d+ med \\d+ q75 \\d+ max \\d+; true q25 \\d+ .*GFLOP/s");
        Result two = run("ab-flip", "--class", Knob.class.getName(), "--vals", "on=true+level=3,on=false+level=4", "--secs", "1",
                "--warmms", "0", "1", "8,8,8");
        assertThat(two.code()).as(two.err()).isZero();
        assertThat(two.out()).contains("on=true+level=3 q25", "on=false+level=4 q25");
        assertThat(Knob.level).isIn(3, 4); // both fields were set, together
    }

    @Test
    void flipAbRefusesFieldsItCannotFlip() {
        assertThat(run("ab-flip", "--class", Knob.class.getName(), "--field", "FIXED", "--vals", "1,2", "1", "8,8,8").err())
                .contains("must be static and not final");
        assertThat(run("ab-flip", "--class", Knob.class.getName(), "--field", "nosuch", "1", "8,8,8").err()).contains("has no field nosuch");
        assertThat(run("ab-flip", "--class", Knob.class.getName(), "--field", "level", "--vals", "1,x", "1", "8,8,8").err())
                .contains("'x' is not a value");
        Result r = run("ab-flip", "--class", Knob.class.getName(), "--vals", "true,false", "1", "8,8,8");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--field is needed");
    }

    @Test
    void loaderAbComparesTwoClassLoadersOfTheSameLibrary() {
        Result r = run("ab-loader", "--sides", "machina.ab.test=1;", "--secs", "1", "1", "8,8,8");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("8,8,8, 1 thread(s):", "side 0 [machina.ab.test=1]", "side 1 []", "same bits as side 0",
                "side 1 / side 0 over adjacent windows");
        assertThat(System.getProperty("machina.ab.test")).isNull(); // set only while side 0 initialised
        assertThat(run("ab-loader", "--sides", ";", "--paths", "only-one", "1", "8,8,8").err()).contains("--paths needs one entry per side");
    }

    @Test
    void mlpStepPrintsMicrosecondsPerStep() {
        Result r = run("mlp-step", "--warmms", "0", "4");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("batch 4 step: median \\d+ us, best \\d+ us");
    }
}
