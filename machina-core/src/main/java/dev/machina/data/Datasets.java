package dev.machina.data;

import dev.machina.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The built-in datasets, by name:
 * <ul>
 *   <li>{@code digits}: 1,797 8x8 handwritten digits, 64 features 0..16, classes "0".."9"
 *       (UCI, CC BY 4.0), shipped in the jar; no test split.
 *   <li>{@code fashion-mnist}: 60,000 + 10,000 28x28 images of 10 kinds of clothing, from IDX
 *       files on disk (see {@link DatasetLocator} for where it looks).
 *   <li>{@code mnist}: the original 60,000 + 10,000 handwritten digits, same loader.
 * </ul>
 * Image features are {@code [N, 28, 28]} with raw pixel values 0..255, held as bytes
 * ({@link TensorDataset#holdsBytes()}); use {@link Scale#by(double) Scale.by(1/255.0)} (they stay
 * bytes, scaled batch by batch) and {@link TensorDataset#flatten()} as needed.
 */
public final class Datasets {
    /** Fashion-MNIST class names, index 0..9. */
    public static final List<String> FASHION_MNIST_CLASSES = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** Digit class names "0".."9". */
    public static final List<String> DIGIT_CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    /** The names {@link #load(String)} knows. */
    public static final List<String> NAMES = List.of("digits", "fashion-mnist", "mnist");

    static final String DIGITS_RESOURCE = "digits.csv.gz";

    private Datasets() {}

    /** The digits dataset from the classpath: features {@code [1797, 64]}, classes "0".."9". */
    public static TensorDataset digits() {
        try (InputStream in = open(DIGITS_RESOURCE)) {
            return parseDigits(new GZIPInputStream(in).readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("reading the built-in digits dataset: " + e.getMessage(), e);
        }
    }

    static final int DIGITS_ROWS = 1797, DIGITS_FEATURES = 64;

    /**
     * The embedded file, read as what it is (1,797 lines of 64 pixel counts and a class, all small
     * non-negative integers, comma-separated) in one pass over its bytes: what {@link CsvReader}
     * reads from it (a test checks so), without its per-field work, which in a fresh JVM, still
     * interpreting, made this 0.15 s of a 2 s command.
     */
    static TensorDataset parseDigits(byte[] csv) {
        float[] x = new float[DIGITS_ROWS * DIGITS_FEATURES];
        int[] y = new int[DIGITS_ROWS];
        int row = 0, col = 0, value = 0, digits = 0;
        int end = csv.length > 0 && csv[csv.length - 1] == '\n' ? csv.length - 1 : csv.length; // the last line's end, with or without its newline
        for (int i = 0; i <= end; i++) {
            int c = i < end ? csv[i] : '\n';
            if (c >= '0' && c <= '9' && digits < 3) {
                value = value * 10 + (c - '0');
                digits++;
            } else if ((c == ',' || c == '\n') && digits > 0 && row < DIGITS_ROWS) {
                if (c == ',' && col < DIGITS_FEATURES) {
                    x[row * DIGITS_FEATURES + col] = value;
                } else if (c == '\n' && col == DIGITS_FEATURES && value < DIGIT_CLASSES.size()) {
                    y[row] = value;
                } else {
                    throw badDigits(row, (DIGITS_FEATURES + 1) + " fields: " + DIGITS_FEATURES + " pixel counts, then a class 0..9");
                }
                col++;
                value = 0;
                digits = 0;
                if (c == '\n') {
                    row++;
                    col = 0;
                }
            } else {
                throw badDigits(row, "a field that is not a number of 1 to 3 digits, or a short line");
            }
        }
        if (row != DIGITS_ROWS) throw badDigits(row, DIGITS_ROWS + " lines");
        return TensorDataset.classification(Tensor.of(x, DIGITS_ROWS, DIGITS_FEATURES), y, DIGIT_CLASSES);
    }

    private static IllegalStateException badDigits(int row, String expected) {
        return new IllegalStateException("classpath:dev/machina/data/" + DIGITS_RESOURCE + " is damaged at line " + (row + 1) + ": expected " + expected);
    }

    /** Fashion-MNIST from the first standard directory that has it. */
    public static TrainTest fashionMnist() {
        return fashionMnist(null);
    }

    /** Fashion-MNIST, looking first in {@code dir} (may be null). */
    public static TrainTest fashionMnist(Path dir) {
        return DatasetLocator.system().loadIdx("fashion-mnist", dir, FASHION_MNIST_CLASSES);
    }

    /** MNIST from the first standard directory that has it. */
    public static TrainTest mnist() {
        return mnist(null);
    }

    /** MNIST, looking first in {@code dir} (may be null). */
    public static TrainTest mnist(Path dir) {
        return DatasetLocator.system().loadIdx("mnist", dir, DIGIT_CLASSES);
    }

    /** A dataset by name; see {@link #NAMES}. */
    public static TrainTest load(String name) {
        return load(name, null);
    }

    /** A dataset by name, looking first in {@code dir} for datasets read from disk. */
    public static TrainTest load(String name, Path dir) {
        return switch (name) {
            case "digits" -> new TrainTest(digits(), null);
            case "fashion-mnist" -> fashionMnist(dir);
            case "mnist" -> mnist(dir);
            default -> throw new IllegalArgumentException("unknown dataset '" + name + "'; known: " + String.join(", ", NAMES));
        };
    }

    /** Per known dataset: where it was found (or not) and its size on disk. */
    public static List<DatasetInfo> listKnown() {
        return listKnown(DatasetLocator.system());
    }

    /** {@link #listKnown()} with a given locator. */
    public static List<DatasetInfo> listKnown(DatasetLocator locator) {
        URL digits = Datasets.class.getResource(DIGITS_RESOURCE);
        long digitsBytes = -1;
        if (digits != null) {
            try (InputStream in = digits.openStream()) {
                digitsBytes = in.readAllBytes().length;
            } catch (IOException e) {
                digitsBytes = -1;
            }
        }
        return List.of(
                new DatasetInfo("digits", digits == null ? null : "classpath:dev/machina/data/" + DIGITS_RESOURCE, digitsBytes, "built in"),
                locator.info("fashion-mnist", null),
                locator.info("mnist", null));
    }

    private static InputStream open(String resource) {
        InputStream in = Datasets.class.getResourceAsStream(resource);
        if (in == null) throw new IllegalStateException("resource dev/machina/data/" + resource + " is missing from the classpath");
        return in;
    }
}
