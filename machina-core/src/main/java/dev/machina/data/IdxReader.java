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
            byte[] head = peek.readNBytes(2);
            peek.unread(head);
            boolean gzip = head.length == 2 && (head[0] & 0xFF) == 0x1f && (head[1] & 0xFF) == 0x8b;
            InputStream in = peek;
            if (gzip) {
                try {
                    in = new GZIPInputStream(peek, BUFFER);
                } catch (EOFException | ZipException e) {
                    throw new DataFormatException(src, "gzip header is corrupt or truncated (" + e.getMessage() + ")", e);
                }
            }
            return read(src, in, gzip, Files.size(file), ubyteStays);
        } catch (NoSuchFileException e) {
            throw new DataFormatException(src, "file not found");
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + src + ": " + e.getMessage(), e);
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
        int extra;
        try {
            extra = in.read();
        } catch (EOFException | ZipException e) {
            throw new DataFormatException(src, "gzip stream is corrupt or truncated after the data (" + e.getMessage() + ")", e);
        }
        if (extra != -1) {
            throw new DataFormatException(src, "inconsistent: " + expected + ", but the " + what
                    + " has more bytes from byte offset " + (header + (long) payloadBytes));
        }
        checkFinite(src, t, payload, header);
        return new IdxArray(src, t, dims, payload);
    }

    /** Float and double elements must be finite: a NaN or infinity is refused with its index and byte offset. */
    private static void checkFinite(String src, IdxType t, byte[] payload, int header) {
        if (t != IdxType.FLOAT && t != IdxType.DOUBLE) return;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(payload); // big-endian
        int n = payload.length / t.bytes;
        for (int i = 0; i < n; i++) {
            double v = t == IdxType.FLOAT ? b.getFloat(i * 4) : b.getDouble(i * 8);
            boolean ok = t == IdxType.FLOAT ? Double.isFinite(v) : Float.isFinite((float) v);
            if (!ok) {
                throw new DataFormatException(src, "element " + i + " (byte " + (header + (long) i * t.bytes) + ") is " + v
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
