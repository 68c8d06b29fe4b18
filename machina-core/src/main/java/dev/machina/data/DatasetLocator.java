package dev.machina.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Finds the files of MNIST-like IDX datasets on disk. For a dataset {@code NAME} the
 * directories searched, in order, are: one given by the user, {@code $MACHINA_DATA/NAME},
 * {@code ~/.machina/datasets/NAME}, and {@code /usr/share/datasets/NAME} (where Debian's
 * {@code dataset-fashion-mnist} package installs). A directory counts when it holds all four
 * IDX files, each either gzip-compressed ({@code .gz}) or plain.
 */
public final class DatasetLocator {
    private final String machinaData;
    private final Path home;
    private final Path systemRoot;

    /**
     * @param machinaData the value of {@code MACHINA_DATA}, or {@code null}
     * @param home        the user's home directory
     * @param systemRoot  the system-wide datasets directory, normally {@code /usr/share/datasets}
     */
    public DatasetLocator(String machinaData, Path home, Path systemRoot) {
        this.machinaData = machinaData == null || machinaData.isBlank() ? null : machinaData;
        this.home = home;
        this.systemRoot = systemRoot;
    }

    /** The locator of this process: its environment, home directory and /usr/share/datasets. */
    public static DatasetLocator system() {
        return new DatasetLocator(System.getenv("MACHINA_DATA"), Path.of(System.getProperty("user.home")), Path.of("/usr/share/datasets"));
    }

    /** The directories searched for {@code name}, in order ({@code userDir} may be null). */
    public List<Path> candidates(String name, Path userDir) {
        List<Path> dirs = new ArrayList<>();
        if (userDir != null) dirs.add(userDir);
        if (machinaData != null) dirs.add(Path.of(machinaData).resolve(name));
        dirs.add(home.resolve(".machina").resolve("datasets").resolve(name));
        dirs.add(systemRoot.resolve(name));
        return dirs;
    }

    /** The first candidate directory that holds all four IDX files. */
    public Optional<Path> find(String name, Path userDir) {
        return candidates(name, userDir).stream().filter(DatasetLocator::hasIdxFiles).findFirst();
    }

    /** How to get a dataset that is missing, as one line. */
    public static String howToGet(String name) {
        return switch (name) {
            case "fashion-mnist" -> "`apt-get install dataset-fashion-mnist` or `./machina datasets fetch fashion-mnist`";
            case "mnist" -> "`./machina datasets fetch mnist`";
            default -> "the files placed in one of these directories";
        };
    }

    /**
     * Loads an MNIST-like dataset: images as features {@code [N, 28, 28]} with pixel values
     * 0..255 (unscaled; unsigned bytes are held as bytes, see {@link IdxReader#readClassification}),
     * labels as classes. The train and test parts are read in parallel.
     *
     * @throws DatasetNotFoundException when no candidate directory holds the files
     */
    public TrainTest loadIdx(String name, Path userDir, List<String> classNames) {
        Path dir = find(name, userDir).orElseThrow(() -> new DatasetNotFoundException(name, candidates(name, userDir), howToGet(name)));
        List<String> f = RemoteDataset.IDX_FILES;
        CompletableFuture<TensorDataset> test = CompletableFuture.supplyAsync(
                () -> IdxReader.readClassification(file(dir, f.get(2)), file(dir, f.get(3)), classNames));
        TensorDataset train = IdxReader.readClassification(file(dir, f.get(0)), file(dir, f.get(1)), classNames);
        try {
            return new TrainTest(train, test.join());
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw e;
        }
    }

    /** Summary of a dataset directory: where, and the total size of its IDX files. */
    public DatasetInfo info(String name, Path userDir) {
        Optional<Path> dir = find(name, userDir);
        if (dir.isEmpty()) return new DatasetInfo(name, null, -1, howToGet(name));
        long bytes = 0;
        for (String base : RemoteDataset.IDX_FILES) {
            try {
                bytes += Files.size(file(dir.get(), base));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new DatasetInfo(name, dir.get().toString(), bytes, howToGet(name));
    }

    private static boolean hasIdxFiles(Path dir) {
        return RemoteDataset.IDX_FILES.stream().allMatch(b -> Files.isRegularFile(file(dir, b)));
    }

    /** {@code base.gz} if present, else {@code base}. */
    static Path file(Path dir, String base) {
        Path gz = dir.resolve(base + ".gz");
        return Files.isRegularFile(gz) ? gz : dir.resolve(base);
    }
}
