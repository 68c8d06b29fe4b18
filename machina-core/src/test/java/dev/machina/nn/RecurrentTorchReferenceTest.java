package dev.machina.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.io.SafeTensors;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PyTorch's own weights (state dicts saved with safetensors by torch 1.13) load into Machina's
 * layers by name and give torch's outputs and final states to 1e-5: zero initial states, given
 * initial states, and variable lengths (pack_padded_sequence). See the README beside the fixtures.
 */
class RecurrentTorchReferenceTest {

    static Map<String, Tensor> load(String file) throws IOException {
        try (InputStream in = RecurrentTorchReferenceTest.class.getResourceAsStream(file)) {
            assertThat(in).as("fixture %s", file).isNotNull();
            return SafeTensors.read(in.readAllBytes()).tensors();
        }
    }

    static RNNBase build(String name) {
        RnnConfig cfg = RnnConfig.of(3, 4).layers(2).bidirectional(true);
        return switch (name) {
            case "lstm" -> new LSTM(cfg, new Rng(0));
            case "gru" -> new GRU(cfg, new Rng(0));
            default -> new RNN(cfg, RNN.Nonlinearity.TANH, new Rng(0));
        };
    }

    static void assertClose(Tensor actual, Tensor expected, String what) {
        assertThat(actual.shape()).as(what + " shape").containsExactly(expected.shape());
        float[] a = actual.data(), e = expected.data();
        for (int i = 0; i < a.length; i++) {
            assertThat((double) a[i]).as("%s[%d]", what, i).isCloseTo(e[i], org.assertj.core.api.Assertions.within(1e-5));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm", "gru", "rnn"})
    void matchesTorch(String name) throws IOException {
        RNNBase m = build(name);
        m.loadStateDict(load(name + "_weights.safetensors"));
        m.eval();
        Map<String, Tensor> io = load(name + "_io.safetensors");
        boolean lstm = name.equals("lstm");
        Tensor x = io.get("x"), h0 = io.get("h0"), c0 = io.get("c0");
        float[] lf = io.get("lengths").data();
        int[] lengths = new int[lf.length];
        for (int i = 0; i < lf.length; i++) lengths[i] = (int) lf[i];
        try (var s = Tensor.noGrad()) {
            RnnOutput zero = m.run(x);
            assertClose(zero.output(), io.get("out_zero"), name + " out_zero");
            assertClose(zero.h(), io.get("h_zero"), name + " h_zero");
            if (lstm) assertClose(zero.c(), io.get("c_zero"), name + " c_zero");
            else assertThat(zero.c()).isNull();

            RnnOutput full = m.run(x, h0, c0, null);
            assertClose(full.output(), io.get("out_full"), name + " out_full");
            assertClose(full.h(), io.get("h_full"), name + " h_full");
            if (lstm) assertClose(full.c(), io.get("c_full"), name + " c_full");

            RnnOutput packed = m.run(x, h0, c0, lengths);
            assertClose(packed.output(), io.get("out_packed"), name + " out_packed");
            assertClose(packed.h(), io.get("h_packed"), name + " h_packed");
            if (lstm) assertClose(packed.c(), io.get("c_packed"), name + " c_packed");
        }
        // And the round trip: Machina's state dict written as safetensors reads back with PyTorch's keys.
        Map<String, Tensor> back = SafeTensors.read(SafeTensors.toBytes(m.stateDict(), Map.of())).tensors();
        assertThat(back.keySet()).containsExactlyInAnyOrderElementsOf(load(name + "_weights.safetensors").keySet());
    }
}
