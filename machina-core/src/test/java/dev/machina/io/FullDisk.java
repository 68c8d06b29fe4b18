package dev.machina.io;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.Map;
import java.util.Set;

/**
 * A directory seen through a file system that runs out of space on demand, for tests of what a
 * full disk does. Paths from {@link #root()} reach the real files below the directory; writes
 * through them draw on a budget of free bytes ({@link #free(long)}, unlimited at first), as a
 * block file system without copy-on-write does at byte granularity: writing past a file's end
 * takes the bytes it adds, overwriting bytes a file already has takes nothing, and truncating or
 * deleting a file (or renaming one over it) gives its bytes back. A write that does not fit
 * writes what fits and returns that count, as write(2) does; a write of which nothing fits fails
 * with "No space left on device".
 */
public final class FullDisk {
    private final Provider provider = new Provider();
    private final Fs fs = new Fs();
    private final Path root;
    private long free = Long.MAX_VALUE;

    private FullDisk(Path dir) {
        this.root = new P(dir);
    }

    /** {@code dir} (an existing directory) behind a file system with unlimited space until {@link #free(long)}. */
    public static FullDisk of(Path dir) {
        return new FullDisk(dir);
    }

    /** The directory, as a path whose writes draw on the budget. */
    public Path root() {
        return root;
    }

    /** From now on, writes may add at most {@code bytes} more bytes (0: the disk is full). */
    public synchronized void free(long bytes) {
        free = bytes;
    }

    private synchronized void take(long bytes) throws IOException {
        if (bytes <= 0) return;
        if (free < bytes) throw new IOException("No space left on device");
        free -= bytes;
    }

    private synchronized void giveBack(long bytes) {
        if (bytes > 0) free = free > Long.MAX_VALUE - bytes ? Long.MAX_VALUE : free + bytes;
    }

    /** Writes {@code src} at {@code at} (where {@code write} puts it) as far as the free bytes allow. */
    private synchronized int write(FileChannel real, ByteBuffer src, long at, WriteCall write) throws IOException {
        long size = real.size();
        long fits = Math.max(0, size - at) + free;
        if (fits <= 0 && src.hasRemaining()) throw new IOException("No space left on device");
        ByteBuffer part = src.remaining() <= fits ? src : src.slice().limit((int) fits);
        int n = write.apply(part);
        if (part != src) src.position(src.position() + n);
        take(Math.max(0, at + n - size));
        return n;
    }

    @FunctionalInterface
    private interface WriteCall {
        int apply(ByteBuffer b) throws IOException;
    }

    private static Path real(Path p) {
        if (p instanceof P w) return w.real;
        throw new IllegalArgumentException("not a path of this file system: " + p);
    }

    private static long sizeOrZero(Path real) {
        try {
            return Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS) ? Files.size(real) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** A path of this file system: a real path, wrapped. */
    private final class P implements Path {
        final Path real;

        P(Path real) {
            this.real = real;
        }

        private Path wrap(Path p) {
            return p == null ? null : new P(p);
        }

        @Override public FileSystem getFileSystem() { return fs; }
        @Override public boolean isAbsolute() { return real.isAbsolute(); }
        @Override public Path getRoot() { return wrap(real.getRoot()); }
        @Override public Path getFileName() { return wrap(real.getFileName()); }
        @Override public Path getParent() { return wrap(real.getParent()); }
        @Override public int getNameCount() { return real.getNameCount(); }
        @Override public Path getName(int index) { return wrap(real.getName(index)); }
        @Override public Path subpath(int begin, int end) { return wrap(real.subpath(begin, end)); }
        @Override public boolean startsWith(Path other) { return other instanceof P o && real.startsWith(o.real); }
        @Override public boolean endsWith(Path other) { return other instanceof P o && real.endsWith(o.real); }
        @Override public Path normalize() { return wrap(real.normalize()); }
        @Override public Path resolve(Path other) { return wrap(real.resolve(other instanceof P o ? o.real : other)); }
        @Override public Path relativize(Path other) { return wrap(real.relativize(real(other))); }
        @Override public URI toUri() { return real.toUri(); }
        @Override public Path toAbsolutePath() { return wrap(real.toAbsolutePath()); }
        @Override public Path toRealPath(LinkOption... options) throws IOException { return wrap(real.toRealPath(options)); }
        @Override public File toFile() { return real.toFile(); }
        @Override public int compareTo(Path other) { return real.compareTo(real(other)); }
        @Override public boolean equals(Object o) { return o instanceof P p && real.equals(p.real); }
        @Override public int hashCode() { return real.hashCode(); }
        @Override public String toString() { return real.toString(); }

        @Override
        public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers) {
            throw new UnsupportedOperationException("FullDisk paths cannot be watched");
        }
    }

    private final class Fs extends FileSystem {
        private final FileSystem real = java.nio.file.FileSystems.getDefault();

        @Override public FileSystemProvider provider() { return provider; }
        @Override public void close() {}
        @Override public boolean isOpen() { return true; }
        @Override public boolean isReadOnly() { return false; }
        @Override public String getSeparator() { return real.getSeparator(); }
        @Override public Iterable<Path> getRootDirectories() { throw new UnsupportedOperationException(); }
        @Override public Iterable<FileStore> getFileStores() { throw new UnsupportedOperationException(); }
        @Override public Set<String> supportedFileAttributeViews() { return real.supportedFileAttributeViews(); }
        @Override public Path getPath(String first, String... more) { return new P(real.getPath(first, more)); }
        @Override public PathMatcher getPathMatcher(String syntax) { return p -> real.getPathMatcher(syntax).matches(real(p)); }
        @Override public UserPrincipalLookupService getUserPrincipalLookupService() { return real.getUserPrincipalLookupService(); }
        @Override public WatchService newWatchService() { throw new UnsupportedOperationException(); }
    }

    private final class Provider extends FileSystemProvider {
        private final FileSystemProvider real = java.nio.file.FileSystems.getDefault().provider();

        @Override public String getScheme() { return "fulldisk"; }
        @Override public FileSystem newFileSystem(URI uri, Map<String, ?> env) { throw new UnsupportedOperationException(); }
        @Override public FileSystem getFileSystem(URI uri) { return fs; }
        @Override public Path getPath(URI uri) { return new P(real.getPath(uri)); }

        @Override
        public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
            Path r = real(path);
            if (options.contains(StandardOpenOption.TRUNCATE_EXISTING) && options.contains(StandardOpenOption.WRITE)) giveBack(sizeOrZero(r));
            return new Channel(real.newFileChannel(r, options, attrs), options.contains(StandardOpenOption.APPEND));
        }

        @Override
        public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
            return newFileChannel(path, options, attrs);
        }

        @Override
        public InputStream newInputStream(Path path, OpenOption... options) throws IOException {
            return real.newInputStream(real(path), options);
        }

        @Override
        public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
            DirectoryStream<Path> s = real.newDirectoryStream(real(dir), p -> filter.accept(new P(p)));
            return new DirectoryStream<>() {
                @Override
                public java.util.Iterator<Path> iterator() {
                    var it = s.iterator();
                    return new java.util.Iterator<>() {
                        @Override public boolean hasNext() { return it.hasNext(); }
                        @Override public Path next() { return new P(it.next()); }
                    };
                }

                @Override
                public void close() throws IOException {
                    s.close();
                }
            };
        }

        @Override public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException { real.createDirectory(real(dir), attrs); }

        @Override
        public void delete(Path path) throws IOException {
            long size = sizeOrZero(real(path));
            real.delete(real(path));
            giveBack(size);
        }

        @Override
        public void copy(Path source, Path target, CopyOption... options) throws IOException {
            take(sizeOrZero(real(source)) - sizeOrZero(real(target)));
            real.copy(real(source), real(target), options);
        }

        @Override
        public void move(Path source, Path target, CopyOption... options) throws IOException {
            long replaced = sizeOrZero(real(target));
            real.move(real(source), real(target), options);
            giveBack(replaced);
        }

        @Override public boolean isSameFile(Path a, Path b) throws IOException { return real.isSameFile(real(a), real(b)); }
        @Override public boolean isHidden(Path path) throws IOException { return real.isHidden(real(path)); }
        @Override public FileStore getFileStore(Path path) throws IOException { return real.getFileStore(real(path)); }
        @Override public void checkAccess(Path path, AccessMode... modes) throws IOException { real.checkAccess(real(path), modes); }

        @Override
        public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
            return real.getFileAttributeView(real(path), type, options);
        }

        @Override
        public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options) throws IOException {
            return real.readAttributes(real(path), type, options);
        }

        @Override
        public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
            return real.readAttributes(real(path), attributes, options);
        }

        @Override
        public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
            real.setAttribute(real(path), attribute, value, options);
        }
    }

    /** A real file channel whose writes and truncations draw on and give back to the budget. */
    private final class Channel extends FileChannel {
        private final FileChannel real;
        private final boolean append;

        Channel(FileChannel real, boolean append) {
            this.real = real;
            this.append = append;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return FullDisk.this.write(real, src, append ? real.size() : real.position(), real::write);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return FullDisk.this.write(real, src, position, b -> real.write(b, position));
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long total = 0;
            for (int i = offset; i < offset + length; i++) total += write(srcs[i]);
            return total;
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            long before = real.size();
            real.truncate(size);
            giveBack(before - real.size());
            return this;
        }

        @Override public int read(ByteBuffer dst) throws IOException { return real.read(dst); }
        @Override public long read(ByteBuffer[] dsts, int offset, int length) throws IOException { return real.read(dsts, offset, length); }
        @Override public int read(ByteBuffer dst, long position) throws IOException { return real.read(dst, position); }
        @Override public long position() throws IOException { return real.position(); }
        @Override public FileChannel position(long newPosition) throws IOException { real.position(newPosition); return this; }
        @Override public long size() throws IOException { return real.size(); }
        @Override public void force(boolean metaData) throws IOException { real.force(metaData); }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return real.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            throw new UnsupportedOperationException("FullDisk channels do not transfer from other channels");
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            throw new UnsupportedOperationException("FullDisk channels cannot be mapped");
        }

        @Override public FileLock lock(long position, long size, boolean shared) throws IOException { return real.lock(position, size, shared); }
        @Override public FileLock tryLock(long position, long size, boolean shared) throws IOException { return real.tryLock(position, size, shared); }

        @Override
        protected void implCloseChannel() throws IOException {
            real.close();
        }
    }
}
