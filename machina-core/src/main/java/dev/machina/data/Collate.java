package dev.machina.data;

import dev.machina.tensor.Tensor;

/** Turns the examples at some indices of a dataset into one {@link Batch}. */
@FunctionalInterface
public interface Collate {
    Batch collate(Dataset dataset, int[] indices);

    /**
     * Stacks the examples along a new first dimension. A {@link TensorDataset} is gathered with
     * bulk row copies; any other dataset goes through {@link Dataset#get(int)}.
     */
    Collate DEFAULT = (dataset, indices) -> {
        if (dataset instanceof TensorDataset td) return td.gather(indices);
        int b = indices.length;
        int[] fShape = dataset.featureShape();
        int fSize = dev.machina.tensor.Shape.size(fShape);
        int[] tShape = dataset.targetShape();
        float[] x = new float[b * fSize];
        float[] t = tShape == null ? null : new float[b * dev.machina.tensor.Shape.size(tShape)];
        int[] labels = tShape == null ? new int[b] : null;
        for (int i = 0; i < b; i++) {
            Example e = dataset.get(indices[i]);
            System.arraycopy(e.features().data(), 0, x, i * fSize, fSize);
            if (labels != null) {
                labels[i] = e.label();
            } else {
                int tSize = e.target().size();
                System.arraycopy(e.target().data(), 0, t, i * tSize, tSize);
            }
        }
        return new Batch(Tensor.of(x, prepend(b, fShape)), labels,
                t == null ? null : Tensor.of(t, prepend(b, tShape)), indices.clone());
    };

    /** {@code [n, ...shape]}. */
    static int[] prepend(int n, int[] shape) {
        int[] s = new int[shape.length + 1];
        s[0] = n;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }
}
