package dev.machina.io;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Whole-file writes that either happen completely or not at all: the content goes to a
 * temporary file in the target's directory, which is flushed to disk ({@code fsync}), then
 * renamed over the target ({@link StandardCopyOption#ATOMIC_MOVE}, falling back to
 * {@link StandardCopyOption#REPLACE_EXISTING} where the file system cannot rename atomically),
 * and finally the directory is flushed where the platform allows it (not on Windows). If
 * anything fails, the temporary file is deleted and the previous target file, if any, is
 * untouched. Readers see either the old content or the new, never a mix, and a process killed
 * mid-write leaves at most a stray {@code .<name>.<random>.tmp} file beside the target.
 *
 * <p>Missing parent directories are created. The temporary file is created with the default
 * permissions of new files, so the result has the permissions a plain write would give it. If
 * the target is a symbolic link, the link itself is replaced by a regular file.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes content to a stream; the stream must not be closed by the callback (closing is harmless). */
    @FunctionalInterface
    public interface StreamWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Atomically replaces {@code target} with {@code bytes}. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /** Atomically replaces {@code target} with {@code text} encoded as UTF-8. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Atomically replaces {@code target} with what {@code writer} writes. The stream given to the
     * callback is buffered; an exception thrown by the callback aborts the write and is rethrown.
     */
    public static void write(Path target, StreamWriter writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null) throw new IOException("cannot write " + target + ": it has no parent directory");
        if (Files.isDirectory(abs)) throw new IOException("cannot write " + target + ": it is a directory");
        Files.createDirectories(dir);
        Path tmp = createTemp(dir, abs.getFileName().toString());
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                OutputStream buffered = new BufferedOutputStream(new FilterOutputStream(Channels.newOutputStream(ch)) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        flush(); // the channel is closed by us, after fsync
                    }
                }, 1 << 16);
                writer.writeTo(buffered);
                buffered.flush();
                ch.force(true);
            }
            move(tmp, abs);
            done = true;
        } finally {
            if (!done) deleteQuietly(tmp);
        }
        syncDirectory(dir);
    }

    /**
     * Appends {@code line} and a newline (UTF-8) to {@code file}, creating it if needed, in one
     * write call; with {@code fsync} the file is also flushed to disk before returning. Meant for
     * JSON-lines logs: not atomic, but a crash loses at most the line being written. The line must
     * not contain a line break.
     */
    public static void appendLine(Path file, String line, boolean fsync) throws IOException {
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("appendLine: the line for " + file + " contains a line break; a JSON-lines record must be one line");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        ByteBuffer buf = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            while (buf.hasRemaining()) ch.write(buf);
            if (fsync) ch.force(true);
        }
    }

    /**
     * The last resort when {@link #write} fails for want of space (a full disk has no room for the
     * new copy beside the old one): overwrites the existing file {@code target}'s own bytes with
     * {@code bytes}, cuts the file to their length and flushes it to disk. Content no longer than
     * the file needs no new space (nor, on most file systems, content that ends within the file's
     * last block). It is not atomic: a process killed during its one write call may leave a mix
     * of old and new. If the write fails, the old content is put back (it needs no new space
     * either) and the exception is rethrown.
     */
    public static void overwriteInPlace(Path target, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) throw new IOException("cannot overwrite " + target + " in place: it is over 2 GiB");
            ByteBuffer old = ByteBuffer.allocate((int) size);
            while (old.hasRemaining() && ch.read(old, old.position()) >= 0) {
                // the whole file, to put back if the write fails
            }
            try {
                writeFully(ch, ByteBuffer.wrap(bytes));
                ch.truncate(bytes.length);
                ch.force(true);
            } catch (IOException e) {
                try {
                    writeFully(ch, old.flip());
                    ch.truncate(size);
                    ch.force(true);
                } catch (IOException again) {
                    e.addSuppressed(again);
                }
                throw e;
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        for (long pos = 0; buf.hasRemaining(); ) pos += ch.write(buf, pos);
    }

    private static Path createTemp(Path dir, String name) throws IOException {
        for (int attempt = 0; ; attempt++) {
            String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
            Path tmp = dir.resolve("." + name + "." + suffix + ".tmp");
            try {
                Files.newByteChannel(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return tmp;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 100) throw e;
            }
        }
    }

    private static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Flushes a directory entry change (a rename into it) to disk; a no-op where directories cannot be opened (Windows). */
    public static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported on this platform; the rename itself has already happened
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: the original exception matters more
        }
    }
}
