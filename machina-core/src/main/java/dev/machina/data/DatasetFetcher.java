package dev.machina.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

/**
 * Downloads a {@link RemoteDataset}'s files into {@code ROOT/NAME} (default root
 * {@code ~/.machina/datasets}), verifying each file's MD5. Each file is written atomically:
 * to a temporary file in the same directory, fsync'd, then renamed; a download whose checksum
 * does not match is deleted and reported, so a corrupted file is never left behind. Files
 * already present with the right checksum are not downloaded again.
 */
public final class DatasetFetcher {
    /** Progress of one file: {@code total} is -1 when the server does not say. */
    @FunctionalInterface
    public interface Progress {
        void update(String file, long bytesDone, long bytesTotal);

        Progress NONE = (f, d, t) -> {};
    }

    private final Path root;
    private final Progress progress;

    /** A fetcher writing under {@code root}, reporting to {@code progress}. */
    public DatasetFetcher(Path root, Progress progress) {
        this.root = root;
        this.progress = progress == null ? Progress.NONE : progress;
    }

    /** A fetcher writing under {@code ~/.machina/datasets}. */
    public DatasetFetcher(Progress progress) {
        this(defaultRoot(), progress);
    }

    public static Path defaultRoot() {
        return Path.of(System.getProperty("user.home"), ".machina", "datasets");
    }

    /** Downloads the dataset of this name (see {@link RemoteDataset#byName}); returns its directory. */
    public Path fetch(String name) {
        return fetch(RemoteDataset.byName(name));
    }

    /** Downloads every file of {@code ds} that is not already present and valid; returns the directory. */
    public Path fetch(RemoteDataset ds) {
        Path dir = root.resolve(ds.name());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        try (HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build()) {
            for (Map.Entry<String, String> f : ds.md5().entrySet()) {
                Path target = dir.resolve(f.getKey());
                if (Files.isRegularFile(target) && f.getValue().equalsIgnoreCase(md5(target))) {
                    long size = size(target);
                    progress.update(f.getKey(), size, size);
                    continue;
                }
                download(http, ds.baseUrl().resolve(f.getKey()), target, f.getValue());
            }
        }
        return dir;
    }

    private void download(HttpClient http, URI url, Path target, String expectedMd5) {
        String file = target.getFileName().toString();
        Path tmp = null;
        try {
            HttpResponse<InputStream> resp = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = resp.body()) {
                if (resp.statusCode() != 200) {
                    throw new DatasetFetchException("GET " + url + " failed: HTTP " + resp.statusCode());
                }
                long total = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
                tmp = Files.createTempFile(target.getParent(), "." + file + ".", ".part");
                MessageDigest md = MessageDigest.getInstance("MD5");
                long done = 0;
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                    byte[] buf = new byte[1 << 16];
                    progress.update(file, 0, total);
                    for (int r; (r = in.read(buf)) > 0; ) {
                        md.update(buf, 0, r);
                        ByteBuffer bb = ByteBuffer.wrap(buf, 0, r);
                        while (bb.hasRemaining()) ch.write(bb);
                        done += r;
                        progress.update(file, done, total);
                    }
                    ch.force(true);
                }
                if (total >= 0 && done != total) {
                    throw new DatasetFetchException("GET " + url + ": connection ended after " + done + " of " + total + " bytes; nothing was saved");
                }
                String actual = HexFormat.of().formatHex(md.digest());
                if (!actual.equalsIgnoreCase(expectedMd5)) {
                    throw new DatasetFetchException("GET " + url + ": checksum mismatch, expected MD5 " + expectedMd5 + " but got "
                            + actual + " (" + done + " bytes); the download is corrupted and was not saved");
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                tmp = null;
                syncDirectory(target.getParent());
            }
        } catch (IOException e) {
            throw new DatasetFetchException("GET " + url + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatasetFetchException("GET " + url + " interrupted", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary name never shadows the real file
                }
            }
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every platform can fsync a directory; the rename itself is atomic
        }
    }

    /** MD5 of a file as lower-case hex. */
    public static String md5(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("MD5");
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) md.update(buf, 0, r);
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }
}
