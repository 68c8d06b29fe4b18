package dev.machina.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SplitsTest {
    private static void assertPartition(Splits.Split s, int n) {
        int[] all = IntStream.concat(Arrays.stream(s.train()), Arrays.stream(s.validation())).sorted().toArray();
        assertThat(all).containsExactly(IntStream.range(0, n).toArray());
    }

    @Test
    void randomSplitIsSeededAndPartitions() {
        Splits.Split a = Splits.random(100, 0.2, 5);
        assertThat(a.validation()).hasSize(20);
        assertThat(a.train()).hasSize(80);
        assertPartition(a, 100);
        Splits.Split b = Splits.random(100, 0.2, 5);
        assertThat(b.validation()).containsExactly(a.validation());
        assertThat(Splits.random(100, 0.2, 6).validation()).isNotEqualTo(a.validation());
    }

    @Test
    void stratifiedSplitKeepsEachClassProportionWithinOneExample() {
        // unbalanced classes: 50, 31, 7, 12 examples, interleaved
        int[] counts = {50, 31, 7, 12};
        int n = Arrays.stream(counts).sum();
        int[] labels = new int[n];
        int[] left = counts.clone();
        for (int i = 0, c = 0; i < n; c = (c + 1) % 4) {
            if (left[c] > 0) {
                labels[i++] = c;
                left[c]--;
            }
        }
        for (double f : new double[] {0.1, 0.25, 0.3}) {
            Splits.Split s = Splits.stratified(labels, f, 11);
            assertPartition(s, n);
            int[] valCounts = ClassStats.counts(Arrays.stream(s.validation()).map(i -> labels[i]).toArray(), 4);
            for (int c = 0; c < 4; c++) {
                assertThat(Math.abs(valCounts[c] - counts[c] * f)).as("class %d at fraction %s", c, f).isLessThanOrEqualTo(1.0);
            }
        }
        assertThat(Splits.stratified(labels, 0.25, 11).validation()).containsExactly(Splits.stratified(labels, 0.25, 11).validation());
    }

    @Test
    void kFoldCoversEveryIndexOnceAsValidation() {
        List<Splits.Split> folds = Splits.kFold(23, 5, 3);
        assertThat(folds).hasSize(5);
        assertThat(folds.stream().mapToInt(s -> s.validation().length).toArray()).containsExactly(5, 5, 5, 4, 4);
        int[] allVal = folds.stream().flatMapToInt(s -> Arrays.stream(s.validation())).sorted().toArray();
        assertThat(allVal).containsExactly(IntStream.range(0, 23).toArray());
        for (Splits.Split s : folds) assertPartition(s, 23);
        assertThat(Splits.kFold(23, 5, 3).get(2).validation()).containsExactly(folds.get(2).validation());
    }

    @Test
    void splitAppliesToDatasets() {
        TensorDataset ds = DataLoaderTest.ramp(30);
        Splits.Parts tv = Splits.trainValidation(ds, 0.2, 1);
        assertThat(tv.train().size() + tv.validation().size()).isEqualTo(30);
        assertThat(tv.validation().size()).isEqualTo(6);
        assertThat(tv.validation().classCounts()).containsExactly(2, 2, 2);
        // the subset keeps each example's features with its label
        for (int i = 0; i < tv.validation().size(); i++) {
            int orig = (int) tv.validation().features().data()[2 * i];
            assertThat(tv.validation().labels()[i]).isEqualTo(orig % 3);
        }
    }
}
