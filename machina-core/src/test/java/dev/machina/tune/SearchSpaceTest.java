package dev.machina.tune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.machina.tensor.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SearchSpaceTest {

    @Test
    void gridEnumeratesEveryCombinationFirstKeySlowest() {
        SearchSpace s = new SearchSpace(List.of(
                new Dimension.Choice("optimizer.lr", List.of(0.1, 0.01)),
                new Dimension.IntRange("training.batch_size", 16, 48, 16)));
        assertThat(s.gridSize()).isEqualTo(6);
        List<Map<String, Object>> g = s.grid(Integer.MAX_VALUE);
        assertThat(g).extracting(m -> m.get("optimizer.lr") + "/" + m.get("training.batch_size"))
                .containsExactly("0.1/16", "0.1/32", "0.1/48", "0.01/16", "0.01/32", "0.01/48");
        assertThat(g.get(0).keySet()).containsExactly("optimizer.lr", "training.batch_size");
        assertThat(s.grid(4)).hasSize(4).isEqualTo(g.subList(0, 4));
    }

    @Test
    void gridRejectsContinuousDimensions() {
        SearchSpace s = new SearchSpace(List.of(new Dimension.LogUniform("optimizer.lr", 1e-4, 1e-1)));
        assertThat(s.discrete()).isFalse();
        assertThatThrownBy(() -> s.grid(10)).hasMessageContaining("optimizer.lr is continuous");
    }

    @Test
    void logAxesForLogScaledDimensions() {
        assertThat(new Dimension.Choice("bs", List.of(16, 32, 64, 128)).logScale()).isTrue();
        assertThat(new Dimension.Choice("p", List.of(0.1, 0.3, 0.5)).logScale()).isFalse();
        assertThat(new Dimension.Choice("opt", List.of("adam", "sgd")).logScale()).isFalse();
        assertThat(new Dimension.LogUniform("lr", 1e-4, 1e-1).logScale()).isTrue();
        assertThat(new Dimension.IntLogUniform("h", 16, 512).logScale()).isTrue();
        assertThat(new Dimension.Uniform("p", 0, 0.5).logScale()).isFalse();
    }

    @Test
    void rangeIncludesHiOnlyWhenOnTheGrid() {
        assertThat(new Dimension.IntRange("k", 1, 10, 4).values()).containsExactly(1, 5, 9);
        assertThat(new Dimension.IntRange("k", 2, 2, 1).values()).containsExactly(2);
    }

    @Test
    void randomTrialsAreSeededAndIndependentOfEachOther() {
        SearchSpace s = new SearchSpace(List.of(new Dimension.LogUniform("lr", 1e-4, 1e-1), new Dimension.Choice("bs", List.of(32, 64, 128))));
        assertThat(s.sample(7, 3)).isEqualTo(s.sample(7, 3));
        assertThat(s.sample(7, 3)).isNotEqualTo(s.sample(8, 3));
        assertThat(s.sample(7, 3)).isNotEqualTo(s.sample(7, 4));
    }

    @Test
    void samplersRespectTheirRanges() {
        Rng rng = new Rng(1);
        var u = new Dimension.Uniform("p", 0.1, 0.5);
        var lu = new Dimension.LogUniform("lr", 1e-4, 1e-1);
        var il = new Dimension.IntLogUniform("h", 16, 512);
        var c = new Dimension.Choice("bs", List.of(32, 64));
        var r = new Dimension.IntRange("e", 1, 9, 2);
        for (int i = 0; i < 5000; i++) {
            assertThat((double) u.sample(rng)).isBetween(0.1, 0.5);
            assertThat((double) lu.sample(rng)).isBetween(1e-4, 1e-1);
            assertThat((int) il.sample(rng)).isBetween(16, 512);
            assertThat(c.sample(rng)).isIn(32, 64);
            assertThat((int) r.sample(rng)).isIn(1, 3, 5, 7, 9);
        }
    }

    @Test
    void logUniformIsUniformInLogSpace() {
        Rng rng = new Rng(3);
        var lu = new Dimension.LogUniform("lr", 1e-4, 1e-1);
        int[] decade = new int[3];
        int n = 30000;
        for (int i = 0; i < n; i++) {
            double v = (double) lu.sample(rng);
            decade[Math.min(2, (int) Math.floor(Math.log10(v) + 4))]++;
        }
        // each decade gets a third (a linear-uniform sampler would put ~90% in the last one)
        for (int d : decade) assertThat(d / (double) n).isBetween(0.31, 0.356);
        var il = new Dimension.IntLogUniform("h", 16, 255);
        int below64 = 0;
        for (int i = 0; i < n; i++) if ((int) il.sample(rng) < 64) below64++;
        // log(64/16) / log(256/16) = 0.5
        assertThat(below64 / (double) n).isBetween(0.48, 0.52);
    }

    @Test
    void badBoundsAreRejectedWithTheKey() {
        assertThatThrownBy(() -> new Dimension.LogUniform("optimizer.lr", 0, 1)).hasMessage("optimizer.lr: loguniform needs lo > 0, got 0.0");
        assertThatThrownBy(() -> new Dimension.Uniform("p", 0.5, 0.5)).hasMessageContaining("lo < hi");
        assertThatThrownBy(() -> new Dimension.IntLogUniform("h", 0, 4)).hasMessageContaining("lo >= 1");
        assertThatThrownBy(() -> new Dimension.Choice("c", new ArrayList<>())).hasMessageContaining("at least one");
        assertThatThrownBy(() -> new SearchSpace(List.of(new Dimension.Choice("a", List.of(1)), new Dimension.Choice("a", List.of(2)))))
                .hasMessageContaining("twice");
    }
}
