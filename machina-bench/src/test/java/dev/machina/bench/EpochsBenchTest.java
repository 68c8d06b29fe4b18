package dev.machina.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** `machina bench epochs` on synthetic data, and its bad settings. */
class EpochsBenchTest {
    @Test
    void printsEachEpochAndTheSteadyState() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertThat(LoadBenchTest.run(out, err, "epochs", "--synthetic", "120", "--batch", "40", "--epochs", "4", "--threads", "1"))
                .as(err.toString()).isZero();
        String o = out.toString();
        assertThat(o).contains("machina bench epochs: 120 training examples, batch 40, 1 thread(s), 4 epochs");
        for (int e = 1; e <= 4; e++) assertThat(o).containsPattern("(?m)^epoch " + e + ": \\d+\\.\\d{3} s \\([\\d,]+ samples/s\\)$");
        assertThat(o).doesNotContain("epoch 5:")
                .containsPattern("steady state \\(median of epochs 3-4\\): \\d+\\.\\d{3} s; epoch 2 took \\d+\\.\\d{2}× it, epoch 1 \\d+\\.\\d{2}×");
    }

    @Test
    void twoEpochsHaveNoSteadyStateLine() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertThat(LoadBenchTest.run(out, err, "epochs", "--synthetic", "50", "--batch", "25", "--epochs", "2", "--threads", "1")).isZero();
        assertThat(out.toString()).contains("epoch 2:").doesNotContain("steady state");
    }

    @Test
    void badSettingsAreOneLine() {
        for (String[] args : new String[][] {{"--epochs", "1"}, {"--batch", "0"}, {"--threads", "0"}, {"--synthetic", "-3"}}) {
            StringWriter out = new StringWriter(), err = new StringWriter();
            String[] full = new String[args.length + 1];
            full[0] = "epochs";
            System.arraycopy(args, 0, full, 1, args.length);
            assertThat(LoadBenchTest.run(out, err, full)).as(String.join(" ", args)).isEqualTo(2);
            assertThat(err.toString().strip().lines()).hasSize(1);
            assertThat(err.toString()).startsWith("machina: " + args[0] + " must be");
        }
    }
}
