package dev.machina.ui;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The one gate between a request and the file system: a relative path, as a request names it,
 * becomes a path under the runs directory, or nothing. Refused: empty, {@code .} and {@code ..}
 * segments (also percent-encoded), backslashes, NUL, absolute paths, and anything whose real
 * path (symbolic links resolved) leaves the runs directory.
 */
final class RunFiles {
    private final Path root;
    private final Path realRoot;

    RunFiles(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.realRoot = this.root.toRealPath();
    }

    Path root() {
        return root;
    }

    /** Thrown for a path that is malformed or tries to leave the runs directory (answered with 400). */
    static final class BadPath extends Exception {
        BadPath(String message) {
            super(message);
        }
    }

    /**
     * Resolves a raw (still percent-encoded) relative path such as {@code digits-mlp/20250101-120000/run.json}.
     * Empty means the root itself.
     */
    Path resolveRaw(String raw) throws BadPath {
        if (raw == null) throw new BadPath("no path");
        StringBuilder decoded = new StringBuilder();
        for (String seg : raw.split("/", -1)) {
            if (decoded.length() > 0) decoded.append('/');
            String d;
            try {
                d = URLDecoder.decode(seg.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new BadPath("malformed percent-encoding");
            }
            if (d.contains("/")) throw new BadPath("an encoded '/' in a path segment");
            decoded.append(d);
        }
        return resolve(decoded.toString());
    }

    /** Resolves an already decoded relative path; empty means the root. */
    Path resolve(String rel) throws BadPath {
        if (rel == null) throw new BadPath("no path");
        if (rel.isEmpty()) return root;
        if (rel.startsWith("/") || rel.contains("\\") || rel.indexOf('\0') >= 0 || rel.contains(":")) {
            throw new BadPath("not a relative path under the runs directory");
        }
        for (String seg : rel.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) throw new BadPath("'" + seg + "' is not allowed in a path");
        }
        Path p = root.resolve(rel).normalize();
        if (!p.startsWith(root)) throw new BadPath("outside the runs directory");
        return p;
    }

    /** The file or directory, if it exists and its real path (links resolved) is under the runs directory. */
    Optional<Path> existing(Path p) {
        if (!Files.exists(p)) return Optional.empty();
        try {
            Path real = p.toRealPath();
            return real.startsWith(realRoot) ? Optional.of(real) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** True when {@code p} is a regular file (not a link) inside the runs directory. */
    boolean isPlainFile(Path p) {
        return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && existing(p).isPresent();
    }

    /** {@code p} relative to the root, with '/' separators. */
    String rel(Path p) {
        return root.relativize(p.toAbsolutePath().normalize()).toString().replace('\\', '/');
    }
}
