package dev.machina.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.machina.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    /** N examples of 2 features (i, -i) and label i % 3. */
    static TensorDataset ramp(int n) {
        float[] x = new float[2 * n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = -i;
            y[i] = i % 3;
        }
        return TensorDataset.classification(Tensor.of(x, n, 2), y);
    }

    static int[] indicesOf(Iterable<Batch> epoch) {
        List<Integer> out = new ArrayList<>();
        for (Batch b : epoch) for (int i : b.indices()) out.add(i);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void everyExampleExactlyOncePerEpochAndBatchesMatchTheirIndices() {
        TensorDataset ds = ramp(103);
        DataLoader loader = DataLoader.builder(ds).batchSize(10).shuffle(7).build();
        assertThat(loader.numBatches()).isEqualTo(11);
        List<Batch> batches = new ArrayList<>();
        loader.epoch(0).forEach(batches::add);
        assertThat(batches).hasSize(11);
        assertThat(batches.get(10).size()).isEqualTo(3);
        int[] seen = batches.stream().flatMapToInt(b -> Arrays.stream(b.indices())).sorted().toArray();
        int[] all = new int[103];
        for (int i = 0; i < 103; i++) all[i] = i;
        assertThat(seen).containsExactly(all);
        for (Batch b : batches) {
            assertThat(b.features().shape()).containsExactly(b.size(), 2);
            for (int r = 0; r < b.size(); r++) {
                int i = b.indices()[r];
                assertThat(b.features().data()[2 * r]).isEqualTo((float) i);
                assertThat(b.features().data()[2 * r + 1]).isEqualTo((float) -i);
                assertThat(b.labels()[r]).isEqualTo(i % 3);
            }
        }
    }

    @Test
    void orderIsAPureFunctionOfSeedAndEpoch() {
        TensorDataset ds = ramp(50);
        DataLoader a = DataLoader.builder(ds).batchSize(8).shuffle(42).build();
        DataLoader b = DataLoader.builder(ds).batchSize(8).shuffle(42).build();
        assertThat(indicesOf(a.epoch(3))).containsExactly(indicesOf(b.epoch(3)));
        assertThat(indicesOf(a.epoch(0))).isNotEqualTo(indicesOf(a.epoch(1)));
        assertThat(indicesOf(a.epoch(0))).isNotEqualTo(indicesOf(DataLoader.builder(ds).batchSize(8).shuffle(43).build().epoch(0)));
        int[] sorted = indicesOf(a.epoch(0)).clone();
        Arrays.sort(sorted);
        assertThat(indicesOf(a.epoch(0))).isNotEqualTo(sorted);   // it is actually shuffled
    }

    @Test
    void iteratingAdvancesTheEpochAndSetEpochResumes() {
        TensorDataset ds = ramp(30);
        DataLoader run = DataLoader.builder(ds).batchSize(4).shuffle(1).build();
        int[] e0 = indicesOf(run);
        int[] e1 = indicesOf(run);
        int[] e2 = indicesOf(run);
        assertThat(run.currentEpoch()).isEqualTo(3);
        assertThat(e0).isNotEqualTo(e1);

        DataLoader resumed = DataLoader.builder(ds).batchSize(4).shuffle(1).build();
        resumed.setEpoch(2);
        assertThat(indicesOf(resumed)).containsExactly(e2);
        assertThat(indicesOf(run.epoch(1))).containsExactly(e1);
    }

    @Test
    void withoutShuffleTheOrderIsTheIdentity() {
        DataLoader loader = DataLoader.builder(ramp(5)).batchSize(2).build();
        assertThat(indicesOf(loader)).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void dropLastDropsOnlyThePartialBatch() {
        DataLoader loader = DataLoader.builder(ramp(23)).batchSize(5).shuffle(3).dropLast(true).build();
        assertThat(loader.numBatches()).isEqualTo(4);
        List<Batch> batches = new ArrayList<>();
        loader.forEach(batches::add);
        assertThat(batches).hasSize(4).allSatisfy(b -> assertThat(b.size()).isEqualTo(5));
        assertThat(indicesOf(batches)).doesNotHaveDuplicates().hasSize(20);
        assertThat(DataLoader.builder(ramp(20)).batchSize(5).dropLast(true).build().numBatches()).isEqualTo(4);
        assertThat(DataLoader.builder(ramp(3)).batchSize(5).dropLast(true).build().iterator().hasNext()).isFalse();
    }

    @Test
    void prefetchGivesTheSameBatchesAsNoPrefetch() {
        TensorDataset ds = ramp(77);
        DataLoader plain = DataLoader.builder(ds).batchSize(6).shuffle(9).build();
        DataLoader pre = DataLoader.builder(ds).batchSize(6).shuffle(9).prefetch(true).build();
        for (int epoch = 0; epoch < 3; epoch++) {
            List<Batch> a = new ArrayList<>();
            List<Batch> b = new ArrayList<>();
            plain.epoch(epoch).forEach(a::add);
            pre.epoch(epoch).forEach(b::add);
            assertThat(b).hasSameSizeAs(a);
            for (int i = 0; i < a.size(); i++) {
                assertThat(b.get(i).indices()).containsExactly(a.get(i).indices());
                assertThat(b.get(i).labels()).containsExactly(a.get(i).labels());
                assertThat(b.get(i).features().data()).containsExactly(a.get(i).features().data());
            }
        }
    }

    @Test
    void prefetchPropagatesCollateErrors() {
        DataLoader loader = DataLoader.builder(ramp(10)).batchSize(3).prefetch(true)
                .collate((ds, idx) -> {
                    if (idx[0] == 6) throw new IllegalStateException("boom at " + idx[0]);
                    return Collate.DEFAULT.collate(ds, idx);
                }).build();
        var it = loader.iterator();
        it.next();
        it.next();
        assertThatThrownBy(it::next).isInstanceOf(IllegalStateException.class).hasMessage("boom at 6");
    }

    @Test
    void customCollateAndGenericDatasetPath() {
        // a dataset that is not a TensorDataset goes through get(i)
        Dataset squares = new Dataset() {
            public int size() { return 5; }
            public Example get(int i) { return Example.ofTarget(Tensor.vector(i, i * i), Tensor.vector(i * 10)); }
            public int[] featureShape() { return new int[] {2}; }
            public int[] targetShape() { return new int[] {1}; }
        };
        Batch b = DataLoader.builder(squares).batchSize(5).build().iterator().next();
        assertThat(b.labels()).isNull();
        assertThat(b.features().data()).containsExactly(0, 0, 1, 1, 2, 4, 3, 9, 4, 16);
        assertThat(b.targets().shape()).containsExactly(5, 1);
        assertThat(b.targets().data()).containsExactly(0, 10, 20, 30, 40);

        DataLoader counting = DataLoader.builder(ramp(4)).batchSize(2)
                .collate((ds, idx) -> new Batch(Tensor.scalar(idx.length), null, null, idx)).build();
        assertThat(counting.iterator().next().features().item()).isEqualTo(2f);
    }

    @Test
    void sequenceFeaturesAndRegressionTargetsAreGathered() {
        // [N=4, T=3, F=2] sequences with [N, 1] targets
        float[] x = new float[24];
        for (int i = 0; i < 24; i++) x[i] = i;
        TensorDataset ds = TensorDataset.regression(Tensor.of(x, 4, 3, 2), Tensor.of(new float[] {0, 1, 2, 3}, 4, 1));
        Batch b = ds.gather(new int[] {2, 0});
        assertThat(b.features().shape()).containsExactly(2, 3, 2);
        assertThat(b.features().data()).startsWith(12, 13, 14, 15, 16, 17, 0, 1);
        assertThat(b.targets().data()).containsExactly(2, 0);
        assertThat(ds.get(3).features().shape()).containsExactly(3, 2);
    }

    @Test
    void eachCollateCallSeesOnlyOneBatchOfIndices() {
        List<Integer> sizes = new ArrayList<>();
        DataLoader loader = DataLoader.builder(ramp(1000)).batchSize(64).shuffle(2)
                .collate((ds, idx) -> {
                    sizes.add(idx.length);
                    return Collate.DEFAULT.collate(ds, idx);
                }).build();
        var it = loader.iterator();
        Batch first = it.next();
        assertThat(sizes).containsExactly(64);   // lazily: one batch collated per next()
        assertThat(first.features().size()).isEqualTo(64 * 2);
        it.forEachRemaining(b -> {});
        assertThat(sizes).hasSize(16).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(64));
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThatThrownBy(() -> DataLoader.builder(ramp(3)).batchSize(0)).hasMessage("Invalid batch size: 0 (must be positive)");
    }
}
