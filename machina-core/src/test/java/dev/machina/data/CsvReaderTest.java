package dev.machina.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvReaderTest {
    @TempDir
    Path dir;

    private Path csv(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void leadingLinesCommentsAndAnAutoHeader(@TempDir Path dir) throws Exception {
        // sklearn's iris.csv starts with counts and class names, then rows with numeric labels
        Path f = Files.writeString(dir.resolve("iris.csv"), "150,4,setosa,versicolor,virginica\n# a comment\n5.1,3.5,1.4,0.2,0\n6.0,2.2,5.0,1.5,2\n");
        TensorDataset ds = CsvReader.builder().skipRows(1).comment('#').headerAuto().build().read(f);
        assertThat(ds.size()).isEqualTo(2);
        assertThat(ds.labels()).containsExactly(0, 1);
        assertThatThrownBy(() -> CsvReader.builder().headerAuto().build().read(f))
                .hasMessageContaining("line 1").hasMessageContaining("cannot parse 'setosa'");
        Path h = Files.writeString(dir.resolve("h.csv"), "a,b,label\n1,2,x\n3,4,y\n");
        assertThat(CsvReader.builder().headerAuto().build().read(h).size()).isEqualTo(2);
        Path ragged = Files.writeString(dir.resolve("r.csv"), "Iris data,1936\n1,2,x\n3,4,y\n");
        assertThatThrownBy(() -> CsvReader.builder().build().read(ragged)).hasMessageContaining("line 2").hasMessageContaining("skip_rows");
        assertThat(CsvReader.builder().skipRows(1).header(false).build().read(ragged).size()).isEqualTo(2);
    }

    @Test
    void featureAndDropColumnsByIndexOnAHeaderlessFile(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("n.csv"), "1,2,3,a\n4,5,6,b\n");
        TensorDataset ds = CsvReader.builder().header(false).dropColumnRefs(java.util.List.of("0")).build().read(f);
        assertThat(ds.features().shape()).containsExactly(2, 2);
        assertThat(ds.features().data()).containsExactly(2, 3, 5, 6);
        TensorDataset fs = CsvReader.builder().header(false).featureColumnRefs(java.util.List.of("2", "-4")).build().read(f);
        assertThat(fs.features().data()).containsExactly(3, 1, 6, 4);
    }

    @Test
    void labelsMapToGivenClassesByNameOrEqualNumber(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("l.csv"), "a,label\n1,7\n2,3.0\n3,7\n");
        TensorDataset ds = CsvReader.builder().classes(java.util.List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")).build().read(f);
        assertThat(ds.labels()).containsExactly(7, 3, 7);
        assertThat(ds.classNames()).hasSize(10);
        Path g = Files.writeString(dir.resolve("g.csv"), "a,label\n1,cat\n2,bird\n");
        assertThatThrownBy(() -> CsvReader.builder().classes(java.util.List.of("cat", "dog")).build().read(g))
                .isInstanceOf(DataFormatException.class).hasMessageContaining("line 3").hasMessageContaining("label 'bird' is not one of the model's classes (cat, dog)");
    }

    @Test
    void aFirstRowOfNumbersIsNotAHeader(@TempDir Path dir) throws Exception {
        assertThat(CsvReader.detectHeader(Files.writeString(dir.resolve("h.csv"), "x,y,label\n1,2,a\n"), ',', 0, null)).isTrue();
        assertThat(CsvReader.detectHeader(Files.writeString(dir.resolve("n.csv"), "1,2,3\n4,5,6\n"), ',', 0, null)).isFalse();
        // text labels in the first data row do not make it a header
        assertThat(CsvReader.detectHeader(Files.writeString(dir.resolve("t.csv"), "5.1,3.5,setosa\n4.9,3.0,setosa\n"), ',', 0, null)).isFalse();
        // nor does a comment line before the data
        assertThat(CsvReader.detectHeader(Files.writeString(dir.resolve("c.csv"), "# measured in cm\n5.1,3.5,setosa\n"), ',', 0, '#')).isFalse();
        assertThat(CsvReader.detectHeader(Files.writeString(dir.resolve("s.csv"), "a title\nx,y,label\n1,2,a\n"), ',', 1, null)).isTrue();
    }

    @Test
    void headerQuotesAndStringLabelsSortedLikeLabelEncoder() throws Exception {
        Path p = csv("iris.csv", """
                sepal,"petal, width",species
                5.1,0.2,setosa
                "7.0", 1.4 ,versicolor
                6.3,2.5,"virginica"
                4.9,0.2,setosa
                """);
        TensorDataset ds = CsvReader.builder().labelColumn("species").build().read(p);
        assertThat(ds.size()).isEqualTo(4);
        assertThat(ds.featureShape()).containsExactly(2);
        assertThat(ds.features().data()).containsExactly(5.1f, 0.2f, 7.0f, 1.4f, 6.3f, 2.5f, 4.9f, 0.2f);
        assertThat(ds.classNames()).containsExactly("setosa", "versicolor", "virginica");
        assertThat(ds.labels()).containsExactly(0, 1, 2, 0);
    }

    @Test
    void stringLabelsAreSortedNotFirstSeen() throws Exception {
        Path p = csv("z.csv", "x,y\n1,zebra\n2,ant\n3,moose\n");
        TensorDataset ds = CsvReader.builder().build().read(p);
        assertThat(ds.classNames()).containsExactly("ant", "moose", "zebra");
        assertThat(ds.labels()).containsExactly(2, 0, 1);
    }

    @Test
    void integerLabelsZeroToKMinusOneMapToThemselves() throws Exception {
        Path p = csv("n.csv", "2,0.5\n0,1.5\n1,2.5\n2,3.5\n");
        TensorDataset ds = CsvReader.builder().header(false).labelColumn(0).build().read(p);
        assertThat(ds.labels()).containsExactly(2, 0, 1, 2);
        assertThat(ds.classNames()).containsExactly("0", "1", "2");
        assertThat(ds.features().data()).containsExactly(0.5f, 1.5f, 2.5f, 3.5f);
    }

    @Test
    void otherNumericLabelsAreEncodedInNumericOrder() throws Exception {
        Path p = csv("n.csv", "1,10\n2,-1\n3,2\n4,10\n");
        TensorDataset ds = CsvReader.builder().header(false).build().read(p);
        assertThat(ds.classNames()).containsExactly("-1", "2", "10");   // numeric, not text, order
        assertThat(ds.labels()).containsExactly(2, 0, 1, 2);
    }

    @Test
    void negativeLabelIndexFeatureSelectionAndDrop() throws Exception {
        Path p = csv("sel.csv", "id;a;b;c;label\n1;10;20;30;0\n2;11;21;31;1\n");
        TensorDataset picked = CsvReader.builder().delimiter(';').labelColumn(-1).featureColumns("c", "a").build().read(p);
        assertThat(picked.features().data()).containsExactly(30, 10, 31, 11);
        TensorDataset dropped = CsvReader.builder().delimiter(';').labelColumn("label").dropColumns("id").build().read(p);
        assertThat(dropped.features().data()).containsExactly(10, 20, 30, 11, 21, 31);
        TensorDataset byIndex = CsvReader.builder().delimiter(';').labelColumn(4).featureColumns(1, -2).build().read(p);
        assertThat(byIndex.features().data()).containsExactly(10, 30, 11, 31);
    }

    @Test
    void regressionTargets() throws Exception {
        Path p = csv("r.csv", "x1,x2,y\n1,2,0.5\n3,4,-1.25\n");
        TensorDataset ds = CsvReader.builder().regression(true).build().read(p);
        assertThat(ds.isClassification()).isFalse();
        assertThat(ds.targets().data()).containsExactly(0.5f, -1.25f);
        assertThat(ds.targets().shape()).containsExactly(2);
    }

    @Test
    void missingValuesNameLineAndColumn() throws Exception {
        Path empty = csv("m1.csv", "a,b,label\n1,2,x\n3,,y\n");
        assertThatThrownBy(() -> CsvReader.builder().build().read(empty))
                .isInstanceOf(DataFormatException.class)
                .hasMessage(empty + ": line 3, column 'b' (index 1): missing value (empty cell); fill or drop it before loading");
        Path na = csv("m2.csv", "1,2,0\n3,4,1\nNA,5,0\n");
        assertThatThrownBy(() -> CsvReader.builder().header(false).build().read(na))
                .hasMessage(na + ": line 3, column index 0: missing value 'NA'; fill or drop it before loading");
        Path nan = csv("m3.csv", "a,b,label\n1,NaN,x\n");
        assertThatThrownBy(() -> CsvReader.builder().build().read(nan))
                .hasMessageContaining("line 2, column 'b' (index 1): missing value 'NaN'");
        Path label = csv("m4.csv", "a,label\n1,x\n2,\n");
        assertThatThrownBy(() -> CsvReader.builder().build().read(label))
                .hasMessageContaining("line 3, column 'label' (index 1): missing value (empty cell)");
    }

    @Test
    void nonNumericCellNamesLineAndColumn() throws Exception {
        Path p = csv("bad.csv", "a,b,label\n1,2,x\n\n3,abc,y\n");   // blank line 3 is skipped but counted
        assertThatThrownBy(() -> CsvReader.builder().build().read(p))
                .isInstanceOf(DataFormatException.class)
                .hasMessage(p + ": line 4, column 'b' (index 1): cannot parse 'abc' as a number");
    }

    @Test
    void lineNumbersCountMultiLineQuotedCells() throws Exception {
        Path p = csv("ml.csv", "a,note,label\n1,\"two\nlines\",x\n2,oops,y\n");
        assertThatThrownBy(() -> CsvReader.builder().build().read(p))
                .hasMessage(p + ": line 2, column 'note' (index 1): cannot parse 'two\nlines' as a number");
        TensorDataset ds = CsvReader.builder().dropColumns("note").build().read(p);
        assertThat(ds.size()).isEqualTo(2);
        Path p2 = csv("ml2.csv", "a,note,label\n1,\"two\nlines\",x\nz,ok,y\n");
        assertThatThrownBy(() -> CsvReader.builder().dropColumns("note").build().read(p2))
                .hasMessage(p2 + ": line 4, column 'a' (index 0): cannot parse 'z' as a number");
    }

    @Test
    void raggedRowsNameTheLine() throws Exception {
        Path p = csv("rag.csv", "a,b,label\n1,2,x\n3,4\n");
        assertThatThrownBy(() -> CsvReader.builder().build().read(p))
                .isInstanceOf(DataFormatException.class)
                .hasMessage(p + ": line 3: ragged row with 2 columns, expected 3 (as in the header)");
        Path q = csv("rag2.csv", "1,2,0\n3,4,1,9\n");
        assertThatThrownBy(() -> CsvReader.builder().header(false).build().read(q))
                .hasMessage(q + ": line 2: ragged row with 4 columns, expected 3 (as in the first row)");
    }

    @Test
    void unknownColumnsAndEmptyFile() throws Exception {
        Path p = csv("u.csv", "a,b\n1,2\n");
        assertThatThrownBy(() -> CsvReader.builder().labelColumn("label").build().read(p))
                .hasMessage(p + ": no label column 'label'; the header has [a, b]");
        assertThatThrownBy(() -> CsvReader.builder().labelColumn(5).build().read(p))
                .hasMessage(p + ": label column index 5 is out of range for 2 columns");
        Path e = csv("e.csv", "");
        assertThatThrownBy(() -> CsvReader.builder().build().read(e)).hasMessage(e + ": no rows: the file is empty");
        Path h = csv("h.csv", "a,label\n");
        assertThatThrownBy(() -> CsvReader.builder().build().read(h)).hasMessage(h + ": no data rows after the header");
    }

    @Test
    void unclosedQuoteIsAFormatError() throws Exception {
        Path p = csv("q.csv", "a,label\n1,x\n2,\"oops\n3,y\n");
        assertThatThrownBy(() -> CsvReader.builder().build().read(p))
                .isInstanceOf(DataFormatException.class)
                .hasMessage(p + ": line 3: malformed CSV: EOF reached before encapsulated token finished");
    }

    @Test
    void infiniteValuesAreRejected() throws Exception {
        Path p = csv("inf.csv", "a,label\nInfinity,x\n");
        assertThatThrownBy(() -> CsvReader.builder().build().read(p))
                .hasMessage(p + ": line 2, column 'a' (index 0): 'Infinity' is not a finite float");
    }

    @Test
    void aHugeCellIsCutInTheMessage() throws Exception {
        String cell = "y".repeat(1_000_000);
        Path p = csv("huge.csv", "a,label\n" + cell + ",x\n");
        assertThatThrownBy(() -> CsvReader.builder().build().read(p))
                .hasMessage(p + ": line 2, column 'a' (index 0): cannot parse '" + "y".repeat(57) + "…' as a number");
    }

    /**
     * readFeatures, a batch at a time, gives read's features row for row, whatever the batch size,
     * with a BOM, skipped rows, a header, comments, blank lines and a quoted field over two lines;
     * and its errors name the line read names.
     */
    @Test
    void readFeaturesInBatchesIsReadRowForRow(@TempDir Path dir) throws Exception {
        StringBuilder text = new StringBuilder("\uFEFFa title line\n# a comment\nx,y,\"name\"\n");
        for (int r = 0; r < 23; r++) {
            if (r == 7) text.append("\n# another comment\n");
            text.append(r * 0.5).append(',').append(-r).append(',').append(r == 11 ? "\"two\nlines\"" : "n" + r).append('\n');
        }
        Path f = Files.writeString(dir.resolve("f.csv"), text);
        CsvReader reader = CsvReader.builder().skipRows(1).comment('#').header(true).noLabel().dropColumns("name").build();
        float[] whole = reader.read(f).features().data();
        for (int rows : new int[] {1, 3, 5, 23, 1000}) {
            java.util.List<Float> got = new java.util.ArrayList<>();
            java.util.List<Integer> sizes = new java.util.ArrayList<>();
            reader.readFeatures(f, rows, t -> {
                assertThat(t.shape(1)).isEqualTo(2);
                sizes.add(t.shape(0));
                for (float v : t.data()) got.add(v);
            });
            float[] g = new float[got.size()];
            for (int k = 0; k < g.length; k++) g[k] = got.get(k);
            assertThat(g).as("batches of " + rows).isEqualTo(whole);
            assertThat(sizes.stream().limit(sizes.size() - 1)).as("full batches but the last").allMatch(n -> n == rows);
        }
        // errors: the line of the bad row, as read says it
        String bad = text.toString().replace("6.0,-12,n12", "6.0,oops,n12");
        Path b = Files.writeString(dir.resolve("bad.csv"), bad);
        String want = catchMessage(() -> reader.read(b));
        assertThat(want).contains("line ");
        assertThat(catchMessage(() -> reader.readFeatures(b, 4, t -> {}))).isEqualTo(want);
        Path ragged = Files.writeString(dir.resolve("ragged.csv"), text.toString().replace("10.0,-20,n20", "10.0,-20"));
        assertThat(catchMessage(() -> reader.readFeatures(ragged, 4, t -> {}))).isEqualTo(catchMessage(() -> reader.read(ragged))).contains("ragged row");
        Path quote = Files.writeString(dir.resolve("quote.csv"), text + "1,2,\"open\n");
        assertThat(catchMessage(() -> reader.readFeatures(quote, 4, t -> {}))).isEqualTo(catchMessage(() -> reader.read(quote))).contains("malformed CSV");
        Path empty = Files.writeString(dir.resolve("empty.csv"), "");
        assertThat(catchMessage(() -> CsvReader.builder().noLabel().build().readFeatures(empty, 4, t -> {})))
                .isEqualTo(catchMessage(() -> CsvReader.builder().noLabel().build().read(empty)));
    }

    private static String catchMessage(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            return e.getMessage();
        }
        throw new AssertionError("no error");
    }
}
