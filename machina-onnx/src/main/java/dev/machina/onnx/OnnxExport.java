package dev.machina.onnx;

import static dev.machina.onnx.GraphBuilder.attr;
import static dev.machina.onnx.GraphBuilder.in;
import static dev.machina.onnx.GraphBuilder.ints;
import static dev.machina.onnx.GraphBuilder.strings;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.machina.Machina;
import dev.machina.data.FeatureTransform;
import dev.machina.data.MinMaxScaler;
import dev.machina.data.Scale;
import dev.machina.data.Standardizer;
import dev.machina.io.AtomicFiles;
import dev.machina.nn.Dropout;
import dev.machina.nn.Embedding;
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
import dev.machina.onnx.proto.Onnx.AttributeProto;
import dev.machina.onnx.proto.Onnx.ModelProto;
import dev.machina.onnx.proto.Onnx.OperatorSetIdProto;
import dev.machina.onnx.proto.Onnx.StringStringEntryProto;
import dev.machina.onnx.proto.Onnx.TensorProto;
import dev.machina.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Machina model as an ONNX model (opset 17, IR version 8), for ONNX Runtime and other ONNX
 * tools: {@code OnnxExport.of(model, 64).transform(t).classNames(names).write(path)}.
 *
 * <p>The graph has one input {@code input}, float [batch, featureShape…], and one output
 * {@code output}, the model's output (logits for a classifier). The batch dimension is dynamic,
 * and so is the sequence (dimension 1) when the model starts with a recurrent layer or an
 * embedding (a time-first recurrent layer, {@code batchFirst(false)}, reads [sequence, batch, …]). A saved input transform ({@link Scale}, {@link Standardizer}, {@link MinMaxScaler})
 * becomes the graph's leading ops, so the graph takes raw inputs as {@code machina predict}
 * does. An embedding's input holds token indices as floats, as Machina's does; the graph casts
 * them to int64.
 *
 * <p>Layers: {@link Linear} and materialised {@link LazyLinear} (Gemm, or MatMul + Add per step),
 * ReLU, LeakyReLU, Sigmoid, Tanh, GELU (exact, through Erf), Softmax, LogSoftmax, Identity,
 * Dropout (removed: inference), Flatten (Reshape), {@link RNN}, {@link LSTM} and {@link GRU}
 * (ONNX's RNN/LSTM/GRU, one node per layer, gates reordered from PyTorch's layout; GRU with
 * linear_before_reset=1), {@link Embedding} (Gather), {@link LastStep} (Gather + Slice), nested
 * {@link Sequential}s. Anything else is refused with the layer's position and name.
 *
 * <p>Metadata ({@code metadata_props}): {@code class_names}, {@code vocabulary} (character
 * models), {@code feature_shape} and {@code input_transform}, each as JSON.
 */
public final class OnnxExport {
    /** The ONNX operator set the graph uses. */
    public static final int OPSET = 17;
    /** The IR version of opset 17's release (ONNX 1.12). */
    public static final long IR_VERSION = 8;
    public static final String INPUT = "input", OUTPUT = "output";
    static final String SUPPORTED = "Linear, LazyLinear, ReLU, LeakyReLU, Sigmoid, Tanh, GELU, Softmax, LogSoftmax, Identity, Dropout, "
            + "Flatten, RNN, LSTM, GRU, Embedding, LastStep and Sequentials of these";

    private static final int FLOAT = TensorProto.DataType.FLOAT.getNumber();

    private final Module model;
    private final int[] featureShape;
    private FeatureTransform transform;
    private List<String> classNames = List.of();
    private List<String> vocabulary;

    private OnnxExport(Module model, int[] featureShape) {
        if (model == null) throw new IllegalArgumentException("ONNX export: the model is null");
        for (int d : featureShape) {
            if (d <= 0) throw new IllegalArgumentException("ONNX export: feature shape must be positive, got " + Arrays.toString(featureShape));
        }
        this.model = model;
        this.featureShape = featureShape.clone();
    }

    /**
     * An export of {@code model} for examples of shape {@code featureShape} (without the batch
     * dimension: {@code 64} for a vector of 64, {@code 28, 28} for an image or 28 steps of 28).
     */
    public static OnnxExport of(Module model, int... featureShape) {
        return new OnnxExport(model, featureShape);
    }

    /** The input transform to put in front of the model (null for none). */
    public OnnxExport transform(FeatureTransform t) {
        this.transform = t;
        return this;
    }

    /** The class names, stored in the metadata. */
    public OnnxExport classNames(List<String> names) {
        this.classNames = names == null ? List.of() : List.copyOf(names);
        return this;
    }

    /** The vocabulary of a character model (token i is vocabulary[i]), stored in the metadata. */
    public OnnxExport vocabulary(List<String> vocab) {
        this.vocabulary = vocab == null ? null : List.copyOf(vocab);
        return this;
    }

    /** Writes the model to {@code file} atomically (a temporary file moved into place): a failed export leaves nothing behind. */
    public void write(Path file) throws IOException {
        byte[] bytes = toModel().toByteArray();
        AtomicFiles.write(file, bytes);
    }

    /** The ONNX model. */
    public ModelProto toModel() {
        List<Module> layers = new ArrayList<>();
        leaves(model, layers);
        GraphBuilder g = new GraphBuilder("machina");
        List<Object> inDims = new ArrayList<>();
        inDims.add("batch");
        for (int d : featureShape) inDims.add(d);
        Module first = firstShapeLayer(layers);
        if (featureShape.length >= 1 && (first instanceof Embedding || first instanceof RNNBase)) inDims.set(1, "sequence");
        if (first instanceof RNNBase r && !r.config().batchFirst()) {
            inDims.set(0, "sequence"); // [T, B, I]: the layer reads dimension 0 as time
            inDims.set(1, "batch");
        }
        g.input(INPUT, FLOAT, inDims);

        Value x = new Value(INPUT, inDims);
        if (transform != null) x = transform(g, x);
        for (int i = 0; i < layers.size(); i++) x = layer(g, i, layers.get(i), x);
        checkTakes(model, featureShape);
        g.nodeTo(OUTPUT, "Identity", in(x.name)); // the output's fixed name, whatever the last layer (runtimes fold it away)
        g.output(OUTPUT, FLOAT, x.dims);

        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("machina").setProducerVersion(Machina.version())
                .setDomain("dev.machina").setModelVersion(1).setGraph(g.build())
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET));
        for (var e : metadata().entrySet()) m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
        return m.build();
    }

    private Map<String, String> metadata() {
        ObjectMapper json = new ObjectMapper();
        Map<String, String> meta = new LinkedHashMap<>();
        try {
            if (!classNames.isEmpty()) meta.put("class_names", json.writeValueAsString(classNames));
            if (vocabulary != null) meta.put("vocabulary", json.writeValueAsString(vocabulary));
            meta.put("feature_shape", json.writeValueAsString(featureShape));
            if (transform != null) meta.put("input_transform", json.writeValueAsString(transform.state()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return meta;
    }

    /** Runs one zero example through the model (evaluation mode, no gradients), so a wrong feature shape fails here, in Machina's words. */
    private static void checkTakes(Module model, int[] featureShape) {
        int[] shape = new int[featureShape.length + 1];
        shape[0] = 1;
        System.arraycopy(featureShape, 0, shape, 1, featureShape.length);
        boolean training = model.isTraining();
        try (var noGrad = Tensor.noGrad()) {
            model.eval();
            model.forward(Tensor.zeros(shape));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the model does not take examples of shape " + Arrays.toString(featureShape) + ": " + e.getMessage(), e);
        } finally {
            model.train(training);
        }
    }

    /** A value of the graph: its name and dims (Integer fixed, String dynamic, null unknown). */
    private record Value(String name, List<Object> dims) {
        int rank() {
            return dims.size();
        }
    }

    private static void leaves(Module m, List<Module> out) {
        if (m instanceof Sequential s) {
            for (int i = 0; i < s.size(); i++) leaves(s.get(i), out);
        } else {
            out.add(m);
        }
    }

    /** The first layer whose result depends on the input's shape (not an element-wise one), or null. */
    private static Module firstShapeLayer(List<Module> layers) {
        for (Module m : layers) {
            if (!(m instanceof Dropout || m instanceof Identity || m instanceof ReLU || m instanceof LeakyReLU || m instanceof Sigmoid
                    || m instanceof Tanh || m instanceof GELU)) {
                return m;
            }
        }
        return null;
    }

    // ---- the input transform ----

    private Value transform(GraphBuilder g, Value x) {
        String v = x.name;
        switch (transform) {
            case Scale s -> v = g.node("Mul", in(v, g.floats("scale", new float[] {(float) s.factor()})));
            case Standardizer s -> {
                double[] mean = s.mean(), std = s.std();
                double[] mul = new double[std.length];
                for (int j = 0; j < mul.length; j++) mul[j] = 1.0 / (std[j] == 0 ? 1 : std[j]);
                v = affine(g, v, mean, mul, 0);
            }
            case MinMaxScaler s -> {
                Map<String, Object> st = s.state();
                double lo = ((Number) st.get("lo")).doubleValue(), hi = ((Number) st.get("hi")).doubleValue();
                double[] min = s.min(), max = s.max();
                double[] mul = new double[min.length];
                for (int j = 0; j < mul.length; j++) {
                    double range = max[j] - min[j];
                    mul[j] = (hi - lo) / (range == 0 ? 1 : range);
                }
                v = affine(g, v, min, mul, lo);
            }
            default -> throw new IllegalArgumentException("cannot export the input transform " + transform.getClass().getSimpleName()
                    + ": ONNX export supports scale, standardize and min-max");
        }
        return new Value(v, x.dims);
    }

    /** (x − shift)·mul + add per feature (the last axis), as {@code FeatureTransform.affine}. */
    private static String affine(GraphBuilder g, String x, double[] shift, double[] mul, double add) {
        int f = shift.length;
        String v = g.node("Sub", in(x, g.floats("shift", toFloats(shift), f)));
        v = g.node("Mul", in(v, g.floats("mul", toFloats(mul), f)));
        if (add != 0) v = g.node("Add", in(v, g.floats("add", new float[] {(float) add})));
        return v;
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    // ---- layers ----

    private Value layer(GraphBuilder g, int index, Module m, Value x) {
        return switch (m) {
            case Linear l -> linear(g, x, l.weight(), l.bias());
            case LazyLinear l -> {
                if (!l.materialized()) {
                    throw new IllegalArgumentException("cannot export layer " + index + " (LazyLinear): it has no weights yet; run one input through the model first");
                }
                yield linear(g, x, l.weight(), l.bias());
            }
            case ReLU r -> same(g, "Relu", x);
            case LeakyReLU r -> new Value(g.node("LeakyRelu", in(x.name), attr("alpha", r.negativeSlope())), x.dims);
            case Sigmoid s -> same(g, "Sigmoid", x);
            case Tanh t -> same(g, "Tanh", x);
            case GELU ge -> gelu(g, x);
            case Softmax s -> new Value(g.node("Softmax", in(x.name), attr("axis", (long) s.dim())), x.dims);
            case LogSoftmax s -> new Value(g.node("LogSoftmax", in(x.name), attr("axis", (long) s.dim())), x.dims);
            case Identity id -> x;
            case Dropout d -> x;
            case Flatten f -> flatten(g, index, f, x);
            case RNNBase r -> recurrent(g, r, x);
            case Embedding e -> embedding(g, e, x);
            case LastStep l -> lastStep(g, index, l, x);
            default -> throw new IllegalArgumentException("cannot export layer " + index + " (" + m.getClass().getSimpleName() + "): ONNX export supports "
                    + SUPPORTED);
        };
    }

    private static Value same(GraphBuilder g, String op, Value x) {
        return new Value(g.node(op, in(x.name)), x.dims);
    }

    private static Value linear(GraphBuilder g, Value x, Tensor weight, Tensor bias) {
        int out = weight.shape(0), inF = weight.shape(1);
        List<Object> dims = new ArrayList<>(x.dims);
        dims.set(dims.size() - 1, out);
        if (x.rank() == 2) {
            List<String> ins = in(x.name, g.floats("weight", weight.data(), out, inF));
            if (bias != null) ins.add(g.floats("bias", bias.data(), out));
            return new Value(g.node("Gemm", ins, attr("transB", 1L)), dims);
        }
        float[] w = weight.data(), wt = new float[w.length];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < inF; i++) wt[i * out + o] = w[o * inF + i];
        }
        String v = g.node("MatMul", in(x.name, g.floats("weight_t", wt, inF, out)));
        if (bias != null) v = g.node("Add", in(v, g.floats("bias", bias.data(), out)));
        return new Value(v, dims);
    }

    /** x·Φ(x) = x · ½ · (1 + erf(x/√2)), GELU's exact form (ONNX's Gelu op arrives only in opset 20). */
    private static Value gelu(GraphBuilder g, Value x) {
        String v = g.node("Div", in(x.name, g.floats("sqrt2", new float[] {(float) Math.sqrt(2)})));
        v = g.node("Erf", in(v));
        v = g.node("Add", in(v, g.floats("one", new float[] {1f})));
        v = g.node("Mul", in(x.name, v));
        v = g.node("Mul", in(v, g.floats("half", new float[] {0.5f})));
        return new Value(v, x.dims);
    }

    private static Value flatten(GraphBuilder g, int index, Flatten f, Value x) {
        int r = x.rank();
        if (r == 0) return new Value(g.node("Reshape", in(x.name, g.longs("shape", new long[] {1}, 1))), List.of(1));
        int s = f.startDim() < 0 ? f.startDim() + r : f.startDim(), e = f.endDim() < 0 ? f.endDim() + r : f.endDim();
        if (s < 0 || e >= r || s > e) throw new IllegalArgumentException("cannot export layer " + index + " (Flatten): dimensions out of range for rank " + r);
        List<Object> dims = new ArrayList<>();
        long[] shape = new long[r - (e - s)];
        int j = 0;
        Integer merged = 1;
        for (int i = 0; i < r; i++) {
            Object d = x.dims.get(i);
            if (i < s) {
                shape[j++] = 0; // copy the input's dimension
                dims.add(d);
            } else if (i <= e) {
                merged = merged != null && d instanceof Integer n ? merged * n : null;
                if (i == e) {
                    shape[j++] = -1;
                    dims.add(merged);
                }
            } else {
                if (!(d instanceof Integer n)) {
                    throw new IllegalArgumentException("cannot export layer " + index + " (Flatten): dimension " + i + " after the merged ones is dynamic");
                }
                shape[j++] = n;
                dims.add(n);
            }
        }
        return new Value(g.node("Reshape", in(x.name, g.longs("shape", shape, shape.length))), dims);
    }

    private static Value embedding(GraphBuilder g, Embedding e, Value x) {
        Tensor w = e.weight();
        String idx = g.node("Cast", in(x.name), attr("to", (long) TensorProto.DataType.INT64.getNumber()));
        String v = g.node("Gather", in(g.floats("embedding", w.data(), w.shape(0), w.shape(1)), idx), attr("axis", 0L));
        List<Object> dims = new ArrayList<>(x.dims);
        dims.add(w.shape(1));
        return new Value(v, dims);
    }

    /** Forward direction's last step, and for two directions the backward direction's first step. */
    private static Value lastStep(GraphBuilder g, int index, LastStep l, Value x) {
        if (x.rank() != 3 || !(x.dims.get(2) instanceof Integer w) || w % l.directions() != 0) {
            throw new IllegalArgumentException("cannot export layer " + index + " (LastStep): it takes a recurrent layer's output [batch, sequence, "
                    + (l.directions() == 2 ? "2·H" : "H") + "], got " + x.dims);
        }
        int h = w / l.directions();
        String last = g.node("Gather", in(x.name, g.longs("last", new long[] {-1})), attr("axis", 1L));
        List<Object> dims = Arrays.asList(x.dims.get(0), w);
        if (l.directions() == 1) return new Value(last, dims);
        String fw = g.node("Slice", in(last, g.longs("starts", new long[] {0}, 1), g.longs("ends", new long[] {h}, 1), g.longs("axes", new long[] {1}, 1)));
        String first = g.node("Gather", in(x.name, g.longs("first", new long[] {0})), attr("axis", 1L));
        String bw = g.node("Slice", in(first, g.longs("starts", new long[] {h}, 1), g.longs("ends", new long[] {w}, 1), g.longs("axes", new long[] {1}, 1)));
        return new Value(g.node("Concat", in(fw, bw), attr("axis", 1L)), dims);
    }

    /**
     * One ONNX RNN/LSTM/GRU node per layer, on [T, B, I] (layout 0, which every runtime
     * implements), its output Y [T, D, B, H] turned into [T, B, D·H] for the next layer.
     */
    private static Value recurrent(GraphBuilder g, RNNBase r, Value x) {
        RnnConfig c = r.config();
        int dirs = c.directions(), hid = c.hiddenSize();
        String op;
        int[] gateOrder; // ONNX gate k is PyTorch gate gateOrder[k]
        if (r instanceof LSTM) {
            op = "LSTM";
            gateOrder = new int[] {0, 3, 1, 2}; // i, f, g, o → i, o, f, c
        } else if (r instanceof GRU) {
            op = "GRU";
            gateOrder = new int[] {1, 0, 2}; // r, z, n → z, r, h
        } else {
            op = "RNN";
            gateOrder = new int[] {0};
        }
        Map<String, Tensor> p = r.namedParameters();
        String seq = c.batchFirst() ? g.node("Transpose", in(x.name), ints("perm", 1, 0, 2)) : x.name;
        String rows = g.longs("shape", new long[] {0, 0, -1}, 3);
        for (int l = 0; l < c.numLayers(); l++) {
            List<float[]> w = new ArrayList<>(), rr = new ArrayList<>(), b = new ArrayList<>();
            int inF = 0;
            for (int d = 0; d < dirs; d++) {
                String sfx = "_l" + l + (d == 1 ? "_reverse" : "");
                Tensor wih = p.get("weight_ih" + sfx);
                inF = wih.shape(1);
                w.add(reorder(wih.data(), gateOrder, hid, inF));
                rr.add(reorder(p.get("weight_hh" + sfx).data(), gateOrder, hid, hid));
                if (c.bias()) {
                    float[] bi = reorder(p.get("bias_ih" + sfx).data(), gateOrder, hid, 1), bh = reorder(p.get("bias_hh" + sfx).data(), gateOrder, hid, 1);
                    float[] both = Arrays.copyOf(bi, bi.length + bh.length);
                    System.arraycopy(bh, 0, both, bi.length, bh.length);
                    b.add(both);
                }
            }
            int gh = gateOrder.length * hid;
            String prefix = op.toLowerCase(Locale.ROOT) + "_l" + l;
            List<String> ins = in(seq, g.floats(prefix + "_W", concat(w), dirs, gh, inF), g.floats(prefix + "_R", concat(rr), dirs, gh, hid));
            if (c.bias()) ins.add(g.floats(prefix + "_B", concat(b), dirs, 2L * gh));
            List<AttributeProto> attrs = new ArrayList<>();
            attrs.add(attr("hidden_size", (long) hid));
            attrs.add(attr("direction", dirs == 2 ? "bidirectional" : "forward"));
            if (r instanceof GRU) attrs.add(attr("linear_before_reset", 1L));
            if (r instanceof RNN e) {
                String act = e.nonlinearity() == RNN.Nonlinearity.RELU ? "Relu" : "Tanh";
                attrs.add(strings("activations", dirs == 2 ? List.of(act, act) : List.of(act)));
            }
            String y = g.node(op, ins, attrs.toArray(AttributeProto[]::new));
            String tbdh = g.node("Transpose", in(y), ints("perm", 0, 2, 1, 3));
            seq = g.node("Reshape", in(tbdh, rows));
        }
        String out = c.batchFirst() ? g.node("Transpose", in(seq), ints("perm", 1, 0, 2)) : seq;
        return new Value(out, Arrays.asList(x.dims.get(0), x.dims.get(1), dirs * hid));
    }

    /** Rows of a [G·H, cols] matrix (or [G·H] vector, cols 1) with the gate blocks in ONNX's order. */
    private static float[] reorder(float[] src, int[] gateOrder, int hid, int cols) {
        float[] dst = new float[src.length];
        int block = hid * cols;
        for (int k = 0; k < gateOrder.length; k++) System.arraycopy(src, gateOrder[k] * block, dst, k * block, block);
        return dst;
    }

    private static float[] concat(List<float[]> parts) {
        int n = 0;
        for (float[] a : parts) n += a.length;
        float[] out = new float[n];
        int o = 0;
        for (float[] a : parts) {
            System.arraycopy(a, 0, out, o, a.length);
            o += a.length;
        }
        return out;
    }
}
