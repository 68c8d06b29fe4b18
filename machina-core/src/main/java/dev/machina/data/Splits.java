package dev.machina.data;

import dev.machina.tensor.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Seeded train/validation splits and k-fold indices. Every method is a pure function of its
 * arguments: the same seed gives the same split. Index arrays come back sorted ascending.
 */
public final class Splits {
    /** Stream number of split permutations, so they differ from a loader's epoch orders under the same seed. */
    private static final long SPLIT_STREAM = 0x53504C4954L;

    private Splits() {}

    /** A dataset split into a training and a validation dataset. */
    public record Parts(TensorDataset train, TensorDataset validation) {}

    /** Indices of a training part and a validation part of the same dataset. */
    public record Split(int[] train, int[] validation) {
        /** The training examples of {@code ds} (copied). */
        public TensorDataset trainOf(TensorDataset ds) {
            return ds.subset(train);
        }

        /** The validation examples of {@code ds} (copied). */
        public TensorDataset validationOf(TensorDataset ds) {
            return ds.subset(validation);
        }
    }

    /** A random split with {@code round(n * validationFraction)} validation examples. */
    public static Split random(int n, double validationFraction, long seed) {
        checkFraction(validationFraction);
        int[] perm = permutation(n, Rng.forStream(seed, SPLIT_STREAM));
        int nVal = (int) Math.round(n * validationFraction);
        return sorted(Arrays.copyOfRange(perm, nVal, n), Arrays.copyOfRange(perm, 0, nVal));
    }

    /**
     * A split that keeps each class's proportion: of the {@code n_c} examples of class c,
     * {@code round(n_c * validationFraction)} go to validation, chosen at random. Each class's
     * validation count is thus within half an example of its exact share.
     */
    public static Split stratified(int[] labels, double validationFraction, long seed) {
        checkFraction(validationFraction);
        int k = Arrays.stream(labels).max().orElse(-1) + 1;
        int[] counts = ClassStats.counts(labels, k);
        int[][] byClass = new int[k][];
        int[] fill = new int[k];
        for (int c = 0; c < k; c++) byClass[c] = new int[counts[c]];
        for (int i = 0; i < labels.length; i++) byClass[labels[i]][fill[labels[i]]++] = i;
        Rng rng = Rng.forStream(seed, SPLIT_STREAM);
        List<Integer> train = new ArrayList<>();
        List<Integer> val = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            rng.shuffle(byClass[c]);
            int nVal = (int) Math.round(counts[c] * validationFraction);
            for (int j = 0; j < counts[c]; j++) (j < nVal ? val : train).add(byClass[c][j]);
        }
        return sorted(train.stream().mapToInt(Integer::intValue).toArray(), val.stream().mapToInt(Integer::intValue).toArray());
    }

    /** A random split of a dataset's examples into two datasets, stratified when it has labels. */
    public static Parts trainValidation(TensorDataset ds, double validationFraction, long seed) {
        Split s = ds.isClassification() ? stratified(ds.labels(), validationFraction, seed) : random(ds.size(), validationFraction, seed);
        return new Parts(s.trainOf(ds), s.validationOf(ds));
    }

    /**
     * K-fold cross-validation over a seeded permutation: fold i is the validation part of split
     * i, the rest its training part. As scikit-learn, the first {@code n % k} folds have one
     * more example.
     */
    public static List<Split> kFold(int n, int k, long seed) {
        if (k < 2 || k > n) throw new IllegalArgumentException("k-fold needs 2 <= k <= n; got k=" + k + ", n=" + n);
        int[] perm = permutation(n, Rng.forStream(seed, SPLIT_STREAM));
        List<Split> out = new ArrayList<>(k);
        int start = 0;
        for (int f = 0; f < k; f++) {
            int len = n / k + (f < n % k ? 1 : 0);
            int[] val = Arrays.copyOfRange(perm, start, start + len);
            int[] train = new int[n - len];
            System.arraycopy(perm, 0, train, 0, start);
            System.arraycopy(perm, start + len, train, start, n - start - len);
            out.add(sorted(train, val));
            start += len;
        }
        return out;
    }

    private static int[] permutation(int n, Rng rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        rng.shuffle(p);
        return p;
    }

    private static Split sorted(int[] train, int[] val) {
        Arrays.sort(train);
        Arrays.sort(val);
        return new Split(train, val);
    }

    private static void checkFraction(double f) {
        if (!(f >= 0 && f <= 1)) throw new IllegalArgumentException("validation fraction must be in [0, 1], got " + f);
    }
}
