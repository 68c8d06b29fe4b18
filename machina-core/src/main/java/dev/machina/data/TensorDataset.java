package dev.machina.data;

import dev.machina.tensor.Shape;
import dev.machina.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * A dataset held in memory as a features tensor {@code [N, ...featureShape]} (for example
 * {@code [N, F]}, images {@code [N, H, W]} or sequences {@code [N, T, F]}) and either class
 * indices ({@code int[N]}) or regression targets {@code [N, ...targetShape]}.
 *
 * <p>Arrays passed in are not copied and those returned are the backing arrays: treat them as
 * read-only. Derived datasets ({@link #subset}, {@link #withFeatures}) are new objects.
 */
public final class TensorDataset implements Dataset {
    private final Tensor features;
    private final int[] labels;
    private final Tensor targets;
    private final int numClasses;
    private final List<String> classNames;
    private final int rowSize;

    private TensorDataset(Tensor features, int[] labels, Tensor targets, int numClasses, List<String> classNames) {
        if (features.rank() < 1) throw new IllegalArgumentException("features must have a batch dimension; got shape " + Shape.str(features.shape()));
        int n = features.shape(0);
        if (labels != null && labels.length != n) {
            throw new IllegalArgumentException(n + " examples of features " + Shape.str(features.shape()) + " but " + labels.length + " labels");
        }
        if (targets != null && (targets.rank() < 1 || targets.shape(0) != n)) {
            throw new IllegalArgumentException(n + " examples of features " + Shape.str(features.shape()) + " but targets of shape " + Shape.str(targets.shape()));
        }
        if (labels != null) {
            for (int i = 0; i < n; i++) {
                if (labels[i] < 0 || labels[i] >= numClasses) {
                    throw new IllegalArgumentException("label " + labels[i] + " of example " + i + " is outside [0, " + numClasses + ")");
                }
            }
            if (!classNames.isEmpty() && classNames.size() != numClasses) {
                throw new IllegalArgumentException(numClasses + " classes but " + classNames.size() + " class names " + classNames);
            }
        }
        this.features = features;
        this.labels = labels;
        this.targets = targets;
        this.numClasses = numClasses;
        this.classNames = List.copyOf(classNames);
        this.rowSize = n == 0 ? Shape.prod(features.shape(), 1, features.rank()) : features.size() / n;
    }

    /** A classification dataset; the number of classes is the largest label + 1. */
    public static TensorDataset classification(Tensor features, int[] labels) {
        return new TensorDataset(features, labels, null, Arrays.stream(labels).max().orElse(-1) + 1, List.of());
    }

    /** A classification dataset with named classes; there are {@code classNames.size()} classes. */
    public static TensorDataset classification(Tensor features, int[] labels, List<String> classNames) {
        return new TensorDataset(features, labels, null, classNames.size(), classNames);
    }

    /** A classification dataset with {@code numClasses} classes, without names. */
    public static TensorDataset classification(Tensor features, int[] labels, int numClasses) {
        return new TensorDataset(features, labels, null, numClasses, List.of());
    }

    /** A regression dataset: targets {@code [N]} or {@code [N, ...targetShape]}. */
    public static TensorDataset regression(Tensor features, Tensor targets) {
        return new TensorDataset(features, null, targets, 0, List.of());
    }

    /** A classification dataset from rows of an in-memory array (copied). */
    public static TensorDataset of(float[][] rows, int[] labels) {
        return classification(Tensor.of(flatten(rows), rows.length, rows.length == 0 ? 0 : rows[0].length), labels);
    }

    /** A regression dataset from rows of an in-memory array (copied), one target per row. */
    public static TensorDataset of(float[][] rows, float[] targets) {
        return regression(Tensor.of(flatten(rows), rows.length, rows.length == 0 ? 0 : rows[0].length),
                Tensor.of(targets.clone(), targets.length));
    }

    private static float[] flatten(float[][] rows) {
        int f = rows.length == 0 ? 0 : rows[0].length;
        float[] d = new float[rows.length * f];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != f) throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, row 0 has " + f);
            System.arraycopy(rows[i], 0, d, i * f, f);
        }
        return d;
    }

    @Override
    public int size() {
        return features.shape(0);
    }

    @Override
    public Example get(int index) {
        if (index < 0 || index >= size()) throw new IndexOutOfBoundsException("index " + index + " outside [0, " + size() + ")");
        Tensor x = Tensor.of(Arrays.copyOfRange(features.data(), index * rowSize, (index + 1) * rowSize), featureShape());
        if (labels != null) return Example.ofClass(x, labels[index]);
        int ts = targets.size() / size();
        return Example.ofTarget(x, Tensor.of(Arrays.copyOfRange(targets.data(), index * ts, (index + 1) * ts), targetShape()));
    }

    @Override
    public int[] featureShape() {
        return Arrays.copyOfRange(features.shape(), 1, features.rank());
    }

    @Override
    public int[] targetShape() {
        return targets == null ? null : Arrays.copyOfRange(targets.shape(), 1, targets.rank());
    }

    /** All features, {@code [N, ...featureShape]}. */
    public Tensor features() {
        return features;
    }

    /** Class indices, or {@code null} for a regression dataset. */
    public int[] labels() {
        return labels;
    }

    /** Regression targets, or {@code null} for a classification dataset. */
    public Tensor targets() {
        return targets;
    }

    public boolean isClassification() {
        return labels != null;
    }

    /** Number of classes (0 for regression). */
    public int numClasses() {
        return numClasses;
    }

    /** Class names where the source has them (index i names class i), else an empty list. */
    public List<String> classNames() {
        return classNames;
    }

    /** The name of class {@code c}, or its number as text when the source has no names. */
    public String className(int c) {
        return classNames.isEmpty() ? Integer.toString(c) : classNames.get(c);
    }

    /** Examples per class, length {@link #numClasses()}. */
    public int[] classCounts() {
        requireLabels("classCounts");
        return ClassStats.counts(labels, numClasses);
    }

    /** Balanced class weights, {@code n / (numClasses * count)}; see {@link ClassStats#balancedWeights}. */
    public float[] classWeights() {
        requireLabels("classWeights");
        return ClassStats.balancedWeights(labels, numClasses);
    }

    private void requireLabels(String what) {
        if (labels == null) throw new IllegalStateException(what + ": this is a regression dataset, it has no class labels");
    }

    /** The examples at {@code indices} stacked into a batch, with bulk row copies. */
    public Batch gather(int[] indices) {
        int b = indices.length;
        float[] src = features.data();
        float[] x = new float[b * rowSize];
        int[] y = labels == null ? null : new int[b];
        int ts = targets == null ? 0 : targets.size() / Math.max(1, size());
        float[] t = targets == null ? null : new float[b * ts];
        int n = size();
        for (int i = 0; i < b; i++) {
            int j = indices[i];
            if (j < 0 || j >= n) throw new IndexOutOfBoundsException("index " + j + " outside [0, " + n + ")");
            System.arraycopy(src, j * rowSize, x, i * rowSize, rowSize);
            if (y != null) y[i] = labels[j];
            else System.arraycopy(targets.data(), j * ts, t, i * ts, ts);
        }
        return new Batch(Tensor.of(x, Collate.prepend(b, featureShape())), y,
                t == null ? null : Tensor.of(t, Collate.prepend(b, targetShape())), indices.clone());
    }

    /** A new dataset of the examples at {@code indices} (copied), keeping classes and names. */
    public TensorDataset subset(int[] indices) {
        Batch b = gather(indices);
        return new TensorDataset(b.features(), b.labels(), b.targets(), numClasses, classNames);
    }

    /** The same labels/targets with other features of the same length, e.g. after a transform. */
    public TensorDataset withFeatures(Tensor newFeatures) {
        return new TensorDataset(newFeatures, labels, targets, numClasses, classNames);
    }

    /** Features reshaped to {@code [N, prod(featureShape)]} (no copy), e.g. images for an MLP. */
    public TensorDataset flatten() {
        return withFeatures(Tensor.of(features.data(), size(), rowSize));
    }

    @Override
    public String toString() {
        return "TensorDataset[" + size() + " examples, features " + Shape.str(featureShape())
                + (labels != null ? ", " + numClasses + " classes" : ", targets " + Shape.str(targetShape())) + "]";
    }
}
