package dev.machina.onnx;

import com.google.protobuf.ByteString;
import dev.machina.onnx.proto.Onnx.AttributeProto;
import dev.machina.onnx.proto.Onnx.GraphProto;
import dev.machina.onnx.proto.Onnx.NodeProto;
import dev.machina.onnx.proto.Onnx.TensorProto;
import dev.machina.onnx.proto.Onnx.TensorShapeProto;
import dev.machina.onnx.proto.Onnx.TypeProto;
import dev.machina.onnx.proto.Onnx.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Nodes and initializers of one ONNX graph, with fresh value names. */
final class GraphBuilder {
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private int counter;

    GraphBuilder(String name) {
        graph.setName(name);
    }

    /** A fresh value name starting with {@code hint}. */
    String fresh(String hint) {
        return hint + "_" + counter++;
    }

    /** Adds a node with one output, a fresh name starting with the op's name; returns that name. */
    String node(String op, List<String> inputs, AttributeProto... attrs) {
        return nodeTo(fresh(op.toLowerCase(java.util.Locale.ROOT)), op, inputs, attrs);
    }

    /** Adds a node with one output of the given name. */
    String nodeTo(String output, String op, List<String> inputs, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(fresh("node_" + op)).addAllInput(inputs).addOutput(output);
        for (AttributeProto a : attrs) n.addAttribute(a);
        graph.addNode(n);
        return output;
    }

    /** A float initializer (little-endian raw data, as ONNX stores it). */
    String floats(String hint, float[] data, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        return initializer(hint, TensorProto.DataType.FLOAT, ByteString.copyFrom(b.array()), dims);
    }

    /** An int64 initializer; no dims makes a scalar. */
    String longs(String hint, long[] data, long... dims) {
        ByteBuffer b = ByteBuffer.allocate(data.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(data);
        return initializer(hint, TensorProto.DataType.INT64, ByteString.copyFrom(b.array()), dims);
    }

    private String initializer(String hint, TensorProto.DataType type, ByteString raw, long[] dims) {
        String name = fresh(hint);
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber()).setRawData(raw);
        for (long d : dims) t.addDims(d);
        graph.addInitializer(t);
        return name;
    }

    void input(String name, int elemType, List<Object> dims) {
        graph.addInput(valueInfo(name, elemType, dims));
    }

    void output(String name, int elemType, List<Object> dims) {
        graph.addOutput(valueInfo(name, elemType, dims));
    }

    GraphProto build() {
        return graph.build();
    }

    /** Dims are Integer (fixed), String (named, dynamic) or null (unknown). */
    private static ValueInfoProto valueInfo(String name, int elemType, List<Object> dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object d : dims) {
            TensorShapeProto.Dimension.Builder dim = TensorShapeProto.Dimension.newBuilder();
            if (d instanceof Integer i) dim.setDimValue(i);
            else if (d instanceof String s) dim.setDimParam(s);
            shape.addDim(dim);
        }
        TypeProto type = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType).setShape(shape)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    static AttributeProto attr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto attr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    static AttributeProto attr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(value)).build();
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) a.addInts(v);
        return a.build();
    }

    static AttributeProto strings(String name, List<String> values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRINGS);
        for (String v : values) a.addStrings(ByteString.copyFromUtf8(v));
        return a.build();
    }

    static List<String> in(String... names) {
        return new ArrayList<>(List.of(names));
    }
}
