package dev.machina.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.machina.tensor.Tensor;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A dataset held as bytes gives, batch by batch, the float32 values of the same data held as floats. */
class TensorDatasetTest {
    private static final List<String> CLASSES = List.of("a", "b", "c");
    private static final int N = 300, H = 4, W = 7;

    private final byte[] pixels = pixels();
    private final int[] labels = labels();

    private static byte[] pixels() {
        byte[] b = new byte[N * H * W];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (i < 256 ? i : new Random(i).nextInt(256)); // every value 0..255, then random
        return b;
    }

    private static int[] labels() {
        int[] y = new int[N];
        for (int i = 0; i < N; i++) y[i] = (i * 7) % 3;
        return y;
    }

    private TensorDataset asBytes() {
        return TensorDataset.ofBytes(pixels, new int[] {N, H, W}, labels, CLASSES);
    }

    /** The same data as float32, as IDX images were read before: each byte 0..255 as a float. */
    private TensorDataset asFloats() {
        float[] x = new float[pixels.length];
        for (int i = 0; i < x.length; i++) x[i] = pixels[i] & 0xFF;
        return TensorDataset.classification(Tensor.of(x, N, H, W), labels, CLASSES);
    }

    private static void assertSameBits(Tensor actual, Tensor expected) {
        assertThat(actual.shape()).containsExactly(expected.shape());
        float[] a = actual.data(), e = expected.data();
        assertThat(a.length).isEqualTo(e.length);
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(e[i])) {
                throw new AssertionError("value " + i + ": " + a[i] + " but expected " + e[i]);
            }
        }
    }

    @Test
    void scaledBytesGiveTheFloatsOfScaleBitForBit() {
        int[] idx = {5, 0, 299, 17, 17, 128};
        for (double factor : new double[] {1 / 255.0, 1.0, 0.1, 1 / 16.0, 3.7, -2.5e-3}) {
            TensorDataset b = Scale.by(factor).apply(asBytes());
            TensorDataset f = Scale.by(factor).apply(asFloats());
            assertThat(b.holdsBytes()).isTrue();
            assertThat(b.byteScale()).isEqualTo(factor);
            assertThat(f.holdsBytes()).isFalse();
            Batch bb = b.gather(idx), fb = f.gather(idx);
            assertSameBits(bb.features(), fb.features());
            assertThat(bb.labels()).containsExactly(fb.labels());
            assertThat(bb.indices()).containsExactly(idx);
            assertSameBits(b.features(), f.features());
            assertSameBits(b.get(42).features(), f.get(42).features());
            assertThat(b.get(42).label()).isEqualTo(labels[42]);
        }
        // unscaled: the byte values themselves
        assertSameBits(asBytes().features(), asFloats().features());
    }

    @Test
    void derivedDatasetsKeepTheBytes() {
        TensorDataset b = Scale.by(1 / 255.0).apply(asBytes());
        TensorDataset f = Scale.by(1 / 255.0).apply(asFloats());
        TensorDataset flat = b.flatten();
        assertThat(flat.holdsBytes()).isTrue();
        assertThat(flat.featureShape()).containsExactly(H * W);
        assertSameBits(flat.features(), f.flatten().features());
        int[] some = {3, 1, 4, 1, 5, 9, 2, 6};
        TensorDataset sub = b.subset(some);
        assertThat(sub.holdsBytes()).isTrue();
        assertThat(sub.size()).isEqualTo(some.length);
        assertThat(sub.classNames()).isEqualTo(CLASSES);
        assertThat(sub.labels()).containsExactly(f.subset(some).labels());
        assertSameBits(sub.features(), f.subset(some).features());
        // the split of a spec's data goes through Splits, which takes subsets
        Splits.Split s = Splits.stratified(b.labels(), 0.2, 7);
        assertSameBits(s.trainOf(b).features(), s.trainOf(f).features());
        assertSameBits(s.validationOf(b).features(), s.validationOf(f).features());
        assertThat(s.trainOf(b).holdsBytes()).isTrue();
        assertThat(b.toString()).contains("held as bytes");
    }

    @Test
    void aLoaderOverBytesYieldsTheBatchesOfTheFloats() {
        DataLoader lb = DataLoader.builder(Scale.by(1 / 255.0).apply(asBytes()).flatten()).batchSize(64).shuffle(11).build();
        DataLoader lf = DataLoader.builder(Scale.by(1 / 255.0).apply(asFloats()).flatten()).batchSize(64).shuffle(11).build();
        for (int epoch = 0; epoch < 2; epoch++) {
            Iterator<Batch> ib = lb.iterator(), iff = lf.iterator();
            int batches = 0;
            while (ib.hasNext()) {
                Batch x = ib.next(), y = iff.next();
                assertSameBits(x.features(), y.features());
                assertThat(x.labels()).containsExactly(y.labels());
                batches++;
            }
            assertThat(iff.hasNext()).isFalse();
            assertThat(batches).isEqualTo(5);
        }
    }

    @Test
    void transformsThatNeedFloatStatisticsGiveFloats() {
        TensorDataset b = asBytes().flatten(), f = asFloats().flatten();
        Standardizer sb = Standardizer.fit(b.features()), sf = Standardizer.fit(f.features());
        TensorDataset out = sb.apply(b);
        assertThat(out.holdsBytes()).isFalse();
        assertSameBits(out.features(), sf.apply(f).features());
        assertThat(MinMaxScaler.fit(b.features()).apply(b).holdsBytes()).isFalse();
        // a second scale of scaled bytes is computed on floats, as two scales of floats are
        TensorDataset twice = Scale.by(0.5).apply(Scale.by(1 / 255.0).apply(b));
        assertThat(twice.holdsBytes()).isFalse();
        assertSameBits(twice.features(), Scale.by(0.5).apply(Scale.by(1 / 255.0).apply(f)).features());
    }

    @Test
    void bytesTakeAQuarterOfTheMemory() {
        assertThat(asBytes().featureBytes()).isEqualTo((long) N * H * W);
        assertThat(asFloats().featureBytes()).isEqualTo(4L * N * H * W);
        // features() of bytes is a new float copy each time; of floats, the backing tensor
        TensorDataset b = asBytes();
        assertThat(b.features()).isNotSameAs(b.features());
        TensorDataset f = asFloats();
        assertThat(f.features()).isSameAs(f.features());
    }

    @Test
    void badBytesAreRefusedWithWhatWasExpected() {
        assertThatThrownBy(() -> TensorDataset.ofBytes(new byte[10], new int[] {3, 4}, new int[] {0, 1, 2}, CLASSES))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("shape [3, 4] holds 12 values but 10 bytes were given");
        assertThatThrownBy(() -> TensorDataset.ofBytes(new byte[12], new int[] {3, 4}, new int[] {0, 1}, CLASSES))
                .hasMessage("3 examples of features [3, 4] but 2 labels");
        assertThatThrownBy(() -> TensorDataset.ofBytes(new byte[3], new int[] {3, 1}, new int[] {0, 1, 3}, CLASSES))
                .hasMessage("label 3 of example 2 is outside [0, 3)");
        assertThatThrownBy(() -> asFloats().scaledBytes(2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("held as float32");
        assertThatThrownBy(() -> asBytes().scaledBytes(2).scaledBytes(2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already scaled by 2.0");
        assertThatThrownBy(() -> TensorDataset.ofBytes(null, new int[] {3, 4}, new int[] {0, 1, 2}, CLASSES))
                .isInstanceOf(NullPointerException.class).hasMessage("values");
        assertThatThrownBy(() -> TensorDataset.ofBytes(new byte[12], new int[] {3, 4}, null, CLASSES))
                .isInstanceOf(NullPointerException.class).hasMessage("labels");
    }
}
