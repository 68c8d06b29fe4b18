package dev.machina.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.machina.data.DatasetLocator;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `machina bench load` on a tiny Fashion-MNIST-shaped directory, and without one. */
class LoadBenchTest {
    @TempDir
    Path tmp;

    static int run(StringWriter out, StringWriter err, String... args) {
        return BenchMain.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    /** An IDX file of unsigned bytes: magic (0, 0, 0x08, rank), the dimensions, the bytes i % 10. */
    static void idx(Path file, int... dims) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(bos);
        d.write(new byte[] {0, 0, 0x08, (byte) dims.length});
        int n = 1;
        for (int x : dims) {
            d.writeInt(x);
            n *= x;
        }
        for (int i = 0; i < n; i++) d.writeByte(i % 10);
        Files.write(file, bos.toByteArray());
    }

    @Test
    void timesEachLoad() throws Exception {
        idx(tmp.resolve("train-images-idx3-ubyte"), 3, 28, 28);
        idx(tmp.resolve("train-labels-idx1-ubyte"), 3);
        idx(tmp.resolve("t10k-images-idx3-ubyte"), 2, 28, 28);
        idx(tmp.resolve("t10k-labels-idx1-ubyte"), 2);
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertThat(run(out, err, "load", "--data", tmp.toString(), "--repeats", "2")).as(err.toString()).isZero();
        assertThat(out.toString()).containsPattern("run 0: loaded 3 \\+ 2 examples \\[28, 28\\] in \\d+\\.\\d{3} s")
                .contains("run 1: loaded 3 + 2 examples");
    }

    @Test
    void missingDataIsOneLineWithTheWayToGetIt() {
        // a missing --data directory falls back to the standard ones: only meaningful where none has the dataset
        assumeTrue(DatasetLocator.system().find("fashion-mnist", null).isEmpty(), "Fashion-MNIST is installed here");
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertThat(run(out, err, "load", "--data", tmp.resolve("nothing").toString(), "--repeats", "1")).isEqualTo(2);
        assertThat(err.toString().strip().lines()).hasSize(1);
        assertThat(err.toString()).startsWith("machina: ").contains("fashion-mnist").contains("--data DIR");
    }

    @Test
    void repeatsMustBePositive() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertThat(run(out, err, "load", "--repeats", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--repeats must be at least 1");
    }
}
