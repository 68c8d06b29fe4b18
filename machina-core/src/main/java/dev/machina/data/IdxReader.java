package dev.machina.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST format): a magic number {@code 00 00 TT RR} (type, rank), RR
 * big-endian 32-bit dimensions, then the elements. Plain or gzip-compressed, detected by the gzip
 * magic bytes {@code 1f 8b}, whatever the file name. A file that is truncated, too long, or
 * whose header is wrong is a {@link DataFormatException} naming the file and what was expected;
 * so is a float or double element that is NaN or infinite (or, for doubles, beyond float range).
 */
public final class IdxReader {
    private static final int BUFFER = 1 << 16;

    private IdxReader() {}

    /** Reads a whole IDX file; the heap must have room for its data and for its elements as floats ({@link IdxArray#toFloats()}). */
    public static IdxArray read(Path file) {
        return read(file, false);
    }

    /** {@code ubyteStays}: unsigned bytes will be kept as they are (no float copy needed beside them). */
    private static IdxArray read(Path file, boolean ubyteStays) {
        String src = file.toString();
        try (InputStream raw = Files.newInputStream(file);
             PushbackInputStream peek = new PushbackInputStream(raw, 2)) {
            boolean gzip = gzipped(peek);
            return read(src, gzip ? gunzip(src, peek) : peek, gzip, Files.size(file), ubyteStays);
        } catch (NoSuchFileException e) {
            throw new DataFormatException(src, "file not found");
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + src + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the examples of an IDX file (its first dimension) a batch of at most {@code rows} at a
     * time, as floats {@code [n, dims...]} (as {@link IdxArray#toTensor()} gives them), holding
     * one batch at a time rather than the file. The checks are {@link #read}'s; one that only the
     * data can fail (a truncated file, bytes after the data, a NaN) fails after the batches before
     * it were handed on. A file of no examples gives one empty batch.
     */
    public static void readBatches(Path file, int rows, java.util.function.Consumer<dev.machina.tensor.Tensor> batch) {
        if (rows < 1) throw new IllegalArgumentException("rows must be at least 1, got " + rows);
        String src = file.toString();
        try (InputStream raw = Files.newInputStream(file);
             PushbackInputStream peek = new PushbackInputStream(raw, 2)) {
            boolean gzip = gzipped(peek);
            InputStream in = gzip ? new java.io.BufferedInputStream(gunzip(src, peek), BUFFER) : new java.io.BufferedInputStream(peek, BUFFER);
            Header h = header(src, in, gzip, Files.size(file));
            int n = h.dims[0];
            int rowBytes = n == 0 ? 0 : h.payloadBytes / n;
            int per = (int) Math.max(1, Math.min(rows, rowBytes == 0 ? rows : (Integer.MAX_VALUE - 8) / rowBytes));
            int[] dims = h.dims.clone();
            if (n == 0) {
                batch.accept(new IdxArray(src, h.type, dims, new byte[0]).toTensor());
            }
            for (int at = 0; at < n; at += per) {
                int m = Math.min(per, n - at);
                long offset = h.headerBytes + (long) at * rowBytes;
                byte[] chunk = readData(src, in, m * rowBytes, offset, h, gzip);
                checkFinite(src, h.type, chunk, offset, (long) at * (rowBytes / h.type.bytes));
                dims[0] = m;
                batch.accept(new IdxArray(src, h.type, dims.clone(), chunk).toTensor());
            }
            checkEnd(src, in, h, gzip);
        } catch (NoSuchFileException e) {
            throw new DataFormatException(src, "file not found");
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + src + ": " + e.getMessage(), e);
        }
    }

    /** Whether the stream starts with gzip's magic bytes (which are pushed back). */
    private static boolean gzipped(PushbackInputStream peek) throws IOException {
        byte[] head = peek.readNBytes(2);
        peek.unread(head);
        return head.length == 2 && (head[0] & 0xFF) == 0x1f && (head[1] & 0xFF) == 0x8b;
    }

    private static InputStream gunzip(String src, InputStream in) throws IOException {
        try {
            return new GZIPInputStream(in, BUFFER);
        } catch (EOFException | ZipException e) {
            throw new DataFormatException(src, "gzip header is corrupt or truncated (" + e.getMessage() + ")", e);
        }
    }

    /** An IDX header: element type, dimensions, and the sizes it declares. */
    private record Header(IdxType type, int[] dims, long count, int headerBytes, int payloadBytes, String expected) {}

    /** Reads and checks the header; for a plain file, also that the file holds the data it declares. */
    private static Header header(String src, InputStream in, boolean gzip, long fileSize) throws IOException {
        String what = gzip ? "decompressed data" : "file";
        byte[] magic = readFully(src, in, 4, 0, what, "the 4-byte magic number");
        int type = magic[2] & 0xFF;
        int rank = magic[3] & 0xFF;
        String magicHex = String.format("0x%02X%02X%02X%02X", magic[0], magic[1], magic[2], magic[3]);
        if (magic[0] != 0 || magic[1] != 0) {
            throw new DataFormatException(src, "not an IDX file: magic number " + magicHex
                    + " at byte 0, expected 0x0000TTRR (two zero bytes, type, rank)");
        }
        IdxType t = IdxType.ofCode(type);
        if (t == null) {
            throw new DataFormatException(src, String.format("unknown IDX data type 0x%02X in magic number %s; expected "
                    + "0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float or 0x0E double", type, magicHex));
        }
        if (rank == 0) throw new DataFormatException(src, "rank 0 in magic number " + magicHex + "; expected at least 1 dimension");
        byte[] dimBytes = readFully(src, in, 4 * rank, 4, what, rank + " dimensions (" + 4 * rank + " bytes)");
        int[] dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++) {
            int o = 4 * i;
            dims[i] = (dimBytes[o] & 0xFF) << 24 | (dimBytes[o + 1] & 0xFF) << 16 | (dimBytes[o + 2] & 0xFF) << 8 | (dimBytes[o + 3] & 0xFF);
            if (dims[i] < 0) throw new DataFormatException(src, "dimension " + i + " is " + dims[i] + " (at byte " + (4 + o) + "); expected >= 0");
            count *= dims[i];
            if (count * t.bytes > Integer.MAX_VALUE - 8) {
                throw new DataFormatException(src, "dimensions " + dimsText(dims, i + 1) + " of " + t + " exceed 2 GiB; not supported");
            }
        }
        int header = 4 + 4 * rank;
        int payloadBytes = (int) (count * t.bytes);
        String expected = "header says " + dimsText(dims, rank) + " " + t.name().toLowerCase() + " = " + payloadBytes
                + " data bytes after the " + header + "-byte header (" + (header + (long) payloadBytes) + " bytes in total)";
        // nothing is allocated before the declared size is checked against the file and the heap
        if (!gzip && fileSize >= 0 && header + (long) payloadBytes > fileSize) {
            throw new DataFormatException(src, "truncated: " + expected + ", but the file ends after "
                    + fileSize + " bytes (" + (header + (long) payloadBytes - fileSize) + " missing)");
        }
        return new Header(t, dims, count, header, payloadBytes, expected);
    }

    /** {@code n} data bytes from byte {@code offset} of the (decompressed) data. */
    private static byte[] readData(String src, InputStream in, int n, long offset, Header h, boolean gzip) throws IOException {
        byte[] b;
        try {
            b = in.readNBytes(n);
        } catch (EOFException | ZipException e) {
            throw new DataFormatException(src, "gzip stream is corrupt or truncated after " + offset
                    + " decompressed bytes (" + e.getMessage() + "); " + h.expected, e);
        }
        if (b.length < n) {
            throw new DataFormatException(src, "truncated: " + h.expected + ", but the " + (gzip ? "decompressed data" : "file") + " ends after "
                    + (offset + b.length) + " bytes (" + (h.headerBytes + (long) h.payloadBytes - offset - b.length) + " missing)");
        }
        return b;
    }

    /** Nothing may follow the declared data. */
    private static void checkEnd(String src, InputStream in, Header h, boolean gzip) throws IOException {
        int extra;
        try {
            extra = in.read();
        } catch (EOFException | ZipException e) {
            throw new DataFormatException(src, "gzip stream is corrupt or truncated after the data (" + e.getMessage() + ")", e);
        }
        if (extra != -1) {
            throw new DataFormatException(src, "inconsistent: " + h.expected + ", but the " + (gzip ? "decompressed data" : "file")
                    + " has more bytes from byte offset " + (h.headerBytes + (long) h.payloadBytes));
        }
    }

    /**
     * The first buffer for decompressed data is the declared size when that is at most
     * {@value #RATIO} times the compressed file (MNIST-style image sets compress about 2 to 5 times), else this;
     * it doubles as data arrives, up to the declared size.
     */
    private static final int FIRST_CHUNK = 16 << 20;
    private static final int RATIO = 8;

    /** {@code fileSize}: the file's size in bytes (compressed or plain), or -1 when unknown. */
    private static IdxArray read(String src, InputStream in, boolean gzip, long fileSize, boolean ubyteStays) throws IOException {
        String what = gzip ? "decompressed data" : "file";
        Header h = header(src, in, gzip, fileSize);
        IdxType t = h.type;
        int rank = h.dims.length, header = h.headerBytes, payloadBytes = h.payloadBytes;
        long count = h.count;
        String expected = h.expected;
        boolean floats = !(ubyteStays && t == IdxType.UBYTE && rank <= 4);
        int first = !gzip || fileSize >= 0 && payloadBytes <= RATIO * fileSize ? payloadBytes : Math.min(payloadBytes, FIRST_CHUNK);
        // the data (about 1.5 times it at the last doubling of a growing buffer), then the data as floats unless it stays bytes
        long need = (first < payloadBytes ? payloadBytes + payloadBytes / 2 : payloadBytes) + (floats ? 4L * count : 0);
        long heap = Runtime.getRuntime().maxMemory();
        if (need > heap) {
            throw new DataFormatException(src, "too large to load: " + expected + ", which" + (floats ? " with " + count + " floats" : "")
                    + " needs " + mib(need) + " of memory, more than the Java heap's maximum of " + mib(heap)
                    + " (raise it with -Xmx, e.g. MACHINA_JAVA_OPTS=-Xmx" + (need / (1L << 30) + 2) + "g)");
        }
        // a plain file: one array of the size just checked; compressed data: the declared size when the
        // file is large enough to hold it at a plausible ratio, else a buffer that grows only as data
        // arrives, so a header that overstates the size costs no more than RATIO times the file up front
        byte[] payload = new byte[first];
        int got = 0;
        try {
            while (got < payloadBytes) {
                if (got == payload.length) payload = java.util.Arrays.copyOf(payload, (int) Math.min(payloadBytes, 2L * payload.length));
                int r = in.read(payload, got, payload.length - got);
                if (r <= 0) break;
                got += r;
            }
        } catch (EOFException | ZipException e) {
            throw new DataFormatException(src, "gzip stream is corrupt or truncated after " + (header + (long) got)
                    + " decompressed bytes (" + e.getMessage() + "); " + expected, e);
        }
        if (got < payloadBytes) {
            throw new DataFormatException(src, "truncated: " + expected + ", but the " + what + " ends after "
                    + (header + (long) got) + " bytes (" + (payloadBytes - got) + " missing)");
        }
        checkEnd(src, in, h, gzip);
        checkFinite(src, t, payload, header, 0);
        return new IdxArray(src, t, h.dims, payload);
    }

    /**
     * Float and double elements must be finite: a NaN or infinity is refused with its index and byte
     * offset ({@code payload} starts at byte {@code offset} of the file, with element {@code first}).
     */
    private static void checkFinite(String src, IdxType t, byte[] payload, long offset, long first) {
        if (t != IdxType.FLOAT && t != IdxType.DOUBLE) return;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(payload); // big-endian
        int n = payload.length / t.bytes;
        for (int i = 0; i < n; i++) {
            double v = t == IdxType.FLOAT ? b.getFloat(i * 4) : b.getDouble(i * 8);
            boolean ok = t == IdxType.FLOAT ? Double.isFinite(v) : Float.isFinite((float) v);
            if (!ok) {
                throw new DataFormatException(src, "element " + (first + i) + " (byte " + (offset + (long) i * t.bytes) + ") is " + v
                        + (Double.isFinite(v) ? ", too large for a float" : "") + "; inputs must be finite numbers");
            }
        }
    }

    private static byte[] readFully(String src, InputStream in, int n, long offset, String what, String expected) throws IOException {
        byte[] b;
        try {
            b = in.readNBytes(n);
        } catch (EOFException | ZipException e) {
            throw new DataFormatException(src, "gzip stream is corrupt or truncated (" + e.getMessage() + ") while reading " + expected, e);
        }
        if (b.length < n) {
            throw new DataFormatException(src, "truncated header: expected " + expected + " at byte " + offset
                    + ", but the " + what + " ends after " + (offset + b.length) + " bytes");
        }
        return b;
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    private static String dimsText(int[] dims, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : " x ").append(dims[i]);
        return sb.toString();
    }

    /**
     * An image/label pair as a classification dataset: images {@code [N, ...]} of any element
     * type as features (unscaled, 0..255 for ubyte), labels {@code [N]}. Unsigned-byte images
     * (MNIST's, Fashion-MNIST's) are held as bytes ({@link TensorDataset#ofBytes}) and become
     * float32 batch by batch; other element types are read into float32.
     */
    public static TensorDataset readClassification(Path images, Path labels, List<String> classNames) {
        IdxArray x = read(images, true);
        IdxArray y = read(labels);
        if (y.dims().length != 1) {
            throw new DataFormatException(labels, "labels must have rank 1, got dimensions " + java.util.Arrays.toString(y.dims()));
        }
        if (x.dims()[0] != y.dims()[0]) {
            throw new DataFormatException(labels, "has " + y.dims()[0] + " labels but " + images + " has " + x.dims()[0] + " images");
        }
        int[] yi = y.toInts();
        for (int i = 0; i < yi.length; i++) {
            if (yi[i] < 0 || yi[i] >= classNames.size()) {
                throw new DataFormatException(labels, "label " + yi[i] + " of example " + i + " (byte " + (8 + i * y.type().bytes)
                        + ") is outside the " + classNames.size() + " classes [0, " + classNames.size() + ")");
            }
        }
        if (x.type() == IdxType.UBYTE && x.dims().length <= 4) return TensorDataset.ofBytes(x.payload(), x.dims(), yi, classNames);
        return TensorDataset.classification(x.toTensor(), yi, classNames);
    }
}
