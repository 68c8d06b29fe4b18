package dev.machina.nn;

import dev.machina.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A model's layers with each one's output shape and parameter count, and the totals, as Keras's
 * {@code model.summary()} prints them. The shapes come from one zero example run through the
 * model (evaluation mode, no gradients; the model's mode is restored), so they are the real ones.
 */
public final class Summary {
    /** One layer: its name in the model, its type, the shape of one example's output, its parameters. */
    public record Row(String name, String type, int[] outputShape, long parameters) {}

    private Summary() {}

    /** The rows of a model (a Sequential's layers, or the model itself) for examples of {@code exampleShape}. */
    public static List<Row> rows(Module model, int[] exampleShape) {
        int[] batched = new int[exampleShape.length + 1];
        batched[0] = 1;
        System.arraycopy(exampleShape, 0, batched, 1, exampleShape.length);
        List<Map.Entry<String, Module>> layers = new ArrayList<>();
        if (model instanceof Sequential) layers.addAll(model.namedChildren().entrySet());
        else layers.add(Map.entry(model.kind(), model));
        boolean training = model.isTraining();
        List<Row> rows = new ArrayList<>();
        try (var g = Tensor.noGrad()) {
            model.train(false);
            Tensor x = Tensor.zeros(batched);
            for (Map.Entry<String, Module> e : layers) {
                x = e.getValue().forward(x);
                rows.add(new Row(e.getKey(), e.getValue().kind(), Arrays.copyOfRange(x.shape(), 1, x.rank()), e.getValue().parameterCount()));
            }
        } finally {
            model.train(training);
        }
        return rows;
    }

    /** The table: one line a layer, then the total and trainable parameter counts. */
    public static String table(Module model, int[] exampleShape) {
        List<Row> rows = rows(model, exampleShape);
        int nw = "layer".length(), tw = "type".length(), sw = "output shape".length();
        for (Row r : rows) {
            nw = Math.max(nw, r.name().length());
            tw = Math.max(tw, r.type().length());
            sw = Math.max(sw, shape(r.outputShape()).length());
        }
        String f = "%-" + nw + "s  %-" + tw + "s  %-" + sw + "s  %,12d%n";
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-" + nw + "s  %-" + tw + "s  %-" + sw + "s  %12s%n", "layer", "type",
                "output shape", "parameters"));
        for (Row r : rows) sb.append(String.format(Locale.ROOT, f, r.name(), r.type(), shape(r.outputShape()), r.parameters()));
        long total = model.parameterCount();
        sb.append(String.format(Locale.ROOT, "total parameters %,d (trainable %,d)%n", total, total));
        return sb.toString();
    }

    /** A shape with its batch dimension, as Keras writes it: (None, 256). */
    private static String shape(int[] s) {
        StringBuilder b = new StringBuilder("(batch");
        for (int d : s) b.append(", ").append(d);
        return b.append(')').toString();
    }
}
