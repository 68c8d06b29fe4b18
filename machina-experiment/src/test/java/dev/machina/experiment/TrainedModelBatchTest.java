package dev.machina.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.data.Standardizer;
import dev.machina.data.TensorDataset;
import dev.machina.nn.Linear;
import dev.machina.nn.Module;
import dev.machina.nn.ReLU;
import dev.machina.nn.Sequential;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Prediction and evaluation of a reloaded model run in batches of the run's eval_batch_size, with the one-batch results. */
class TrainedModelBatchTest {
    /** Records the number of rows of every batch it is given. */
    static final class Recording extends Module {
        final Module inner;
        final List<Integer> batches = new ArrayList<>();

        Recording(Module inner) {
            this.inner = registerModule("inner", inner);
        }

        @Override
        public Tensor forward(Tensor input) {
            batches.add(input.shape(0));
            return inner.forward(input);
        }
    }

    private static TrainedModel model(int evalBatchSize, Recording m, Tensor train) {
        Experiment e = Experiment.parse("b.yaml", "data: digits\nmodel: [{linear: 3}]\ntraining: {eval_batch_size: " + evalBatchSize + "}\n", List.of());
        return new TrainedModel(Path.of("run"), e, m, List.of("a", "b", "c"), new int[] {64}, Standardizer.fit(train), null);
    }

    private static Recording net() {
        Rng rng = new Rng(7);
        return new Recording(new Sequential(new Linear(64, 64, true, rng), new ReLU(), new Linear(64, 3, true, rng)));
    }

    @Test
    void batchedProbabilitiesAreTheOneBatchResultsBitForBit() {
        Tensor x = Tensor.randn(new Rng(1), 22, 64);
        Recording m = net();
        TrainedModel tm = model(7, m, x);
        Tensor one = tm.probabilities(x, 22);
        assertThat(m.batches).containsExactly(22);
        m.batches.clear();
        Tensor batched = tm.probabilities(x, tm.evalBatchSize());
        // the last row is run with the four before it: a batch of 1 to 4 rows takes another GEMM path
        assertThat(m.batches).containsExactly(7, 7, 7, 5);
        assertThat(batched.shape()).containsExactly(22, 3);
        assertSameBits(one, batched, 7);
        for (int size : new int[] {1, 2, 3, 4, 5, 6, 10, 21, 100}) assertSameBits(one, tm.probabilities(x, size), size);
    }

    private static void assertSameBits(Tensor want, Tensor got, int batchSize) {
        float[] a = want.data(), b = got.data();
        assertThat(b).hasSameSizeAs(a);
        for (int i = 0; i < a.length; i++) {
            assertThat(Float.floatToRawIntBits(b[i])).as("batch size %d, element %d", batchSize, i).isEqualTo(Float.floatToRawIntBits(a[i]));
        }
    }

    @Test
    void evaluationRunsAtTheRunsEvalBatchSize() {
        Tensor x = Tensor.randn(new Rng(2), 10, 64);
        Recording m = net();
        TrainedModel tm = model(4, m, x);
        var p = tm.predict(TensorDataset.classification(x, new int[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0}, 3));
        assertThat(m.batches).containsExactly(4, 4, 2);
        assertThat(p.predicted()).hasSize(10);
    }

    @Test
    void aRunWithoutASpecPredictsInBatchesOf1000() {
        Tensor x = Tensor.randn(new Rng(3), 1001, 64);
        Recording m = net();
        TrainedModel tm = new TrainedModel(Path.of("run"), null, m, List.of("a", "b", "c"), new int[] {64}, null, null);
        tm.probabilities(x, tm.evalBatchSize());
        assertThat(m.batches).containsExactly(1000, 5);
    }
}
