package dev.machina.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.machina.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequencesTest {

    @Test
    void slidingWindowsTakeFeaturesAndFutureTargets() {
        // 6 steps, 2 columns: col0 = t, col1 = 10t
        float[] s = new float[12];
        for (int t = 0; t < 6; t++) {
            s[2 * t] = t;
            s[2 * t + 1] = 10 * t;
        }
        TensorDataset d = Sequences.windows(Tensor.of(s, 6, 2), 3, 2, 1, new int[] {1});
        assertThat(d.size()).isEqualTo(2); // starts 0 and 1
        assertThat(d.features().shape()).containsExactly(2, 3, 2);
        assertThat(d.targets().shape()).containsExactly(2, 2);
        assertThat(d.features().data()).startsWith(0, 0, 1, 10, 2, 20);
        assertThat(d.targets().data()).containsExactly(30, 40, 40, 50);
        assertThat(Sequences.windows(Tensor.of(s, 6, 2), 2, 1, 2, new int[] {0, 1}).size()).isEqualTo(2); // starts 0, 2
        assertThatThrownBy(() -> Sequences.windows(Tensor.of(s, 6, 2), 5, 2, 1, new int[] {0})).hasMessageContaining("too short");
        assertThatThrownBy(() -> Sequences.windows(Tensor.of(s, 6, 2), 2, 1, 1, new int[] {2})).hasMessageContaining("target column 2");
    }

    @Test
    void charactersPredictTheNextCharacterAtEveryStep(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("t.txt");
        Files.writeString(f, "abcabcé");
        Sequences.Text t = Sequences.characters(f, 3, 2);
        assertThat(t.vocabulary().chars()).containsExactly("a", "b", "c", "é");
        assertThat(t.length()).isEqualTo(7);
        TensorDataset d = t.dataset();
        assertThat(d.size()).isEqualTo(2); // starts 0, 2 (need seqLen + 1 characters)
        assertThat(d.features().data()).containsExactly(0, 1, 2, 2, 0, 1);
        assertThat(d.targets().data()).containsExactly(1, 2, 0, 0, 1, 2);
        assertThat(t.vocabulary().decode(new int[] {3, 0})).isEqualTo("éa");
        assertThatThrownBy(() -> t.vocabulary().encode("abz")).hasMessageContaining("'z' (U+7A) at position 2 is not in the model's vocabulary");
        Files.write(tmp.resolve("bad.txt"), new byte[] {(byte) 0xff, 0x41});
        assertThatThrownBy(() -> Sequences.characters(tmp.resolve("bad.txt"), 1, 1)).hasMessageContaining("not valid UTF-8");
        assertThatThrownBy(() -> Sequences.characters(tmp.resolve("none.txt"), 1, 1)).hasMessageContaining("no such file");
    }
}
