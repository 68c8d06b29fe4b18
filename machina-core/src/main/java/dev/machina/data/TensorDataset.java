package dev.machina.data;

import dev.machina.kernel.KernelProvider;
import dev.machina.tensor.Shape;
import dev.machina.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * A dataset held in memory as a features tensor {@code [N, ...featureShape]} (for example
 * {@code [N, F]}, images {@code [N, H, W]} or sequences {@code [N, T, F]}) and either class
 * indices ({@code int[N]}) or regression targets {@code [N, ...targetShape]}.
 *
 * <p>Features whose source is 8-bit (the pixels of IDX images) can be held as bytes instead,
 * a quarter of float32's memory ({@link #ofBytes}, {@link #holdsBytes()}): as torchvision's
 * {@code uint8} images with {@code ToTensor}, each batch ({@link #gather}, hence every
 * {@link DataLoader}) turns its examples into float32 as it is made, {@code (float) (v * scale)}
 * for a byte value {@code v} in 0..255 and the scale a {@link Scale} set ({@link #scaledBytes};
 * 1 until then). The floats are bit for bit those of the same {@link Scale} applied to the
 * features as float32. Transforms that need float statistics ({@link Standardizer},
 * {@link MinMaxScaler}) give a dataset held as float32.
 *
 * <p>Arrays passed in are not copied and those returned are the backing arrays (except
 * {@link #features()} of a dataset held as bytes, a new float32 copy each call): treat them as
 * read-only. Derived datasets ({@link #subset}, {@link #withFeatures}) are new objects.
 */
public final class TensorDataset implements Dataset {
    /** The features as float32; null when they are held as bytes. */
    private final Tensor features;
    /** The features as unsigned bytes, {@code shape} their dimensions, {@code byteScale} what a byte value is multiplied by; or null. */
    private final byte[] bytes;
    private final int[] shape;
    private final double byteScale;
    private final int[] labels;
    private final Tensor targets;
    private final int numClasses;
    private final List<String> classNames;
    private final int rowSize;

    private TensorDataset(Tensor features, int[] labels, Tensor targets, int numClasses, List<String> classNames) {
        this(features, null, features.shape(), 1, labels, targets, numClasses, classNames);
    }

    private TensorDataset(Tensor features, byte[] bytes, int[] shape, double byteScale, int[] labels, Tensor targets, int numClasses,
                          List<String> classNames) {
        if (shape.length < 1) throw new IllegalArgumentException("features must have a batch dimension; got shape " + Shape.str(shape));
        int n = shape[0];
        if (bytes != null) {
            if (shape.length > 4) throw new IllegalArgumentException("features have rank 1 to 4; got shape " + Shape.str(shape));
            if (bytes.length != Shape.size(shape)) {
                throw new IllegalArgumentException("shape " + Shape.str(shape) + " holds " + Shape.size(shape) + " values but " + bytes.length + " bytes were given");
            }
            if (!Double.isFinite(byteScale)) throw new IllegalArgumentException("scale must be finite, got " + byteScale);
        }
        if (labels != null && labels.length != n) {
            throw new IllegalArgumentException(n + " examples of features " + Shape.str(shape) + " but " + labels.length + " labels");
        }
        if (targets != null && (targets.rank() < 1 || targets.shape(0) != n)) {
            throw new IllegalArgumentException(n + " examples of features " + Shape.str(shape) + " but targets of shape " + Shape.str(targets.shape()));
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
        this.features = bytes == null ? features : null;
        this.bytes = bytes;
        this.shape = shape.clone();
        this.byteScale = bytes == null ? 1 : byteScale;
        this.labels = labels;
        this.targets = targets;
        this.numClasses = numClasses;
        this.classNames = List.copyOf(classNames);
        this.rowSize = Shape.prod(shape, 1, shape.length);
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

    /**
     * A classification dataset whose features are unsigned 8-bit values held as bytes:
     * {@code values} (not copied) holds {@code shape} = {@code [N, ...featureShape]} values
     * 0..255 in row-major order; batches give them as float32, unscaled until {@link #scaledBytes}
     * (or {@link Scale#apply(TensorDataset)}) sets a scale.
     */
    public static TensorDataset ofBytes(byte[] values, int[] shape, int[] labels, List<String> classNames) {
        java.util.Objects.requireNonNull(values, "values");
        java.util.Objects.requireNonNull(shape, "shape");
        java.util.Objects.requireNonNull(labels, "labels");
        return new TensorDataset(null, values, shape, 1, labels, null, classNames.size(), classNames);
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
        return shape[0];
    }

    @Override
    public Example get(int index) {
        if (index < 0 || index >= size()) throw new IndexOutOfBoundsException("index " + index + " outside [0, " + size() + ")");
        Tensor x;
        if (bytes != null) {
            float[] row = new float[rowSize];
            toFloats(index * rowSize, row, 0, rowSize);
            x = Tensor.of(row, featureShape());
        } else {
            x = Tensor.of(Arrays.copyOfRange(features.data(), index * rowSize, (index + 1) * rowSize), featureShape());
        }
        if (labels != null) return Example.ofClass(x, labels[index]);
        int ts = targets.size() / size();
        return Example.ofTarget(x, Tensor.of(Arrays.copyOfRange(targets.data(), index * ts, (index + 1) * ts), targetShape()));
    }

    @Override
    public int[] featureShape() {
        return Arrays.copyOfRange(shape, 1, shape.length);
    }

    @Override
    public int[] targetShape() {
        return targets == null ? null : Arrays.copyOfRange(targets.shape(), 1, targets.rank());
    }

    /**
     * All features, {@code [N, ...featureShape]}. For a dataset held as bytes this is a new
     * float32 tensor (4 bytes a value) made on each call: batches come from {@link #gather} (or a
     * {@link DataLoader}) without it, and {@link #get} gives one example.
     */
    public Tensor features() {
        if (bytes == null) return features;
        float[] x = new float[bytes.length];
        toFloats(0, x, 0, bytes.length);
        return Tensor.of(x, shape);
    }

    /** Whether the features are held as unsigned bytes, turned into float32 batch by batch (see the class comment). */
    public boolean holdsBytes() {
        return bytes != null;
    }

    /** What a byte value is multiplied by to give a feature (1 unless scaled, and for features held as float32). */
    public double byteScale() {
        return byteScale;
    }

    /** Bytes the features occupy in memory: one a value when held as bytes, else four. */
    public long featureBytes() {
        return (bytes != null ? 1L : 4L) * size() * rowSize;
    }

    /**
     * This dataset held as bytes, its features multiplied by {@code scale} as batches are made:
     * the same bytes, not copied. The features must be held as bytes and not yet scaled.
     */
    public TensorDataset scaledBytes(double scale) {
        if (bytes == null) throw new IllegalStateException("scaledBytes: the features are held as float32, not as bytes");
        if (byteScale != 1) throw new IllegalStateException("scaledBytes: the features are already scaled by " + byteScale);
        return new TensorDataset(null, bytes, shape, scale, labels, targets, numClasses, classNames);
    }

    /** {@code dst[to + k] = (float) (v * byteScale)} for the byte values v from {@code from}: what {@link Scale} computes from v as a float. */
    private void toFloats(int from, float[] dst, int to, int n) {
        KernelProvider.get().bytesToFloats(bytes, from, byteScale, dst, to, n);
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
        float[] src = bytes == null ? features.data() : null;
        float[] x = new float[b * rowSize];
        int[] y = labels == null ? null : new int[b];
        int ts = targets == null ? 0 : targets.size() / Math.max(1, size());
        float[] t = targets == null ? null : new float[b * ts];
        int n = size();
        for (int i = 0; i < b; i++) {
            int j = indices[i];
            if (j < 0 || j >= n) throw new IndexOutOfBoundsException("index " + j + " outside [0, " + n + ")");
            if (src != null) System.arraycopy(src, j * rowSize, x, i * rowSize, rowSize);
            else toFloats(j * rowSize, x, i * rowSize, rowSize);
            if (y != null) y[i] = labels[j];
            else System.arraycopy(targets.data(), j * ts, t, i * ts, ts);
        }
        return new Batch(Tensor.of(x, Collate.prepend(b, featureShape())), y,
                t == null ? null : Tensor.of(t, Collate.prepend(b, targetShape())), indices.clone());
    }

    /** A new dataset of the examples at {@code indices} (copied), keeping classes, names and how the features are held. */
    public TensorDataset subset(int[] indices) {
        if (bytes != null) {
            int n = size();
            byte[] x = new byte[indices.length * rowSize];
            int[] y = labels == null ? null : new int[indices.length];
            for (int i = 0; i < indices.length; i++) {
                int j = indices[i];
                if (j < 0 || j >= n) throw new IndexOutOfBoundsException("index " + j + " outside [0, " + n + ")");
                System.arraycopy(bytes, j * rowSize, x, i * rowSize, rowSize);
                if (y != null) y[i] = labels[j];
            }
            int[] s = shape.clone();
            s[0] = indices.length;
            return new TensorDataset(null, x, s, byteScale, y, null, numClasses, classNames); // held as bytes: a classification set
        }
        Batch b = gather(indices);
        return new TensorDataset(b.features(), b.labels(), b.targets(), numClasses, classNames);
    }

    /** The same labels/targets with other features of the same length, e.g. after a transform. */
    public TensorDataset withFeatures(Tensor newFeatures) {
        return new TensorDataset(newFeatures, labels, targets, numClasses, classNames);
    }

    /** Features reshaped to {@code [N, prod(featureShape)]} (no copy), e.g. images for an MLP; held as they were. */
    public TensorDataset flatten() {
        if (bytes != null) return new TensorDataset(null, bytes, new int[] {size(), rowSize}, byteScale, labels, targets, numClasses, classNames);
        return withFeatures(Tensor.of(features.data(), size(), rowSize));
    }

    @Override
    public String toString() {
        return "TensorDataset[" + size() + " examples, features " + Shape.str(featureShape()) + (bytes != null ? " held as bytes" : "")
                + (labels != null ? ", " + numClasses + " classes" : ", targets " + Shape.str(targetShape())) + "]";
    }
}
