package dev.machina.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.machina.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a>
 * format, the one {@code safetensors.torch.save_file} writes:
 * <ol>
 *   <li>8 bytes: N, the header length, an unsigned 64-bit little-endian integer;
 *   <li>N bytes: a UTF-8 JSON object mapping each tensor name to
 *       {@code {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}}, plus an optional
 *       {@code "__metadata__"} object of string values; the offsets are relative to the byte
 *       buffer that follows the header;
 *   <li>the byte buffer: the tensors' elements, row-major and little-endian, with no gaps.
 * </ol>
 *
 * <p><b>Writing</b> stores float32 ({@code F32}) tensors contiguously in the map's iteration
 * order, with the header padded with spaces so the data starts at a multiple of 8 bytes. Files
 * are written atomically through {@link AtomicFiles}.
 *
 * <p><b>Reading</b> returns float32 tensors in header order. {@code F32} loads bit-exactly;
 * {@code F64}, {@code F16}, {@code BF16} are converted to the nearest float32 (F16 and BF16
 * exactly); integer types ({@code I64, I32, I16, I8, U64, U32, U16, U8}) become their numeric
 * value (exact up to 2^24 in magnitude, rounded beyond), {@code BOOL} becomes 0 or 1. The
 * 8-bit float types are rejected. Tensors of rank above 4 (Machina's limit) or with 2^31 or more
 * elements are rejected.
 *
 * <p>Reading treats its input as hostile: the header length is bounded by
 * {@link #MAX_HEADER_BYTES} and by the input size; the header must be strict UTF-8 JSON (an
 * object, no duplicate keys, nothing after it but spaces); every entry needs a known dtype, a shape
 * of non-negative integers and two integer offsets; each tensor's byte count must equal its
 * element count times the dtype size; and the tensors must tile the byte buffer exactly, with no
 * gap, overlap or trailing bytes. Any violation throws {@link SafeTensorsFormatException} naming
 * the source, the tensor and the problem, before any tensor memory is allocated.
 */
public final class SafeTensors {
    private SafeTensors() {}

    /** Largest header accepted when reading, as the reference implementation (100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final String METADATA_KEY = "__metadata__";
    private static final int MAX_RANK = 4;
    private static final int CHUNK = 1 << 20;

    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    /**
     * What a safetensors file holds.
     *
     * @param tensors the tensors by name, in header order
     * @param metadata the {@code __metadata__} entries (empty if absent)
     */
    public record Contents(LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata) {}

    // ================================================================= writing

    /** Writes {@code tensors} (in iteration order) and {@code metadata} to {@code path}, atomically. */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        byte[] header = header(tensors, metadata);
        AtomicFiles.write(path, out -> writeTo(out, header, tensors));
    }

    /** {@link #write(Path, Map, Map)} without metadata. */
    public static void write(Path path, Map<String, Tensor> tensors) throws IOException {
        write(path, tensors, Map.of());
    }

    /** Writes the safetensors encoding of {@code tensors} and {@code metadata} to a stream (not closed). */
    public static void write(OutputStream out, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        writeTo(out, header(tensors, metadata), tensors);
    }

    /** The safetensors encoding as a byte array (for in-memory use; limited to 2 GB). */
    public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) {
        byte[] bytes = toBytes(tensors, metadata, MAX_ARRAY);
        if (bytes == null) {
            throw new IllegalArgumentException("toBytes: the encoding would take more than " + MAX_ARRAY + " bytes, more than a Java array holds; write to a file instead");
        }
        return bytes;
    }

    /**
     * The safetensors encoding as a byte array, or null when it would take more than {@code limit}
     * bytes (then nothing is allocated). The array is allocated once, at its final size, and filled.
     */
    public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata, long limit) {
        byte[] header = header(tensors, metadata);
        long total = 8L + header.length;
        for (Tensor t : tensors.values()) total += 4L * t.size();
        if (total > Math.min(limit, MAX_ARRAY)) return null;
        byte[] bytes = new byte[(int) total];
        OutputStream fill = new OutputStream() {
            private int at;

            @Override
            public void write(int b) {
                bytes[at++] = (byte) b;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                System.arraycopy(b, off, bytes, at, len);
                at += len;
            }
        };
        try {
            writeTo(fill, header, tensors);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // filling an array does not throw
        }
        return bytes;
    }

    /** The largest Java array a JVM allocates. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** The JSON header, space-padded to a multiple of 8 bytes. */
    private static byte[] header(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Object> h = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            Map<String, String> m = new LinkedHashMap<>();
            metadata.forEach((k, v) -> {
                if (k == null || v == null) throw new IllegalArgumentException("safetensors metadata keys and values must not be null: " + k + " = " + v);
                m.put(k, v);
            });
            h.put(METADATA_KEY, m);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null) throw new IllegalArgumentException("safetensors tensor names must not be null");
            if (name.equals(METADATA_KEY)) throw new IllegalArgumentException("'" + METADATA_KEY + "' is reserved and cannot name a tensor");
            if (e.getValue() == null) throw new IllegalArgumentException("tensor '" + name + "' is null");
            long end = offset + 4L * e.getValue().size();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", "F32");
            info.put("shape", e.getValue().shape());
            info.put("data_offsets", new long[] {offset, end});
            h.put(name, info);
            offset = end;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(h);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not encode the safetensors header", e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) out[i] = ' ';
        return out;
    }

    private static void writeTo(OutputStream out, byte[] header, Map<String, Tensor> tensors) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(header.length);
        out.write(buf.array(), 0, 8);
        out.write(header);
        for (Tensor t : tensors.values()) {
            float[] d = t.data();
            int n = t.size();
            for (int from = 0; from < n; from += CHUNK / 4) {
                int count = Math.min(CHUNK / 4, n - from);
                buf.clear();
                buf.asFloatBuffer().put(d, from, count);
                out.write(buf.array(), 0, count * 4);
            }
        }
    }

    // ================================================================= reading

    /** Reads a safetensors file; see the class comment for what is accepted. */
    public static Contents read(Path path) throws IOException {
        return read(path, true);
    }

    /** The {@code __metadata__} entries of a safetensors file, read from its header alone (the tensors are not read). */
    public static Map<String, String> readMetadata(Path path) throws IOException {
        return read(path, false).metadata();
    }

    private static Contents read(Path path, boolean tensorsToo) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return read(new Source(path.toString(), ch.size()) {
                @Override
                void readFully(long pos, ByteBuffer dst) throws IOException {
                    while (dst.hasRemaining()) {
                        int r = ch.read(dst, pos);
                        if (r < 0) throw new SafeTensorsFormatException(name, null, "file ended at byte " + pos + " while reading; was it truncated during the read?");
                        pos += r;
                    }
                }
            }, tensorsToo);
        }
    }

    /** Reads a safetensors encoding held in memory. */
    public static Contents read(byte[] bytes) throws SafeTensorsFormatException {
        try {
            return read(new Source("<bytes>", bytes.length) {
                @Override
                void readFully(long pos, ByteBuffer dst) {
                    dst.put(bytes, (int) pos, dst.remaining());
                }
            }, true);
        } catch (SafeTensorsFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new AssertionError("in-memory reads do not fail", e);
        }
    }

    /** Random access to the input. */
    private abstract static class Source {
        final String name;
        final long size;

        Source(String name, long size) {
            this.name = name;
            this.size = size;
        }

        abstract void readFully(long pos, ByteBuffer dst) throws IOException;
    }

    /** One validated header entry. */
    private record Entry(String name, DType dtype, int[] shape, int elements, long begin, long end) {}

    private static Contents read(Source src, boolean tensorsToo) throws IOException {
        String file = src.name;
        if (src.size < 8) {
            throw new SafeTensorsFormatException(file, null, "is " + src.size + " bytes long, too short for the 8-byte header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        src.readFully(0, lenBuf);
        long n = lenBuf.getLong(0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new SafeTensorsFormatException(file, null, "header length " + Long.toUnsignedString(n)
                    + " (bytes 0-7) exceeds the limit of " + MAX_HEADER_BYTES + " bytes; this is not a safetensors file or it is corrupt");
        }
        if (n > src.size - 8) {
            throw new SafeTensorsFormatException(file, null, "header length " + n + " (bytes 0-7) is larger than the "
                    + (src.size - 8) + " bytes that follow; the file is truncated or not safetensors");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) n);
        src.readFully(8, headerBuf);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(headerBuf.flip()).toString();
        } catch (CharacterCodingException e) {
            throw new SafeTensorsFormatException(file, null, "header (bytes 8-" + (8 + n) + ") is not valid UTF-8", e);
        }
        if (!text.startsWith("{")) {
            throw new SafeTensorsFormatException(file, null, "header (byte 8) must start with '{' (a JSON object), found "
                    + (text.isEmpty() ? "an empty header" : "'" + CharBuffer.wrap(text, 0, Math.min(20, text.length())) + "'"));
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new SafeTensorsFormatException(file, null, "header is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (header char " + e.getLocation().getCharOffset() + ")"), e);
        }
        if (!(root instanceof ObjectNode obj)) {
            throw new SafeTensorsFormatException(file, null, "header must be a JSON object");
        }

        long bufferSize = src.size - 8 - n;
        long dataStart = 8 + n;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : obj.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                readMetadata(file, field.getValue(), metadata);
            } else {
                entries.add(entry(file, field.getKey(), field.getValue(), bufferSize));
            }
        }
        checkTiling(file, entries, bufferSize);
        if (!tensorsToo) return new Contents(new LinkedHashMap<>(), metadata);

        LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry e : entries) tensors.put(e.name, load(src, dataStart, e));
        return new Contents(tensors, metadata);
    }

    private static void readMetadata(String file, JsonNode node, Map<String, String> out) throws SafeTensorsFormatException {
        if (!node.isObject()) {
            throw new SafeTensorsFormatException(file, null, "'" + METADATA_KEY + "' must be an object of strings, got " + node.getNodeType());
        }
        for (Map.Entry<String, JsonNode> m : node.properties()) {
            if (!m.getValue().isTextual()) {
                throw new SafeTensorsFormatException(file, null, "'" + METADATA_KEY + "' value for key '" + m.getKey()
                        + "' must be a string, got " + m.getValue().getNodeType());
            }
            out.put(m.getKey(), m.getValue().textValue());
        }
    }

    private static Entry entry(String file, String name, JsonNode node, long bufferSize) throws SafeTensorsFormatException {
        if (!node.isObject()) throw new SafeTensorsFormatException(file, name, "entry must be an object with dtype, shape and data_offsets, got " + node.getNodeType());
        JsonNode dt = node.get("dtype");
        if (dt == null || !dt.isTextual()) throw new SafeTensorsFormatException(file, name, "'dtype' must be a string such as \"F32\", got " + describe(dt));
        DType dtype = DType.parse(dt.textValue());
        if (dtype == null) throw new SafeTensorsFormatException(file, name, "unknown dtype \"" + dt.textValue() + "\"");

        JsonNode sh = node.get("shape");
        if (sh == null || !sh.isArray()) throw new SafeTensorsFormatException(file, name, "'shape' must be an array of non-negative integers, got " + describe(sh));
        int[] shape = new int[sh.size()];
        long[] dims = new long[sh.size()];
        boolean tooBig = false;
        for (int i = 0; i < shape.length; i++) {
            dims[i] = nonNegativeLong(file, name, "shape[" + i + "]", sh.get(i));
            if (dims[i] > Integer.MAX_VALUE) tooBig = true;
            shape[i] = (int) Math.min(dims[i], Integer.MAX_VALUE);
        }
        long elements = 1;
        for (long d : dims) if (d == 0) elements = 0;
        for (int i = 0; i < dims.length && elements != 0 && !tooBig; i++) {
            elements *= dims[i]; // both factors < 2^31: no overflow before the check
            if (elements > Integer.MAX_VALUE - 8) tooBig = true;
        }

        JsonNode off = node.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2) {
            throw new SafeTensorsFormatException(file, name, "'data_offsets' must be an array [begin, end] of two integers, got " + describe(off));
        }
        long begin = nonNegativeLong(file, name, "data_offsets[0]", off.get(0));
        long end = nonNegativeLong(file, name, "data_offsets[1]", off.get(1));
        if (begin > end) throw new SafeTensorsFormatException(file, name, "data_offsets [" + begin + ", " + end + "] end before they begin");
        if (end > bufferSize) {
            throw new SafeTensorsFormatException(file, name, "data_offsets [" + begin + ", " + end + "] run past the end of the "
                    + bufferSize + "-byte data buffer; the file is truncated or the header is wrong");
        }
        String shapeText = sh.toString();
        if (tooBig) {
            throw new SafeTensorsFormatException(file, name, "shape " + shapeText + " is too large: a dimension or the element count"
                    + " reaches 2^31, more than a Machina tensor holds");
        }
        long need = elements * dtype.bytes;
        if (need != end - begin) {
            throw new SafeTensorsFormatException(file, name, "shape " + shapeText + " of " + dtype + " needs " + need
                    + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        if (shape.length > MAX_RANK) {
            throw new SafeTensorsFormatException(file, name, "has rank " + shape.length + " (shape " + shapeText
                    + "); Machina tensors have rank 0 to " + MAX_RANK);
        }
        if (!dtype.convertible()) {
            throw new SafeTensorsFormatException(file, name, "dtype " + dtype + " is valid safetensors but cannot be loaded as float32 by Machina");
        }
        return new Entry(name, dtype, shape, (int) elements, begin, end);
    }

    private static long nonNegativeLong(String file, String tensor, String what, JsonNode v) throws SafeTensorsFormatException {
        if (v == null || !v.isIntegralNumber()) {
            throw new SafeTensorsFormatException(file, tensor, what + " must be a non-negative integer, got " + describe(v));
        }
        if (v.bigIntegerValue().signum() < 0) throw new SafeTensorsFormatException(file, tensor, what + " is negative (" + v + ")");
        if (v.bigIntegerValue().bitLength() > 63) throw new SafeTensorsFormatException(file, tensor, what + " = " + v + " is too large");
        return v.longValue();
    }

    private static String describe(JsonNode v) {
        if (v == null) return "nothing (missing)";
        String s = v.toString();
        return (s.length() > 40 ? s.substring(0, 40) + "…" : s) + " (" + v.getNodeType().toString().toLowerCase() + ")";
    }

    /** The tensors must cover [0, bufferSize) exactly, one after another. */
    private static void checkTiling(String file, List<Entry> entries, long bufferSize) throws SafeTensorsFormatException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        String previous = null;
        for (Entry e : sorted) {
            if (e.begin < expected) {
                throw new SafeTensorsFormatException(file, e.name, "data_offsets [" + e.begin + ", " + e.end + "] overlap tensor '"
                        + previous + "' which ends at " + expected);
            }
            if (e.begin > expected) {
                throw new SafeTensorsFormatException(file, e.name, "data_offsets [" + e.begin + ", " + e.end + "] leave a gap of "
                        + (e.begin - expected) + " bytes after " + (previous == null ? "the start of the data buffer" : "tensor '" + previous + "'")
                        + "; safetensors requires the data to be contiguous");
            }
            if (e.end > e.begin) previous = e.name;
            expected = e.end;
        }
        if (expected != bufferSize) {
            throw new SafeTensorsFormatException(file, null, "the tensors cover " + expected + " bytes of data but " + bufferSize
                    + " follow the header; the file has trailing bytes or a tensor is missing from the header");
        }
    }

    private static Tensor load(Source src, long dataStart, Entry e) throws IOException {
        float[] out = new float[e.elements];
        int perChunk = CHUNK / e.dtype.bytes;
        ByteBuffer buf = ByteBuffer.allocate(Math.min(CHUNK, (int) Math.min(Integer.MAX_VALUE, e.end - e.begin))).order(ByteOrder.LITTLE_ENDIAN);
        for (int from = 0; from < e.elements; from += perChunk) {
            int count = Math.min(perChunk, e.elements - from);
            buf.clear().limit(count * e.dtype.bytes);
            src.readFully(dataStart + e.begin + (long) from * e.dtype.bytes, buf);
            buf.flip();
            e.dtype.decode(buf, out, from, count);
        }
        return Tensor.of(out, e.shape);
    }
}
