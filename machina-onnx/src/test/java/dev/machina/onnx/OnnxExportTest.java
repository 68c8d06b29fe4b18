package dev.machina.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.machina.data.FeatureTransform;
import dev.machina.data.MinMaxScaler;
import dev.machina.data.Scale;
import dev.machina.data.Standardizer;
import dev.machina.nn.Dropout;
import dev.machina.nn.Flatten;
import dev.machina.nn.GELU;
import dev.machina.nn.GRU;
import dev.machina.nn.Identity;
import dev.machina.nn.LSTM;
import dev.machina.nn.LastStep;
import dev.machina.nn.LazyLinear;
import dev.machina.nn.LeakyReLU;
import dev.machina.nn.Linear;
import dev.machina.nn.LogSoftmax;
import dev.machina.nn.Module;
import dev.machina.nn.RNN;
import dev.machina.nn.RNNBase;
import dev.machina.nn.ReLU;
import dev.machina.nn.RnnConfig;
import dev.machina.nn.Sequential;
import dev.machina.nn.Sigmoid;
import dev.machina.nn.Softmax;
import dev.machina.nn.Tanh;
import dev.machina.onnx.proto.Onnx.ModelProto;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Layers one by one: each exported model gives Machina's outputs in ONNX Runtime, at batch sizes 1, 7 and 1000. */
class OnnxExportTest {
    private static final int[] BATCHES = {1, 7, 1000};

    @TempDir
    Path dir;

    /** Every activation a spec can name, in a fixed order (the inputs are drawn in this order). */
    private static Map<String, Supplier<Module>> activations() {
        Map<String, Supplier<Module>> m = new LinkedHashMap<>();
        m.put("relu", ReLU::new);
        m.put("leaky_relu", () -> new LeakyReLU(0.1f));
        m.put("sigmoid", Sigmoid::new);
        m.put("tanh", Tanh::new);
        m.put("gelu", GELU::new);
        m.put("softmax", () -> new Softmax(-1));
        m.put("log_softmax", () -> new LogSoftmax(1));
        m.put("identity", Identity::new);
        return m;
    }

    @Test
    void everyActivationInAnMlp() throws Exception {
        Rng rng = new Rng(1);
        for (var e : activations().entrySet()) {
            Module model = new Sequential(new Linear(5, 16, true, rng), e.getValue().get(), new Dropout(0.3), new Linear(16, 4, true, rng), e.getValue().get());
            double max = exportAndCompare(e.getKey(), model, null, new int[] {5}, 3f);
            System.out.printf("onnx %-12s max |diff| %.3g%n", e.getKey(), max);
        }
    }

    @Test
    void inputTransformsTakeRawInputs() throws Exception {
        Rng rng = new Rng(2);
        Tensor train = Tensor.uniform(rng, 0f, 255f, 200, 6);
        List<FeatureTransform> transforms = List.of(Scale.by(1 / 255.0), Standardizer.fit(train), MinMaxScaler.fit(train, -1, 1));
        for (FeatureTransform t : transforms) {
            Module model = new Sequential(new Linear(6, 8, true, rng), new Tanh(), new Linear(8, 3, true, rng));
            double max = exportAndCompare("transform-" + t.state().get("type"), model, t, new int[] {6}, 255f);
            System.out.printf("onnx transform %-12s max |diff| %.3g%n", t.state().get("type"), max);
        }
    }

    @Test
    void flattenAndLazyLinearOnImages() throws Exception {
        Rng rng = new Rng(3);
        Module model = new Sequential(new Flatten(), new LazyLinear(12, true, rng), new ReLU(), new LazyLinear(5, false, rng));
        model.forward(Tensor.zeros(1, 4, 3));
        double max = exportAndCompare("flatten", model, null, new int[] {4, 3}, 1f);
        System.out.printf("onnx flatten+lazy max |diff| %.3g%n", max);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm", "gru", "rnn", "rnn-relu"})
    void recurrentTwoLayersBothDirections(String kind) throws Exception {
        for (int variant = 0; variant < 3; variant++) {
            boolean bi = variant >= 1, bias = variant != 2;
            Rng rng = new Rng(4);
            RnnConfig c = RnnConfig.of(4, 6).layers(2).bidirectional(bi).bias(bias);
            RNNBase r = switch (kind) {
                case "lstm" -> new LSTM(c, rng);
                case "gru" -> new GRU(c, rng);
                case "rnn" -> new RNN(c, RNN.Nonlinearity.TANH, rng);
                default -> new RNN(c, RNN.Nonlinearity.RELU, rng);
            };
            Module head = new Sequential(r, new LastStep(c.directions()), new Linear(6 * c.directions(), 3, true, rng));
            String name = kind + (bi ? "-bi" : "") + (bias ? "" : "-nobias");
            Path file = OrtCheck.tempModel(dir, name + "-head");
            OnnxExport.of(head, 5, 4).write(file);
            double max = 0;
            for (int t : new int[] {1, 5, 11}) {
                for (int b : BATCHES) max = Math.max(max, OrtCheck.assertSame(file, head, null, Tensor.uniform(rng, -2f, 2f, b, t, 4)));
            }
            // the whole sequence, per step
            Path seq = OrtCheck.tempModel(dir, name + "-seq");
            OnnxExport.of(r, 5, 4).write(seq);
            for (int t : new int[] {2, 9}) max = Math.max(max, OrtCheck.assertSame(seq, r, null, Tensor.uniform(rng, -2f, 2f, 7, t, 4)));
            OrtCheck.checker(file);
            OrtCheck.checker(seq);
            System.out.printf("onnx %-8s %s%s max |diff| %.3g%n", kind, bi ? "bidirectional " : "unidirectional", bias ? "        " : " no bias", max);
        }
    }

    @Test
    void recurrentLayerWithTimeFirst() throws Exception {
        Rng rng = new Rng(9);
        LSTM lstm = new LSTM(RnnConfig.of(3, 5).batchFirst(false).bidirectional(true), rng);
        Path file = OrtCheck.tempModel(dir, "time-first");
        ModelProto m = OnnxExport.of(lstm, 4, 3).toModel();
        var dims = m.getGraph().getInput(0).getType().getTensorType().getShape().getDimList();
        assertThat(List.of(dims.get(0).getDimParam(), dims.get(1).getDimParam())).containsExactly("sequence", "batch");
        OnnxExport.of(lstm, 4, 3).write(file);
        double max = 0;
        for (int t : new int[] {1, 6}) {
            for (int b : BATCHES) max = Math.max(max, OrtCheck.assertSame(file, lstm, null, Tensor.uniform(rng, -1f, 1f, t, b, 3)));
        }
        OrtCheck.checker(file);
        System.out.printf("onnx lstm time-first bidirectional max |diff| %.3g%n", max);
    }

    @Test
    void graphHasDynamicBatchAndSequenceAndOpset17() {
        Rng rng = new Rng(5);
        ModelProto m = OnnxExport.of(new Sequential(new LSTM(RnnConfig.of(3, 4), rng), new LastStep(1), new Linear(4, 2, true, rng)), 10, 3)
                .classNames(List.of("no", "yes")).toModel();
        assertThat(m.getIrVersion()).isEqualTo(8);
        assertThat(m.getOpsetImport(0).getVersion()).isEqualTo(17);
        var dims = m.getGraph().getInput(0).getType().getTensorType().getShape().getDimList();
        assertThat(dims.get(0).getDimParam()).isEqualTo("batch");
        assertThat(dims.get(1).getDimParam()).isEqualTo("sequence");
        assertThat(dims.get(2).getDimValue()).isEqualTo(3);
        assertThat(m.getMetadataPropsList()).anySatisfy(p -> {
            assertThat(p.getKey()).isEqualTo("class_names");
            assertThat(p.getValue()).isEqualTo("[\"no\",\"yes\"]");
        });
    }

    @Test
    void anUnsupportedLayerIsNamedAndNothingIsWritten() {
        Rng rng = new Rng(6);
        Module model = new Sequential(new Linear(3, 4, true, rng), new ReLU(), new Dropout(0.1), new MyLayer(), new Linear(4, 2, true, rng));
        Path file = dir.resolve("bad.onnx");
        assertThatThrownBy(() -> OnnxExport.of(model, 3).write(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot export layer 3 (MyLayer): ONNX export supports Linear");
        assertThat(file).doesNotExist();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aModelThatCannotTakeTheFeatureShapeIsRefusedInMachinasWords() {
        Rng rng = new Rng(8);
        Module model = new Sequential(new Linear(3, 4, true, rng)).train(true);
        assertThatThrownBy(() -> OnnxExport.of(model, 5).toModel()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not take examples of shape [5]").hasMessageContaining("Linear(in=3, out=4)");
        assertThat(model.isTraining()).as("the mode is left as it was").isTrue();
        assertThatThrownBy(() -> OnnxExport.of(new Sequential(new Linear(3, 4, true, rng), new LastStep(1)), 3).toModel())
                .hasMessageStartingWith("cannot export layer 1 (LastStep): it takes a recurrent layer's output");
        assertThatThrownBy(() -> OnnxExport.of(new Sequential(new LazyLinear(2, true, rng)), 3).toModel())
                .hasMessageStartingWith("cannot export layer 0 (LazyLinear): it has no weights yet");
    }

    @Test
    void onnxCheckerPassesOnEveryLayer() throws Exception {
        Assumptions.assumeTrue(OrtCheck.checkerAvailable(), OrtCheck.CHECKER_MISSING);
        Rng rng = new Rng(7);
        for (var e : activations().entrySet()) {
            Path f = OrtCheck.tempModel(dir, "check-" + e.getKey());
            OnnxExport.of(new Sequential(new Flatten(), new Linear(6, 4, true, rng), e.getValue().get()), 2, 3).transform(Scale.by(0.5)).write(f);
            OrtCheck.checker(f);
        }
        // the checker does look: a node of an operator ONNX does not have fails it
        ModelProto good = OnnxExport.of(new Sequential(new Linear(2, 2, true, rng)), 2).toModel();
        ModelProto bad = good.toBuilder().setGraph(good.getGraph().toBuilder().setNode(0, good.getGraph().getNode(0).toBuilder().setOpType("NoSuchOp"))).build();
        Path f = dir.resolve("bad.onnx");
        Files.write(f, bad.toByteArray());
        assertThat(OrtCheck.checkerProblem(f)).contains("NoSuchOp");
    }

    static final class MyLayer extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return x;
        }
    }

    private double exportAndCompare(String name, Module model, FeatureTransform t, int[] featureShape, float range) throws Exception {
        Path file = OrtCheck.tempModel(dir, name);
        OnnxExport.of(model, featureShape).transform(t).write(file);
        assertThat(Files.size(file)).isPositive();
        Rng rng = new Rng(name.hashCode());
        double max = 0;
        for (int b : BATCHES) {
            int[] shape = new int[featureShape.length + 1];
            shape[0] = b;
            System.arraycopy(featureShape, 0, shape, 1, featureShape.length);
            max = Math.max(max, OrtCheck.assertSame(file, model, t, Tensor.uniform(rng, t == null ? -range : 0f, range, shape)));
        }
        OrtCheck.checker(file);
        return max;
    }
}
