package dev.machina.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetFetcherTest {
    @TempDir
    Path tmp;

    private HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private URI base;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/data/", ex -> {
            requests.incrementAndGet();
            String name = ex.getRequestURI().getPath().substring("/data/".length());
            byte[] body = files.get(name);
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    for (int i = 0; i < body.length; i += 1000) out.write(body, i, Math.min(1000, body.length - i));
                }
            }
            ex.close();
        });
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/data/");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static String md5(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
    }

    /** Serves small generated IDX .gz files under the four MNIST names; returns their checksums. */
    private Map<String, String> serveIdxSet() throws Exception {
        Path gen = Files.createDirectories(tmp.resolve("gen"));
        IdxFixtures.writeImageSet(gen, "train", 50, 4, 4, 10, true);
        IdxFixtures.writeImageSet(gen, "t10k", 20, 4, 4, 10, true);
        Map<String, String> sums = new LinkedHashMap<>();
        for (String f : RemoteDataset.IDX_FILES) {
            byte[] b = Files.readAllBytes(gen.resolve(f + ".gz"));
            files.put(f + ".gz", b);
            sums.put(f + ".gz", md5(b));
        }
        return sums;
    }

    @Test
    void downloadsVerifiesAndWritesLoadableFiles() throws Exception {
        Map<String, String> sums = serveIdxSet();
        RemoteDataset ds = RemoteDataset.FASHION_MNIST.withBaseUrl(base).withChecksums(sums);
        List<long[]> progress = new ArrayList<>();
        Path root = tmp.resolve("root");
        Path dir = new DatasetFetcher(root, (f, done, total) -> progress.add(new long[] {done, total})).fetch(ds);

        assertThat(dir).isEqualTo(root.resolve("fashion-mnist"));
        for (String f : sums.keySet()) {
            assertThat(Files.readAllBytes(dir.resolve(f))).isEqualTo(files.get(f));
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(sums.keySet());   // no temp files
        }
        long totalBytes = files.values().stream().mapToLong(b -> b.length).sum();
        assertThat(progress).allSatisfy(p -> assertThat(p[0]).isBetween(0L, p[1]));
        assertThat(progress.stream().filter(p -> p[0] == p[1]).mapToLong(p -> p[1]).sum()).isEqualTo(totalBytes);

        TrainTest tt = new DatasetLocator(null, tmp.resolve("nohome"), tmp.resolve("nosys"))
                .loadIdx("fashion-mnist", dir, Datasets.FASHION_MNIST_CLASSES);
        assertThat(tt.train().size()).isEqualTo(50);
        assertThat(tt.test().size()).isEqualTo(20);

        // a second fetch finds valid files and downloads nothing
        int before = requests.get();
        new DatasetFetcher(root, null).fetch(ds);
        assertThat(requests.get()).isEqualTo(before);
    }

    @Test
    void corruptedDownloadIsRejectedAndLeavesNoFile() throws Exception {
        Map<String, String> sums = serveIdxSet();
        byte[] bad = files.get("train-labels-idx1-ubyte.gz").clone();
        bad[bad.length / 2] ^= 0x55;
        files.put("train-labels-idx1-ubyte.gz", bad);
        RemoteDataset ds = RemoteDataset.MNIST.withBaseUrl(base).withChecksums(sums);
        Path root = tmp.resolve("root");
        assertThatThrownBy(() -> new DatasetFetcher(root, null).fetch(ds))
                .isInstanceOf(DatasetFetchException.class)
                .hasMessage("GET " + base + "train-labels-idx1-ubyte.gz: checksum mismatch, expected MD5 "
                        + sums.get("train-labels-idx1-ubyte.gz") + " but got " + md5(bad) + " (" + bad.length
                        + " bytes); the download is corrupted and was not saved");
        Path dir = root.resolve("mnist");
        try (Stream<Path> s = Files.list(dir)) {
            // the first file, fetched before the bad one, is kept; nothing else, no temp file
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("train-images-idx3-ubyte.gz");
        }
    }

    @Test
    void httpErrorIsReported() throws Exception {
        RemoteDataset ds = RemoteDataset.MNIST.withBaseUrl(base).withChecksums(Map.of("missing.gz", "00"));
        assertThatThrownBy(() -> new DatasetFetcher(tmp.resolve("r"), null).fetch(ds))
                .isInstanceOf(DatasetFetchException.class)
                .hasMessage("GET " + base + "missing.gz failed: HTTP 404");
        try (Stream<Path> s = Files.list(tmp.resolve("r/mnist"))) {
            assertThat(s).isEmpty();
        }
    }

    @Test
    void knownDatasetsHaveTheirPublishedChecksums() {
        assertThat(RemoteDataset.byName("fashion-mnist").md5()).containsEntry("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d");
        assertThat(RemoteDataset.byName("mnist").baseUrl()).hasToString("https://ossci-datasets.s3.amazonaws.com/mnist/");
        assertThat(RemoteDataset.MNIST.md5()).hasSize(4).containsEntry("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c");
    }
}
