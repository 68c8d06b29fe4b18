package dev.machina.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.machina.nn.testing.LayerConformance;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every layer through {@link LayerConformance}. */
class LayersConformanceTest {

    private static Map<String, int[]> params(Object... nameShape) {
        Map<String, int[]> m = new LinkedHashMap<>();
        for (int i = 0; i < nameShape.length; i += 2) m.put((String) nameShape[i], (int[]) nameShape[i + 1]);
        return m;
    }

    private static int[] s(int... d) {
        return d;
    }

    @Test
    void linear() {
        LayerConformance.check(r -> new Linear(5, 3, true, r), s(4, 5), s(4, 3), params("weight", s(3, 5), "bias", s(3)));
    }

    @Test
    void linearWithoutBiasOn3dInput() {
        LayerConformance.check(r -> new Linear(5, 2, false, r), s(2, 3, 5), s(2, 3, 2), params("weight", s(2, 5)));
    }

    @Test
    void lazyLinearOnceItHasSeenAnInput() {
        LayerConformance.check(r -> materialized(new LazyLinear(3, true, r), 5), s(4, 5), s(4, 3), params("weight", s(3, 5), "bias", s(3)));
        LayerConformance.check(r -> materialized(new Sequential(new Flatten(), new LazyLinear(4, false, r), new ReLU(), new LazyLinear(2, true, r)), 2, 3),
                s(5, 2, 3), s(5, 2), params("1.weight", s(4, 6), "3.weight", s(2, 4), "3.bias", s(2)));
    }

    @Test
    void lazyLinearDrawsTheWeightsALinearOfItsSizeWouldAndChecksLaterInputs() {
        LazyLinear lazy = new LazyLinear(3, true, new Rng(9));
        assertThat(lazy.materialized()).isFalse();
        assertThat(lazy.parameters()).isEmpty();
        Tensor x = Tensor.randn(new Rng(1), 2, 7);
        Tensor y = lazy.forward(x);
        Linear eager = new Linear(7, 3, true, new Rng(9));
        assertThat(lazy.inFeatures()).isEqualTo(7);
        assertThat(lazy.weight().data()).isEqualTo(eager.weight().data());
        assertThat(lazy.bias().data()).isEqualTo(eager.bias().data());
        assertThat(y.data()).isEqualTo(eager.forward(x).data());
        assertThat(lazy.stateDict().keySet()).containsExactly("weight", "bias");
        assertThatThrownBy(() -> lazy.forward(Tensor.zeros(2, 6))).hasMessageContaining("expected input [*, 7], got [2, 6]");
    }

    /** The module after one dry forward of a single example of {@code shape}. */
    private static Module materialized(Module m, int... shape) {
        int[] full = new int[shape.length + 1];
        full[0] = 1;
        System.arraycopy(shape, 0, full, 1, shape.length);
        m.forward(Tensor.zeros(full));
        return m;
    }

    @Test
    void sequentialMlpWithDropout() {
        LayerConformance.check(r -> new Sequential(new Flatten(), new Linear(6, 4, true, r), new ReLU(), new Dropout(0.3), new Linear(4, 3, true, r)),
                s(5, 2, 3), s(5, 3),
                params("1.weight", s(4, 6), "1.bias", s(4), "4.weight", s(3, 4), "4.bias", s(3)));
    }

    @Test
    void activations() {
        int[] in = {3, 4};
        Map<String, int[]> none = params();
        LayerConformance.check(r -> new ReLU(), in, in, none);
        LayerConformance.check(r -> new LeakyReLU(0.2f), in, in, none);
        LayerConformance.check(r -> new Sigmoid(), in, in, none);
        LayerConformance.check(r -> new Tanh(), in, in, none);
        LayerConformance.check(r -> new GELU(), in, in, none);
        LayerConformance.check(r -> new Softmax(1), in, in, none);
        LayerConformance.check(r -> new Softmax(0), in, in, none);
        LayerConformance.check(r -> new LogSoftmax(-1), in, in, none);
        LayerConformance.check(r -> new Identity(), in, in, none);
    }

    @Test
    void dropoutAndFlatten() {
        LayerConformance.check(r -> new Dropout(0.5), s(4, 6), s(4, 6), params());
        LayerConformance.check(r -> new Flatten(), s(2, 3, 4), s(2, 12), params());
        LayerConformance.check(r -> new Flatten(0, 1), s(2, 3, 4), s(6, 4), params());
    }

    /** Parameter map of a recurrent layer: per layer and direction weight_ih, weight_hh, bias_ih, bias_hh. */
    private static Map<String, int[]> rnnParams(int gates, int in, int hid, int layers, boolean bidir, boolean bias) {
        Map<String, int[]> m = new LinkedHashMap<>();
        for (int l = 0; l < layers; l++) {
            for (int d = 0; d < (bidir ? 2 : 1); d++) {
                String sfx = "_l" + l + (d == 1 ? "_reverse" : "");
                m.put("weight_ih" + sfx, s(gates * hid, l == 0 ? in : hid * (bidir ? 2 : 1)));
                m.put("weight_hh" + sfx, s(gates * hid, hid));
                if (bias) {
                    m.put("bias_ih" + sfx, s(gates * hid));
                    m.put("bias_hh" + sfx, s(gates * hid));
                }
            }
        }
        return m;
    }

    @Test
    void lstm() {
        LayerConformance.check(r -> new LSTM(RnnConfig.of(4, 3), r), s(2, 5, 4), s(2, 5, 3), rnnParams(4, 4, 3, 1, false, true));
        LayerConformance.check(r -> new LSTM(RnnConfig.of(4, 3).layers(2).bidirectional(true).dropout(0.3), r), s(2, 5, 4), s(2, 5, 6),
                rnnParams(4, 4, 3, 2, true, true));
    }

    @Test
    void gru() {
        LayerConformance.check(r -> new GRU(RnnConfig.of(4, 3).layers(2).bidirectional(true).dropout(0.3), r), s(2, 5, 4), s(2, 5, 6),
                rnnParams(3, 4, 3, 2, true, true));
        LayerConformance.check(r -> new GRU(RnnConfig.of(4, 3).bias(false).batchFirst(false), r), s(5, 2, 4), s(5, 2, 3),
                rnnParams(3, 4, 3, 1, false, false));
    }

    @Test
    void rnn() {
        LayerConformance.check(r -> new RNN(RnnConfig.of(4, 3).layers(2).bidirectional(true), RNN.Nonlinearity.TANH, r), s(2, 5, 4),
                s(2, 5, 6), rnnParams(1, 4, 3, 2, true, true));
    }

    @Test
    void cells() {
        LayerConformance.check(r -> new LSTMCell(4, 3, true, r), s(2, 4), s(2, 3),
                params("weight_ih", s(12, 4), "weight_hh", s(12, 3), "bias_ih", s(12), "bias_hh", s(12)));
        LayerConformance.check(r -> new GRUCell(4, 3, true, r), s(2, 4), s(2, 3),
                params("weight_ih", s(9, 4), "weight_hh", s(9, 3), "bias_ih", s(9), "bias_hh", s(9)));
        LayerConformance.check(r -> new RNNCell(4, 3, false, RNN.Nonlinearity.TANH, r), s(2, 4), s(2, 3),
                params("weight_ih", s(3, 4), "weight_hh", s(3, 3)));
    }

    @Test
    void embedding() {
        dev.machina.tensor.Tensor idx = dev.machina.tensor.Tensor.of(new float[] {0, 3, 1, 1, 4, 2}, 2, 3);
        LayerConformance.check(r -> new Embedding(5, 3, null, r), idx, false, s(2, 3, 3), params("weight", s(5, 3)));
        // The padding row deliberately receives no gradient (finite differences would see one), so
        // the padded variant is checked on indices without it; EmbeddingTest covers the padding row.
        dev.machina.tensor.Tensor noPad = dev.machina.tensor.Tensor.of(new float[] {0, 3, 2, 2, 4, 0}, 2, 3);
        LayerConformance.check(r -> new Embedding(5, 3, 1, r), noPad, false, s(2, 3, 3), params("weight", s(5, 3)));
    }
}
