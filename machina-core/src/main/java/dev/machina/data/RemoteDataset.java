package dev.machina.data;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a dataset's files can be downloaded and their published MD5 checksums.
 *
 * @param name    the dataset name, also its directory name under the datasets root
 * @param baseUrl the URL the file names are resolved against (ends with '/')
 * @param md5     file name to expected MD5 (lower-case hex), in download order
 */
public record RemoteDataset(String name, URI baseUrl, Map<String, String> md5) {
    /** The four IDX files of MNIST-like datasets, without the .gz suffix. */
    public static final List<String> IDX_FILES = List.of(
            "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    public static final RemoteDataset FASHION_MNIST = idx("fashion-mnist", "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
            "8d4fb7e6c68d591d4c3dfef9ec88bf0d", "25c81989df183df01b3e8a0aad5dffbe",
            "bef4ecab320f06d8554ea6380940ec79", "bb300cfdad3c16e7a12a480ee83cd310");

    public static final RemoteDataset MNIST = idx("mnist", "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "f68b3c2dcbeaaa9fbdd348bbdeb94873", "d53e105ee54ea40749a09fcbcd1e9432",
            "9fb629c4189551a2d022fa330f9573f3", "ec29112dd5afa0611ce80d1b7f02629c");

    public RemoteDataset {
        String u = baseUrl.toString();
        if (!u.endsWith("/")) baseUrl = URI.create(u + "/");
        md5 = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(md5));
    }

    private static RemoteDataset idx(String name, String base, String... sums) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < IDX_FILES.size(); i++) m.put(IDX_FILES.get(i) + ".gz", sums[i]);
        return new RemoteDataset(name, URI.create(base), m);
    }

    /** The known remote dataset of this name. */
    public static RemoteDataset byName(String name) {
        return switch (name) {
            case "fashion-mnist" -> FASHION_MNIST;
            case "mnist" -> MNIST;
            default -> throw new IllegalArgumentException("no download known for dataset '" + name + "'; known: fashion-mnist, mnist");
        };
    }

    /** The same files from another server (a mirror, or a test server). */
    public RemoteDataset withBaseUrl(URI url) {
        return new RemoteDataset(name, url, md5);
    }

    /** The same dataset with other expected checksums (file name to MD5). */
    public RemoteDataset withChecksums(Map<String, String> checksums) {
        return new RemoteDataset(name, baseUrl, checksums);
    }
}
