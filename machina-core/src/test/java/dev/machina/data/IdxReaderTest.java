package dev.machina.data;

import static dev.machina.data.IdxFixtures.gzip;
import static dev.machina.data.IdxFixtures.idx;
import static dev.machina.data.IdxFixtures.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsUbyteRank3PlainAndGzipAlike() throws Exception {
        byte[] payload = new byte[2 * 3 * 4];
        for (int i = 0; i < payload.length; i++) payload[i] = (byte) (250 + i);   // wraps past 255
        byte[] file = idx(0x08, new int[] {2, 3, 4}, payload);
        IdxArray plain = IdxReader.read(write(dir.resolve("a-idx3-ubyte"), file));
        // gzip detected by magic bytes, not by the name
        IdxArray gz = IdxReader.read(write(dir.resolve("b-no-suffix"), gzip(file)));

        assertThat(plain.type()).isEqualTo(IdxType.UBYTE);
        assertThat(plain.dims()).containsExactly(2, 3, 4);
        assertThat(gz).isEqualTo(plain);
        float[] f = plain.toFloats();
        assertThat(f[0]).isEqualTo(250f);
        assertThat(f[5]).isEqualTo(255f);
        assertThat(f[6]).isEqualTo(0f);
        assertThat(plain.toTensor().shape()).containsExactly(2, 3, 4);
    }

    @Test
    void readsEveryDtypeBigEndian() throws Exception {
        assertThat(IdxReader.read(write(dir.resolve("byte"), idx(0x09, new int[] {3}, new byte[] {-1, 0, 127}))).toInts())
                .containsExactly(-1, 0, 127);

        ByteBuffer s = ByteBuffer.allocate(6).putShort((short) -300).putShort((short) 2).putShort((short) 30000);
        assertThat(IdxReader.read(write(dir.resolve("short"), idx(0x0B, new int[] {3}, s.array()))).toInts())
                .containsExactly(-300, 2, 30000);

        ByteBuffer i = ByteBuffer.allocate(8).putInt(-70000).putInt(1 << 20);
        IdxArray ints = IdxReader.read(write(dir.resolve("int"), idx(0x0C, new int[] {1, 2}, i.array())));
        assertThat(ints.dims()).containsExactly(1, 2);
        assertThat(ints.toInts()).containsExactly(-70000, 1 << 20);

        ByteBuffer f = ByteBuffer.allocate(8).putFloat(1.5f).putFloat(-0.25f);
        assertThat(IdxReader.read(write(dir.resolve("float"), gzip(idx(0x0D, new int[] {2}, f.array())))).toFloats())
                .containsExactly(1.5f, -0.25f);

        ByteBuffer d = ByteBuffer.allocate(16).putDouble(3.0).putDouble(-7.0);
        IdxArray doubles = IdxReader.read(write(dir.resolve("double"), idx(0x0E, new int[] {2}, d.array())));
        assertThat(doubles.toFloats()).containsExactly(3f, -7f);
        assertThat(doubles.toInts()).containsExactly(3, -7);
    }

    @Test
    void readsRank1AndRank4AndHigherRanks() throws Exception {
        IdxArray r1 = IdxReader.read(write(dir.resolve("r1"), idx(0x08, new int[] {5}, new byte[] {1, 2, 3, 4, 5})));
        assertThat(r1.dims()).containsExactly(5);
        IdxArray r4 = IdxReader.read(write(dir.resolve("r4"), idx(0x08, new int[] {2, 1, 2, 2}, new byte[8])));
        assertThat(r4.toTensor().shape()).containsExactly(2, 1, 2, 2);
        IdxArray r5 = IdxReader.read(write(dir.resolve("r5"), idx(0x08, new int[] {1, 2, 1, 2, 1}, new byte[] {9, 8, 7, 6})));
        assertThat(r5.dims()).containsExactly(1, 2, 1, 2, 1);
        assertThat(r5.toInts()).containsExactly(9, 8, 7, 6);
    }

    @Test
    void truncatedPayloadNamesFileAndExpectedVersusActualBytes() throws Exception {
        byte[] full = idx(0x08, new int[] {3, 2, 2}, new byte[12]);
        Path p = write(dir.resolve("trunc-idx3"), Arrays.copyOf(full, full.length - 5));
        assertThatThrownBy(() -> IdxReader.read(p))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(p.toString())
                .hasMessageContaining("truncated: header says 3 x 2 x 2 ubyte = 12 data bytes after the 16-byte header (28 bytes in total)")
                .hasMessageContaining("ends after 23 bytes (5 missing)");
    }

    @Test
    void truncatedGzipStreamIsAFormatError() throws Exception {
        byte[] gz = gzip(idx(0x0D, new int[] {1000}, new byte[4000]));
        Path p = write(dir.resolve("cut.gz"), Arrays.copyOf(gz, gz.length / 2));
        assertThatThrownBy(() -> IdxReader.read(p))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(p.toString())
                .hasMessageContaining("gzip stream is corrupt or truncated");
    }

    @Test
    void corruptedGzipIsAFormatErrorNotAZipException() throws Exception {
        byte[] payload = new byte[3000];
        for (int i = 0; i < payload.length; i++) payload[i] = (byte) (i * 31 % 251);
        byte[] gz = gzip(idx(0x08, new int[] {3000}, payload));
        for (int at : new int[] {gz.length / 2, gz.length - 6}) {   // deflate data, then the CRC trailer
            byte[] bad = gz.clone();
            bad[at] ^= 0x5A;
            Path p = write(dir.resolve("bad" + at + ".gz"), bad);
            assertThatThrownBy(() -> IdxReader.read(p))
                    .isInstanceOf(DataFormatException.class)
                    .hasMessageStartingWith(p + ": ");
        }
    }

    @Test
    void truncatedHeader() throws Exception {
        Path p = write(dir.resolve("short-header"), new byte[] {0, 0, 8, 3, 0, 0, 0, 2});
        assertThatThrownBy(() -> IdxReader.read(p))
                .isInstanceOf(DataFormatException.class)
                .hasMessage(p + ": truncated header: expected 3 dimensions (12 bytes) at byte 4, but the file ends after 8 bytes");
        Path empty = write(dir.resolve("empty"), new byte[0]);
        assertThatThrownBy(() -> IdxReader.read(empty))
                .hasMessage(empty + ": truncated header: expected the 4-byte magic number at byte 0, but the file ends after 0 bytes");
    }

    @Test
    void wrongMagicAndUnknownType() throws Exception {
        Path text = write(dir.resolve("text.idx"), "hello world, not idx".getBytes());
        assertThatThrownBy(() -> IdxReader.read(text))
                .isInstanceOf(DataFormatException.class)
                .hasMessage(text + ": not an IDX file: magic number 0x68656C6C at byte 0, expected 0x0000TTRR (two zero bytes, type, rank)");
        Path badType = write(dir.resolve("badtype"), idx(0x0A, new int[] {1}, new byte[1]));
        assertThatThrownBy(() -> IdxReader.read(badType))
                .hasMessageContaining("unknown IDX data type 0x0A in magic number 0x00000A01");
        Path rank0 = write(dir.resolve("rank0"), idx(0x08, new int[0], new byte[0]));
        assertThatThrownBy(() -> IdxReader.read(rank0)).hasMessageContaining("rank 0 in magic number 0x00000800");
    }

    @Test
    void extraBytesAreInconsistent() throws Exception {
        Path p = write(dir.resolve("long"), idx(0x08, new int[] {2}, new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> IdxReader.read(p))
                .isInstanceOf(DataFormatException.class)
                .hasMessage(p + ": inconsistent: header says 2 ubyte = 2 data bytes after the 8-byte header (10 bytes in total),"
                        + " but the file has more bytes from byte offset 10");
    }

    /** Batches of any size, plain or gzip, hold what the whole read holds, in order; the data's checks still hold. */
    @Test
    void readBatchesGivesTheWholeReadsRowsAndChecksTheData() throws Exception {
        byte[] payload = new byte[7 * 3 * 2 * 4];
        ByteBuffer fb = ByteBuffer.wrap(payload);
        for (int i = 0; i < payload.length / 4; i++) fb.putFloat(i * 4, i * 0.5f - 3);
        byte[] file = idx(0x0D, new int[] {7, 3, 2}, payload);
        for (Path p : List.of(write(dir.resolve("f-idx3"), file), write(dir.resolve("f.gz"), gzip(file)))) {
            float[] whole = IdxReader.read(p).toFloats();
            for (int rows : new int[] {1, 3, 7, 100}) {
                List<dev.machina.tensor.Tensor> got = new java.util.ArrayList<>();
                IdxReader.readBatches(p, rows, got::add);
                assertThat(got).as("%s, rows %d", p, rows).hasSize((7 + rows - 1) / rows);
                float[] all = new float[0];
                for (var t : got) {
                    assertThat(t.shape()).as("%s, rows %d", p, rows).containsExactly(Math.min(rows, 7 - all.length / 6), 3, 2);
                    int at = all.length;
                    all = Arrays.copyOf(all, at + t.size());
                    System.arraycopy(t.data(), 0, all, at, t.size());
                }
                assertThat(all).as("%s, rows %d", p, rows).containsExactly(whole);
            }
        }
        // a NaN in the third batch: the two before are handed on, the error names the element and its byte
        fb.putFloat(5 * 6 * 4 + 4, Float.NaN); // element 31: row 5
        Path nan = write(dir.resolve("nan-idx3"), idx(0x0D, new int[] {7, 3, 2}, payload));
        List<dev.machina.tensor.Tensor> before = new java.util.ArrayList<>();
        assertThatThrownBy(() -> IdxReader.readBatches(nan, 2, before::add)).isInstanceOf(DataFormatException.class)
                .hasMessage(nan + ": element 31 (byte " + (16 + 31 * 4) + ") is NaN; inputs must be finite numbers");
        assertThat(before).hasSize(2);
        // compressed data cut short: found when its batch is read
        byte[] big = idx(0x08, new int[] {1000, 4}, new byte[4000]);
        for (int i = 0; i < 4000; i++) big[12 + i] = (byte) (i * 31 % 251);
        byte[] gz = gzip(big);
        Path cut = write(dir.resolve("cut.gz"), Arrays.copyOf(gz, gz.length / 2));
        assertThatThrownBy(() -> IdxReader.readBatches(cut, 10, t -> { })).isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(cut + ": ").hasMessageContaining("truncated");
        Path longer = write(dir.resolve("long"), idx(0x08, new int[] {2}, new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> IdxReader.readBatches(longer, 1, t -> { })).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("inconsistent").hasMessageContaining("more bytes from byte offset 10");
        Path none = write(dir.resolve("none"), idx(0x08, new int[] {0, 4}, new byte[0]));
        List<dev.machina.tensor.Tensor> empty = new java.util.ArrayList<>();
        IdxReader.readBatches(none, 5, empty::add);
        assertThat(empty).hasSize(1);
        assertThat(empty.get(0).shape()).containsExactly(0, 4);
        assertThatThrownBy(() -> IdxReader.readBatches(none, 0, t -> { })).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void missingFileIsNamed() {
        Path p = dir.resolve("nope");
        assertThatThrownBy(() -> IdxReader.read(p)).isInstanceOf(DataFormatException.class).hasMessage(p + ": file not found");
    }

    @Test
    void imageLabelPairBecomesClassificationDataset() throws Exception {
        IdxFixtures.writeImageSet(dir, "train", 7, 3, 2, 3, true);
        TensorDataset ds = IdxReader.readClassification(dir.resolve("train-images-idx3-ubyte.gz"),
                dir.resolve("train-labels-idx1-ubyte.gz"), List.of("a", "b", "c"));
        assertThat(ds.size()).isEqualTo(7);
        assertThat(ds.featureShape()).containsExactly(3, 2);
        assertThat(ds.labels()).containsExactly(0, 1, 2, 0, 1, 2, 0);
        assertThat(ds.get(4).features().data()).containsExactly(4, 5, 6, 7, 8, 9);
        assertThat(ds.className(2)).isEqualTo("c");
        // unsigned-byte images stay bytes (a quarter of the memory of floats) until a batch is made
        assertThat(ds.holdsBytes()).isTrue();
        assertThat(ds.featureBytes()).isEqualTo(7 * 3 * 2);
        assertThat(ds.gather(new int[] {4}).features().data()).containsExactly(4, 5, 6, 7, 8, 9);
        // other element types are read as floats
        write(dir.resolve("short-images"), idx(0x0B, new int[] {2, 2}, new byte[] {0, 1, 0, 2, 1, 0, 0, 3}));
        write(dir.resolve("short-labels"), idx(0x08, new int[] {2}, new byte[] {1, 0}));
        TensorDataset shorts = IdxReader.readClassification(dir.resolve("short-images"), dir.resolve("short-labels"), List.of("a", "b"));
        assertThat(shorts.holdsBytes()).isFalse();
        assertThat(shorts.features().data()).containsExactly(1, 2, 256, 3);
    }

    @Test
    void aCompressedFileOfPlausibleSizeIsReadIntoOneArray() throws Exception {
        // random pixels hardly compress: the declared 24 MB is read into one array, not grown from 16 MB
        byte[] px = new byte[24 << 20];
        new java.util.Random(3).nextBytes(px);
        Path g = write(dir.resolve("big-idx1.gz"), gzip(idx(0x08, new int[] {px.length}, px)));
        IdxArray[] read = new IdxArray[1];
        long used = allocatedBy(() -> read[0] = IdxReader.read(g));
        assertThat(read[0].payload()).isEqualTo(px);
        assertThat(used).isLessThan(px.length + (4L << 20));
    }

    @Test
    void labelCountMismatchAndOutOfRangeLabel() throws Exception {
        write(dir.resolve("x"), idx(0x08, new int[] {3, 2}, new byte[6]));
        write(dir.resolve("y"), idx(0x08, new int[] {2}, new byte[] {0, 1}));
        write(dir.resolve("y5"), idx(0x08, new int[] {3}, new byte[] {0, 5, 1}));
        assertThatThrownBy(() -> IdxReader.readClassification(dir.resolve("x"), dir.resolve("y"), List.of("a", "b")))
                .isInstanceOf(DataFormatException.class)
                .hasMessage(dir.resolve("y") + ": has 2 labels but " + dir.resolve("x") + " has 3 images");
        assertThatThrownBy(() -> IdxReader.readClassification(dir.resolve("x"), dir.resolve("y5"), List.of("a", "b")))
                .hasMessage(dir.resolve("y5") + ": label 5 of example 1 (byte 9) is outside the 2 classes [0, 2)");
    }

    @Test
    void nonFiniteFloatsAreRefusedWithTheirIndex() throws Exception {
        ByteBuffer f = ByteBuffer.allocate(12).putFloat(0.5f).putFloat(Float.NaN).putFloat(1f);
        Path p = write(dir.resolve("nan-idx"), idx(0x0D, new int[] {3}, f.array()));
        assertThatThrownBy(() -> IdxReader.read(p)).isInstanceOf(DataFormatException.class)
                .hasMessage(p + ": element 1 (byte 12) is NaN; inputs must be finite numbers");
        ByteBuffer g = ByteBuffer.allocate(8).putFloat(Float.NEGATIVE_INFINITY).putFloat(1f);
        Path q = write(dir.resolve("inf-idx.gz"), gzip(idx(0x0D, new int[] {1, 2}, g.array())));
        assertThatThrownBy(() -> IdxReader.read(q)).hasMessage(q + ": element 0 (byte 12) is -Infinity; inputs must be finite numbers");
        ByteBuffer d = ByteBuffer.allocate(16).putDouble(1).putDouble(1e300);
        Path r = write(dir.resolve("big-idx"), idx(0x0E, new int[] {2}, d.array()));
        assertThatThrownBy(() -> IdxReader.read(r)).hasMessageContaining("element 1 (byte 16) is 1.0E300, too large for a float");
    }

    /** Bytes this thread allocates while {@code r} runs (HotSpot counts every allocation). */
    private static long allocatedBy(Runnable r) {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId(), before = mx.getThreadAllocatedBytes(id);
        r.run();
        return mx.getThreadAllocatedBytes(id) - before;
    }

    @Test
    void anOverstatedSizeIsRefusedBeforeAllocatingIt() throws Exception {
        // a plain file whose header claims 500,000,000 bytes but holds 4
        Path p = write(dir.resolve("short-idx1"), Arrays.copyOf(idx(0x08, new int[] {500_000_000}, new byte[4]), 12));
        long[] used = new long[1];
        used[0] = allocatedBy(() -> assertThatThrownBy(() -> IdxReader.read(p)).isInstanceOf(DataFormatException.class)
                .hasMessage(p + ": truncated: header says 500000000 ubyte = 500000000 data bytes after the 8-byte header "
                        + "(500000008 bytes in total), but the file ends after 12 bytes (499999996 missing)"));
        assertThat(used[0]).isLessThan(50L << 20);
        // the same compressed: the buffer grows only as data arrives
        Path g = write(dir.resolve("short-idx1.gz"), gzip(Arrays.copyOf(idx(0x08, new int[] {500_000_000}, new byte[4]), 12)));
        used[0] = allocatedBy(() -> assertThatThrownBy(() -> IdxReader.read(g)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining("truncated: header says 500000000 ubyte").hasMessageContaining("decompressed data ends after 12 bytes"));
        assertThat(used[0]).isLessThan(50L << 20);
    }

    @Test
    void aDeclaredSizeBeyondTheHeapIsAClearError() throws Exception {
        // 2,000,000,000 ubyte elements are 2 GB of data and 8 GB as floats: more than the tests' heap
        Path g = write(dir.resolve("huge-idx1.gz"), gzip(Arrays.copyOf(idx(0x08, new int[] {2_000_000_000}, new byte[4]), 12)));
        long used = allocatedBy(() -> assertThatThrownBy(() -> IdxReader.read(g)).isInstanceOf(DataFormatException.class)
                .hasMessageContaining(g + ": too large to load: header says 2000000000 ubyte")
                .hasMessageContaining("more than the Java heap's maximum of").hasMessageContaining("-Xmx"));
        assertThat(used).isLessThan(50L << 20);
        // as images of a dataset, unsigned bytes stay bytes: 2 GB fits the tests' 4 GB heap, so reading goes on (to the end of the data)
        long usedAsImages = allocatedBy(() -> assertThatThrownBy(() -> IdxReader.readClassification(g, g, List.of("a")))
                .isInstanceOf(DataFormatException.class).hasMessageContaining("truncated: header says 2000000000 ubyte"));
        assertThat(usedAsImages).isLessThan(50L << 20);
    }
}
