package dev.machina.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
    @TempDir
    Path tmp;

    @Test
    void digitsFromTheClasspath() {
        TensorDataset d = Datasets.digits();
        assertThat(d.size()).isEqualTo(1797);
        assertThat(d.featureShape()).containsExactly(64);
        assertThat(d.numClasses()).isEqualTo(10);
        assertThat(d.classNames()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        // computed independently: zcat digits.csv.gz | awk -F, '{c[$65]++} END {for (k in c) print k, c[k]}'
        assertThat(d.classCounts()).containsExactly(178, 182, 177, 183, 181, 182, 181, 179, 174, 180);
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (float v : d.features().data()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            assertThat(v).isEqualTo((float) Math.rint(v));
        }
        assertThat(min).isEqualTo(0f);
        assertThat(max).isEqualTo(16f);
        // first row of the file: 0,0,5,13,9,1,0,0,... label 0
        assertThat(d.get(0).features().data()).startsWith(0, 0, 5, 13, 9, 1, 0, 0);
        assertThat(d.labels()[0]).isZero();
        assertThat(Datasets.load("digits").hasTest()).isFalse();
    }

    @Test
    void digitsParsedAsTheCsvReaderReadsTheFile() throws Exception {
        byte[] csv;
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(Path.of("src/main/resources/dev/machina/data/digits.csv.gz")))) {
            csv = in.readAllBytes();
        }
        TensorDataset generic = CsvReader.builder().header(false).labelColumn(-1).build()
                .read(new String(csv, java.nio.charset.StandardCharsets.UTF_8), "digits.csv");
        TensorDataset fast = Datasets.digits();
        assertThat(fast.features().shape()).containsExactly(1797, 64);
        assertThat(fast.features().data()).containsExactly(generic.features().data());
        // the generic reader numbers classes in sorted order of their text, "0".."9": the same as the digits' values
        assertThat(generic.classNames()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertThat(fast.labels()).containsExactly(generic.labels());
    }

    @Test
    void aDamagedDigitsFileIsNamedWithItsLine() {
        String good = "0,".repeat(64) + "7\n";
        String all = good.repeat(Datasets.DIGITS_ROWS);
        assertThat(Datasets.parseDigits(all.getBytes()).labels()).containsOnly(7);
        assertThat(Datasets.parseDigits(all.substring(0, all.length() - 1).getBytes()).size()).isEqualTo(Datasets.DIGITS_ROWS);
        assertThatThrownBy(() -> Datasets.parseDigits((good + "0,1\n" + good).getBytes()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("digits.csv.gz is damaged at line 2: expected 65 fields");
        assertThatThrownBy(() -> Datasets.parseDigits((good + good.replace("7", "12")).getBytes()))
                .hasMessageContaining("at line 2: expected 65 fields: 64 pixel counts, then a class 0..9");
        assertThatThrownBy(() -> Datasets.parseDigits((good + good.replace("0,0,", "0,x,")).getBytes())).hasMessageContaining("at line 2");
        assertThatThrownBy(() -> Datasets.parseDigits((good + "\n" + good).getBytes())).hasMessageContaining("at line 2");
        assertThatThrownBy(() -> Datasets.parseDigits(good.repeat(3).getBytes())).hasMessageContaining("at line 4: expected 1797 lines");
        assertThatThrownBy(() -> Datasets.parseDigits((good.repeat(Datasets.DIGITS_ROWS) + good).getBytes())).hasMessageContaining("at line 1798");
    }

    @Test
    void fashionMnistWhenInstalled() {
        Path dir = DatasetLocator.system().find("fashion-mnist", null).orElse(null);
        assumeTrue(dir != null, "Fashion-MNIST is not installed; get it with `apt-get install dataset-fashion-mnist`"
                + " or `./machina datasets fetch fashion-mnist`");
        TrainTest ft = Datasets.fashionMnist();
        assertThat(ft.train().size()).isEqualTo(60000);
        assertThat(ft.test().size()).isEqualTo(10000);
        assertThat(ft.train().featureShape()).containsExactly(28, 28);
        assertThat(ft.train().classNames()).isEqualTo(Datasets.FASHION_MNIST_CLASSES);
        assertThat(ft.train().className(9)).isEqualTo("Ankle boot");
        assertThat(ft.train().classCounts()).containsOnly(6000);
        assertThat(ft.test().classCounts()).containsOnly(1000);
        // computed independently with python3: sum(gzip.open(train-images).read()[16:])
        long sum = 0;
        for (float v : ft.train().features().data()) sum += (long) v;
        assertThat(sum).isEqualTo(3431114169L);
        long testSum = 0;
        for (float v : ft.test().features().data()) testSum += (long) v;
        assertThat(testSum).isEqualTo(573469082L);
    }

    @Test
    void searchOrderUserDirThenMachinaDataThenHomeThenSystem() throws Exception {
        Path user = tmp.resolve("user");
        Path data = tmp.resolve("data");
        Path home = tmp.resolve("home");
        Path sys = tmp.resolve("sys");
        DatasetLocator loc = new DatasetLocator(data.toString(), home, sys);
        assertThat(loc.candidates("mnist", user)).containsExactly(
                user, data.resolve("mnist"), home.resolve(".machina/datasets/mnist"), sys.resolve("mnist"));

        Path inHome = Files.createDirectories(home.resolve(".machina/datasets/mnist"));
        Path inSys = Files.createDirectories(sys.resolve("mnist"));
        IdxFixtures.writeImageSet(inSys, "train", 4, 2, 2, 2, true);
        IdxFixtures.writeImageSet(inSys, "t10k", 2, 2, 2, 2, true);
        assertThat(loc.find("mnist", user)).contains(inSys);
        IdxFixtures.writeImageSet(inHome, "train", 6, 2, 2, 2, false);   // plain files count too
        IdxFixtures.writeImageSet(inHome, "t10k", 3, 2, 2, 2, false);
        assertThat(loc.find("mnist", user)).contains(inHome);
        TrainTest tt = loc.loadIdx("mnist", user, Datasets.DIGIT_CLASSES);
        assertThat(tt.train().size()).isEqualTo(6);
        assertThat(tt.test().size()).isEqualTo(3);

        DatasetInfo info = loc.info("mnist", null);
        long expected = 0;
        for (String f : RemoteDataset.IDX_FILES) expected += Files.size(inHome.resolve(f));
        assertThat(info.location()).isEqualTo(inHome.toString());
        assertThat(info.bytes()).isEqualTo(expected);
        List<DatasetInfo> all = Datasets.listKnown(loc);
        assertThat(all).extracting(DatasetInfo::name).containsExactly("digits", "fashion-mnist", "mnist");
        assertThat(all.get(0).found()).isTrue();
        assertThat(all.get(0).bytes()).isEqualTo(Files.size(Path.of("src/main/resources/dev/machina/data/digits.csv.gz")));
        assertThat(all.get(1).found()).isFalse();
        assertThat(all.get(2).found()).isTrue();
    }

    @Test
    void missingDatasetIsAOneLineErrorListingWhereItLookedAndHowToGetIt() {
        DatasetLocator loc = new DatasetLocator(null, tmp.resolve("home"), tmp.resolve("sys"));
        assertThatThrownBy(() -> loc.loadIdx("fashion-mnist", tmp.resolve("mine"), Datasets.FASHION_MNIST_CLASSES))
                .isInstanceOf(DatasetNotFoundException.class)
                .hasMessage("dataset 'fashion-mnist' not found; looked in [" + tmp.resolve("mine") + ", "
                        + tmp.resolve("home/.machina/datasets/fashion-mnist") + ", " + tmp.resolve("sys/fashion-mnist")
                        + "]; get it with `apt-get install dataset-fashion-mnist` or `./machina datasets fetch fashion-mnist`")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> Datasets.load("cifar")).hasMessage("unknown dataset 'cifar'; known: digits, fashion-mnist, mnist");
    }
}
