package dev.machina.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.machina.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafeTensorsTest {
    @TempDir
    Path dir;

    // ------------------------------------------------------------ an independent encoder for the tests

    /** 8-byte little-endian header length, the header text as given, then the data bytes. */
    static byte[] file(String header, byte[] data) {
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            DataOutputStream dos = new DataOutputStream(bos); // big-endian: reverse bytes by hand
            byte[] h = header.getBytes(UTF_8);
            dos.writeLong(Long.reverseBytes(h.length));
            dos.write(h);
            dos.write(data);
            return bos.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Pads with spaces to a multiple of 8 bytes, as safetensors' own writer does. */
    static String pad8(String header) {
        int len = header.getBytes(UTF_8).length;
        return header + " ".repeat((8 - len % 8) % 8);
    }

    static byte[] f32le(float... v) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        for (float x : v) {
            int b = Float.floatToRawIntBits(x);
            bos.write(b);
            bos.write(b >>> 8);
            bos.write(b >>> 16);
            bos.write(b >>> 24);
        }
        return bos.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        for (byte[] p : parts) bos.writeBytes(p);
        return bos.toByteArray();
    }

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    // The layout safetensors.torch.save_file({"0.weight": w, "0.bias": b}, metadata={"format": "pt"}) produces
    // for an nn.Sequential(nn.Linear(3, 2)): "__metadata__" first, tensors sorted by name with data in that
    // order, compact JSON, header space-padded to a multiple of 8 bytes.
    private static final String PT_HEADER = pad8("{\"__metadata__\":{\"format\":\"pt\"},"
            + "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[8,32]}}");
    private static final byte[] PT_FILE = file(PT_HEADER, concat(
            bytes(0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x20, 0xC0), // 1.0f, -2.5f written out by hand
            f32le(0.1f, 0.2f, 0.3f, -0.4f, 0.5f, 6e-8f)));

    @Test
    void loadsPyTorchLayoutFile() throws IOException {
        SafeTensors.Contents c = SafeTensors.read(PT_FILE);
        assertThat(c.metadata()).containsExactly(Map.entry("format", "pt"));
        assertThat(c.tensors().keySet()).containsExactly("0.bias", "0.weight");
        Tensor b = c.tensors().get("0.bias");
        Tensor w = c.tensors().get("0.weight");
        assertThat(b.shape()).containsExactly(2);
        assertThat(b.data()).containsExactly(1.0f, -2.5f);
        assertThat(w.shape()).containsExactly(2, 3);
        assertThat(w.get(1, 0)).isEqualTo(-0.4f);
        assertThat(w.data()).containsExactly(0.1f, 0.2f, 0.3f, -0.4f, 0.5f, 6e-8f);
    }

    @Test
    void machinaWritesTheSameBytesAsTheReferenceLayout() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("0.bias", Tensor.vector(1.0f, -2.5f));
        t.put("0.weight", Tensor.of(new float[] {0.1f, 0.2f, 0.3f, -0.4f, 0.5f, 6e-8f}, 2, 3));
        assertThat(SafeTensors.toBytes(t, Map.of("format", "pt"))).isEqualTo(PT_FILE);
    }

    @Test
    void headerIsPaddedSoDataIsEightByteAligned() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("x", Tensor.scalar(3f));
        byte[] b = SafeTensors.toBytes(t, Map.of());
        long n = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
        String header = new String(b, 8, (int) n, UTF_8);
        // {"x":{"dtype":"F32","shape":[],"data_offsets":[0,4]}} is 53 bytes, padded to 56
        assertThat(header).isEqualTo("{\"x\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}   ");
        assertThat((8 + n) % 8).isZero();
        assertThat(b).hasSize(8 + 56 + 4);
        assertThat(SafeTensors.read(b).tensors().get("x").rank()).isZero();
    }

    @Test
    void roundTripsBitIdenticallyWithMetadata() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        float nanPayload = Float.intBitsToFloat(0x7fc12345);
        t.put("z.last.first", Tensor.of(new float[] {-0.0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NEGATIVE_INFINITY, nanPayload, 1e-40f}, 3, 2));
        t.put("scalar", Tensor.scalar(42.5f));
        t.put("empty", Tensor.zeros(0));
        t.put("empty2d", Tensor.zeros(2, 0));
        t.put("rank4", Tensor.arange(0, 24, 1).reshape(1, 2, 3, 4));
        t.put("naïve ✓", Tensor.vector(7f));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("epoch", "3");
        meta.put("note", "ünïcödé \"quoted\"");
        Path f = dir.resolve("model.safetensors");
        SafeTensors.write(f, t, meta);
        assertThat(Files.readAllBytes(f)).isEqualTo(SafeTensors.toBytes(t, meta));

        SafeTensors.Contents c = SafeTensors.read(f);
        assertThat(c.metadata()).isEqualTo(meta);
        assertThat(c.tensors().keySet()).containsExactlyElementsOf(t.keySet()); // order kept
        for (Map.Entry<String, Tensor> e : t.entrySet()) {
            Tensor got = c.tensors().get(e.getKey());
            assertThat(got.shape()).as(e.getKey()).isEqualTo(e.getValue().shape());
            assertThat(bits(got.data())).as(e.getKey()).isEqualTo(bits(e.getValue().data()));
        }
    }

    @Test
    void largeTensorCrossesChunkBoundaries() throws IOException {
        int n = (1 << 18) + 3; // more than one 1 MiB chunk of float32
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i * 0.5f - 7f;
        Map<String, Tensor> t = Map.of("big", Tensor.of(v, n));
        Path f = dir.resolve("big.safetensors");
        SafeTensors.write(f, t);
        assertThat(SafeTensors.read(f).tensors().get("big").data()).isEqualTo(v);
    }

    private static int[] bits(float[] v) {
        return Arrays.stream(toBoxed(v)).mapToInt(Float::floatToRawIntBits).toArray();
    }

    private static Float[] toBoxed(float[] v) {
        Float[] b = new Float[v.length];
        for (int i = 0; i < v.length; i++) b[i] = v[i];
        return b;
    }

    @Test
    void convertsOtherDtypesToFloat() throws IOException {
        String header = "{"
                + "\"f64\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"f16\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[16,22]},"
                + "\"bf16\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[22,26]},"
                + "\"i64\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[26,42]},"
                + "\"i32\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[42,46]},"
                + "\"u8\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[46,48]},"
                + "\"bool\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[48,50]},"
                + "\"i8\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[50,51]},"
                + "\"i16\":{\"dtype\":\"I16\",\"shape\":[1],\"data_offsets\":[51,53]},"
                + "\"u16\":{\"dtype\":\"U16\",\"shape\":[1],\"data_offsets\":[53,55]},"
                + "\"u32\":{\"dtype\":\"U32\",\"shape\":[1],\"data_offsets\":[55,59]},"
                + "\"u64\":{\"dtype\":\"U64\",\"shape\":[1],\"data_offsets\":[59,67]}}";
        byte[] data = concat(
                le(Double.doubleToRawLongBits(1.5), 8), le(Double.doubleToRawLongBits(-1e-3), 8),
                bytes(0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B), // F16 1.0, -2.0, 65504
                bytes(0x80, 0x3F, 0x49, 0x40), // BF16 1.0, 3.140625
                le(-3, 8), le(1L << 40, 8),
                le(-7, 4),
                bytes(0, 255),
                bytes(0, 1),
                bytes(0x80), // I8 -128
                le(-300, 2),
                bytes(0xFF, 0xFF), // U16 65535
                bytes(0xFF, 0xFF, 0xFF, 0xFF), // U32 4294967295
                le(-1L, 8)); // U64 2^64 - 1
        Map<String, Tensor> t = SafeTensors.read(file(header, data)).tensors();
        assertThat(t.get("f64").data()).containsExactly(1.5f, -1e-3f);
        assertThat(t.get("f16").data()).containsExactly(1.0f, -2.0f, 65504f);
        assertThat(t.get("bf16").data()).containsExactly(1.0f, 3.140625f);
        assertThat(t.get("i64").data()).containsExactly(-3f, (float) (1L << 40));
        assertThat(t.get("i32").rank()).isZero();
        assertThat(t.get("i32").item()).isEqualTo(-7f);
        assertThat(t.get("u8").data()).containsExactly(0f, 255f);
        assertThat(t.get("bool").data()).containsExactly(0f, 1f);
        assertThat(t.get("i8").data()).containsExactly(-128f);
        assertThat(t.get("i16").data()).containsExactly(-300f);
        assertThat(t.get("u16").data()).containsExactly(65535f);
        assertThat(t.get("u32").data()).containsExactly(4294967295f);
        assertThat(t.get("u64").data()).containsExactly(18446744073709551615f);
    }

    private static byte[] le(long v, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (v >>> (8 * i));
        return b;
    }

    @Test
    void writerRejectsReservedName() {
        assertThatThrownBy(() -> SafeTensors.toBytes(Map.of("__metadata__", Tensor.scalar(1f)), Map.of()))
                .hasMessageContaining("reserved");
    }

    // ------------------------------------------------------------ files written by PyTorch (see README.md beside them)

    private static byte[] resource(String name) throws IOException {
        try (var in = SafeTensorsTest.class.getResourceAsStream(name)) {
            assertThat(in).as("test resource " + name).isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void loadsFileWrittenByPyTorch() throws IOException {
        byte[] torch = resource("torch_linear.safetensors");
        Path f = dir.resolve("torch_linear.safetensors");
        Files.write(f, torch);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertThat(c.metadata()).isEqualTo(Map.of("format", "pt"));
        assertThat(c.tensors().keySet()).containsExactly("0.bias", "0.weight");
        assertThat(c.tensors().get("0.bias").data()).containsExactly(0.5f, -0.125f);
        Tensor w = c.tensors().get("0.weight");
        assertThat(w.shape()).containsExactly(2, 3);
        assertThat(w.data()).containsExactly(0.1f, -0.2f, 0.3f, 1.5f, -2.25f, 1e-8f);
        // and Machina writes that very file, byte for byte, from the same tensors
        assertThat(SafeTensors.toBytes(c.tensors(), c.metadata())).isEqualTo(torch);
        // the hand-built PT_FILE above follows the same layout; only the values differ
        assertThat(torch).hasSameSizeAs(PT_FILE);
    }

    @Test
    void loadsEveryDtypeWrittenByPyTorch() throws IOException {
        SafeTensors.Contents c = SafeTensors.read(resource("torch_dtypes.safetensors"));
        assertThat(c.metadata()).isEqualTo(Map.of("format", "pt", "source", "machina test fixture"));
        Map<String, Tensor> t = c.tensors();
        // header order as safetensors wrote it (by dtype, then name)
        assertThat(t.keySet()).containsExactly("i64", "f64", "empty", "f32_scalar", "i32", "bf16", "f16", "u8", "bool");
        assertThat(t.get("f32_scalar").rank()).isZero();
        assertThat(t.get("f32_scalar").item()).isEqualTo(3.25f);
        assertThat(t.get("empty").shape()).containsExactly(0, 3);
        assertThat(t.get("f16").data()).containsExactly(1.0f, -2.0f, 65504.0f, 0.0999755859375f);
        assertThat(t.get("bf16").data()).containsExactly(1.0f, 3.140625f, -0.10009765625f);
        assertThat(t.get("f64").data()).containsExactly(1.5f, 0.0010000000474974513f);
        assertThat(t.get("i64").data()).containsExactly(-3f, 1099511627776f);
        assertThat(t.get("i32").data()).containsExactly(7f, -7f);
        assertThat(t.get("u8").data()).containsExactly(0f, 255f);
        assertThat(t.get("bool").data()).containsExactly(1f, 0f);
    }

    // ------------------------------------------------------------ hostile input

    private static String entry(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    static Stream<Arguments> hostileHeaders() {
        String ok = entry("a", "F32", "[2]", "[0,8]");
        return Stream.of(
                // header text, data bytes, offending tensor (or null), expected message fragment
                Arguments.of("[" + ok + "]", 8, null, "must start with '{'"),
                Arguments.of(" {" + ok + "}", 8, null, "must start with '{'"),
                Arguments.of("", 8, null, "empty header"),
                Arguments.of("{" + ok, 8, null, "not valid JSON"),
                Arguments.of("{" + ok + "} trailing", 8, null, "not valid JSON"),
                Arguments.of("{" + ok + "," + entry("a", "F32", "[2]", "[8,16]") + "}", 16, null, "Duplicate field 'a'"),
                Arguments.of("{\"a\":[1,2]}", 8, "a", "entry must be an object"),
                Arguments.of("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "a", "'dtype' must be a string"),
                Arguments.of("{\"a\":{\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "a", "'dtype' must be a string"),
                Arguments.of("{" + entry("a", "F128", "[2]", "[0,8]") + "}", 8, "a", "unknown dtype \"F128\""),
                Arguments.of("{" + entry("a", "f32", "[2]", "[0,8]") + "}", 8, "a", "unknown dtype \"f32\""),
                Arguments.of("{" + entry("a", "F8_E4M3", "[2]", "[0,2]") + "}", 2, "a", "cannot be loaded as float32"),
                Arguments.of("{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", 8, "a", "'shape' must be an array"),
                Arguments.of("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8, "a", "'shape' must be an array"),
                Arguments.of("{" + entry("a", "F32", "[-2]", "[0,8]") + "}", 8, "a", "shape[0] is negative"),
                Arguments.of("{" + entry("a", "F32", "[2.0]", "[0,8]") + "}", 8, "a", "shape[0] must be a non-negative integer"),
                Arguments.of("{" + entry("a", "F32", "[\"2\"]", "[0,8]") + "}", 8, "a", "shape[0] must be a non-negative integer"),
                Arguments.of("{" + entry("a", "F32", "[1180591620717411303424]", "[0,8]") + "}", 8, "a", "shape[0] = 1180591620717411303424 is too large"),
                Arguments.of("{" + entry("a", "F32", "[4294967296,0]", "[0,0]") + "}", 0, "a", "too large"),
                Arguments.of("{" + entry("a", "F32", "[65536,65536,65536]", "[0,8]") + "}", 8, "a", "too large"),
                Arguments.of("{" + entry("a", "F32", "[1,1,1,1,2]", "[0,8]") + "}", 8, "a", "rank 5"),
                Arguments.of("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "a", "'data_offsets' must be an array"),
                Arguments.of("{" + entry("a", "F32", "[2]", "[0,8,16]") + "}", 8, "a", "'data_offsets' must be an array"),
                Arguments.of("{" + entry("a", "F32", "[2]", "[\"0\",8]") + "}", 8, "a", "data_offsets[0] must be a non-negative integer"),
                Arguments.of("{" + entry("a", "F32", "[2]", "[-8,0]") + "}", 8, "a", "data_offsets[0] is negative"),
                Arguments.of("{" + entry("a", "F32", "[0]", "[8,0]") + "}", 8, "a", "end before they begin"),
                Arguments.of("{" + entry("a", "F32", "[2]", "[0,8]") + "}", 4, "a", "run past the end of the 4-byte data buffer"),
                Arguments.of("{" + entry("a", "F32", "[2]", "[0,9223372036854775807]") + "}", 8, "a", "run past the end"),
                Arguments.of("{" + entry("a", "F32", "[3]", "[0,8]") + "}", 8, "a", "shape [3] of F32 needs 12 bytes but data_offsets [0, 8] span 8"),
                Arguments.of("{" + entry("a", "F64", "[2]", "[0,8]") + "}", 8, "a", "needs 16 bytes"),
                Arguments.of("{" + ok + "," + entry("b", "F32", "[2]", "[4,12]") + "}", 12, "b", "overlap tensor 'a'"),
                Arguments.of("{" + ok + "," + entry("b", "F32", "[1]", "[12,16]") + "}", 16, "b", "gap of 4 bytes after tensor 'a'"),
                Arguments.of("{" + entry("a", "F32", "[2]", "[4,12]") + "}", 12, "a", "gap of 4 bytes after the start"),
                Arguments.of("{" + ok + "}", 12, null, "cover 8 bytes of data but 12 follow"),
                Arguments.of("{\"__metadata__\":[\"x\"]," + ok + "}", 8, null, "'__metadata__' must be an object"),
                Arguments.of("{\"__metadata__\":{\"epoch\":3}," + ok + "}", 8, null, "value for key 'epoch' must be a string"),
                Arguments.of("{\"__metadata__\":{\"k\":\"v\",\"k\":\"w\"}," + ok + "}", 8, null, "Duplicate field 'k'"));
    }

    @ParameterizedTest
    @MethodSource("hostileHeaders")
    void rejectsHostileHeader(String header, int dataBytes, String tensor, String fragment) {
        byte[] b = file(header, new byte[dataBytes]);
        assertThatThrownBy(() -> SafeTensors.read(b))
                .isInstanceOfSatisfying(SafeTensorsFormatException.class, e -> {
                    assertThat(e.getMessage()).startsWith("<bytes>: ").contains(fragment);
                    assertThat(e.tensor()).isEqualTo(tensor);
                    if (tensor != null) assertThat(e.getMessage()).contains("tensor '" + tensor + "'");
                });
    }

    @Test
    void rejectsBadLengthPrefix() {
        assertThatThrownBy(() -> SafeTensors.read(new byte[5])).isInstanceOf(SafeTensorsFormatException.class)
                .hasMessageContaining("is 5 bytes long, too short");
        byte[] all = new byte[16];
        Arrays.fill(all, (byte) 0xFF); // N = 2^64 - 1
        assertThatThrownBy(() -> SafeTensors.read(all)).isInstanceOf(SafeTensorsFormatException.class)
                .hasMessageContaining("header length 18446744073709551615").hasMessageContaining("exceeds the limit");
        byte[] big = concat(le(200_000_000L, 8), new byte[8]);
        assertThatThrownBy(() -> SafeTensors.read(big)).hasMessageContaining("header length 200000000");
        byte[] longer = concat(le(64, 8), "{}".getBytes(UTF_8));
        assertThatThrownBy(() -> SafeTensors.read(longer)).isInstanceOf(SafeTensorsFormatException.class)
                .hasMessageContaining("header length 64 (bytes 0-7) is larger than the 2 bytes that follow");
        byte[] notUtf8 = concat(le(3, 8), bytes('{', 0xC3, '}'));
        assertThatThrownBy(() -> SafeTensors.read(notUtf8)).isInstanceOf(SafeTensorsFormatException.class)
                .hasMessageContaining("not valid UTF-8");
    }

    @Test
    void pathologicalJsonIsRejectedNotCrashed() {
        // deep nesting (no StackOverflowError), a 5000-digit number, and unknown extra keys
        String deep = "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        assertThatThrownBy(() -> SafeTensors.read(file(deep, new byte[0]))).isInstanceOf(SafeTensorsFormatException.class)
                .hasMessageContaining("not valid JSON");
        String longNumber = "{" + entry("a", "F32", "[" + "9".repeat(5000) + "]", "[0,0]") + "}";
        assertThatThrownBy(() -> SafeTensors.read(file(longNumber, new byte[0]))).isInstanceOf(SafeTensorsFormatException.class);
    }

    @Test
    void extraKeysInAnEntryAreIgnoredAsByTheReferenceReader() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"comment\":\"x\"}}";
        assertThat(SafeTensors.read(file(h, f32le(2f))).tensors().get("a").data()).containsExactly(2f);
    }

    @Test
    void emptyObjectIsAValidEmptyFile() throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file("{}", new byte[0]));
        assertThat(c.tensors()).isEmpty();
        assertThat(c.metadata()).isEmpty();
        assertThat(SafeTensors.toBytes(Map.of(), Map.of())).isEqualTo(file("{}      ", new byte[0]));
    }

    @Test
    void errorsFromFilesNameTheFile() throws IOException {
        Path f = dir.resolve("broken.safetensors");
        byte[] truncated = Arrays.copyOf(PT_FILE, PT_FILE.length - 4);
        Files.write(f, truncated);
        assertThatThrownBy(() -> SafeTensors.read(f)).isInstanceOf(SafeTensorsFormatException.class)
                .hasMessageStartingWith(f + ": tensor '0.weight': data_offsets [8, 32] run past the end of the 28-byte data buffer");
    }

    @Test
    void corruptedBytesNeverEscapeAsOtherExceptions() {
        // every truncation and a set of single-byte corruptions of a valid file either load or throw the format
        // exception: never an index, arithmetic, array-size or out-of-memory error
        int loaded = 0, rejected = 0;
        for (int len = 0; len < PT_FILE.length; len++) {
            byte[] b = Arrays.copyOf(PT_FILE, len);
            assertThatThrownBy(() -> SafeTensors.read(b)).isInstanceOf(SafeTensorsFormatException.class);
        }
        int[] values = {0x00, 0xFF, 0x80, '"', '9', '-', ' ', '{', '}', '[', ',', 'e'};
        for (int i = 0; i < PT_FILE.length; i++) {
            for (int v : values) {
                byte[] b = PT_FILE.clone();
                b[i] = (byte) v;
                try {
                    SafeTensors.read(b);
                    loaded++;
                } catch (SafeTensorsFormatException e) {
                    rejected++;
                }
            }
        }
        assertThat(rejected).isGreaterThan(0);
        assertThat(loaded).isGreaterThan(0); // e.g. corrupting float data still loads
    }
}
