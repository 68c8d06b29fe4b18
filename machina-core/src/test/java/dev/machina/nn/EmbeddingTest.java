package dev.machina.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import org.junit.jupiter.api.Test;

class EmbeddingTest {

    @Test
    void looksUpRowsFromIntTokensAndFloatIndicesAlike() {
        Embedding e = new Embedding(6, 4, null, new Rng(1));
        Tensor a = e.forward(new int[][] {{1, 5, 0}, {2, 2, 3}});
        Tensor b = e.forward(Tensor.of(new float[] {1, 5, 0, 2, 2, 3}, 2, 3));
        assertThat(a.shape()).containsExactly(2, 3, 4);
        assertThat(b.data()).containsExactly(a.data());
        for (int j = 0; j < 4; j++) assertThat(a.get(0, 1, j)).isEqualTo(e.weight().get(5, j));
        assertThat(e.forward(Tensor.scalar(3)).shape()).containsExactly(4);
    }

    @Test
    void initIsStandardNormalWithPaddingRowZero() {
        Embedding e = new Embedding(400, 25, -1, new Rng(2));
        assertThat(e.paddingIdx()).isEqualTo(399);
        float[] w = e.weight().data();
        double sum = 0, sq = 0;
        int n = 399 * 25;
        for (int i = 0; i < n; i++) {
            sum += w[i];
            sq += w[i] * w[i];
        }
        assertThat(sum / n).isBetween(-0.05, 0.05);
        assertThat(sq / n).isBetween(0.93, 1.07);
        for (int j = 0; j < 25; j++) assertThat(e.weight().get(399, j)).isZero();
        assertThat(e.repr()).isEqualTo("Embedding(400, 25, padding_idx=399)");
    }

    @Test
    void paddingRowGetsNoGradientAndRepeatedTokensAccumulate() {
        Embedding e = new Embedding(4, 2, 0, new Rng(3));
        Tensor y = e.forward(new int[][] {{0, 2, 2}, {0, 1, 0}});
        y.sum().backward();
        Tensor g = e.weight().grad();
        assertThat(g.data()).containsExactly(0, 0, 1, 1, 2, 2, 0, 0);
    }

    @Test
    void badIndicesAreReported() {
        Embedding e = new Embedding(4, 2);
        assertThatThrownBy(() -> e.forward(new int[][] {{1, 4}})).hasMessageContaining("index 4 at position 1 is out of range [0, 4)");
        assertThatThrownBy(() -> e.forward(Tensor.vector(1.5f))).hasMessageContaining("not an integer");
        assertThatThrownBy(() -> e.forward(new int[][] {{1, 2}, {1}})).hasMessageContaining("equal length");
        assertThatThrownBy(() -> new Embedding(4, 2, 4, new Rng(1))).hasMessageContaining("Padding_idx");
    }
}
