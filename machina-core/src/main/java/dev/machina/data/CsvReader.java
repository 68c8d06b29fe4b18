package dev.machina.data;

import dev.machina.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads a CSV file (RFC 4180 quoting, via Apache Commons CSV) into a {@link TensorDataset} with
 * features {@code [N, F]}.
 *
 * <ul>
 *   <li>Header row or none; any one-character delimiter.
 *   <li>The label column by name or index (a negative index counts from the end; default: the
 *       last column), or none. Feature columns: all others, or a chosen list, minus dropped ones.
 *   <li>Every cell must be a finite number. A missing value (an empty cell, {@code NA},
 *       {@code N/A}, {@code NaN}, {@code null}), a ragged row or text that is not a number is a
 *       {@link DataFormatException} naming the file, the line, and the column by name and index.
 *   <li>Class labels: integers that are exactly 0..K-1 keep their values; other labels are
 *       numbered in sorted order (numerically if all are numbers, else as text), as
 *       scikit-learn's {@code LabelEncoder}, and the original labels become the class names.
 *       With {@link Builder#regression(boolean)} the label column is a float target instead.
 * </ul>
 */
public final class CsvReader {
    private static final Set<String> MISSING = Set.of("", "na", "n/a", "nan", "null");

    private final Boolean header;
    private final char delimiter;
    private final int skipRows;
    private final Character comment;
    private final String labelName;
    private final Integer labelIndex;
    private final boolean noLabel;
    private final boolean regression;
    private final List<String> classes;
    private final List<Object> featureColumns;
    private final List<Object> dropColumns;

    private CsvReader(Builder b) {
        this.header = b.header;
        this.delimiter = b.delimiter;
        this.skipRows = b.skipRows;
        this.comment = b.comment;
        this.labelName = b.labelName;
        this.labelIndex = b.labelIndex;
        this.noLabel = b.noLabel;
        this.regression = b.regression;
        this.classes = b.classes == null ? null : List.copyOf(b.classes);
        this.featureColumns = List.copyOf(b.featureColumns);
        this.dropColumns = List.copyOf(b.dropColumns);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options; defaults: a header row, comma, the last column is a class label. */
    public static final class Builder {
        private Boolean header = true;
        private char delimiter = ',';
        private int skipRows;
        private Character comment;
        private String labelName;
        private Integer labelIndex = -1;
        private boolean noLabel;
        private boolean regression;
        private List<String> classes;
        private final List<Object> featureColumns = new ArrayList<>();
        private final List<Object> dropColumns = new ArrayList<>();

        /** Whether the first row names the columns. */
        public Builder header(boolean header) {
            this.header = header;
            return this;
        }

        /**
         * Decide from the file whether its first row names the columns: it does when none of its
         * cells is a number and the row after it (if any) has a number. So a first line such as
         * {@code 150,4,setosa,versicolor,virginica} (counts and class names) is read as data.
         */
        public Builder headerAuto() {
            this.header = null;
            return this;
        }

        /** Lines to skip at the start of the file, before the header or the data (a title, counts). */
        public Builder skipRows(int n) {
            if (n < 0) throw new IllegalArgumentException("skipRows must be >= 0, got " + n);
            this.skipRows = n;
            return this;
        }

        /** Lines starting with this character are comments and are skipped. */
        public Builder comment(char marker) {
            this.comment = marker;
            return this;
        }

        /** Feature columns by name or by index ("3", "-1"), in this order. */
        public Builder featureColumnRefs(List<String> refs) {
            for (String r : refs) featureColumns.add(r.matches("-?\\d+") ? (Object) Integer.valueOf(r) : r);
            return this;
        }

        /** Columns to leave out, by name or by index ("3", "-1"). */
        public Builder dropColumnRefs(List<String> refs) {
            for (String r : refs) dropColumns.add(r.matches("-?\\d+") ? (Object) Integer.valueOf(r) : r);
            return this;
        }

        public Builder delimiter(char delimiter) {
            this.delimiter = delimiter;
            return this;
        }

        /** The label column by header name. */
        public Builder labelColumn(String name) {
            this.labelName = name;
            this.labelIndex = null;
            this.noLabel = false;
            return this;
        }

        /** The label column by 0-based index; -1 is the last column. */
        public Builder labelColumn(int index) {
            this.labelIndex = index;
            this.labelName = null;
            this.noLabel = false;
            return this;
        }

        /** No label column: every class label is 0 and all columns can be features. */
        public Builder noLabel() {
            this.noLabel = true;
            return this;
        }

        /**
         * Map labels to these classes (a trained model's class names, in its order) instead of
         * encoding the file's own: a label is its class's name, or a number equal to it ("3.0"
         * for class "3"). A label that names no class is an error naming it and the classes.
         */
        public Builder classes(List<String> classNames) {
            this.classes = classNames;
            return this;
        }

        /** Read the label column as a float regression target instead of class labels. */
        public Builder regression(boolean regression) {
            this.regression = regression;
            return this;
        }

        /** Use only these feature columns, by name, in this order. */
        public Builder featureColumns(String... names) {
            featureColumns.addAll(Arrays.asList(names));
            return this;
        }

        /** Use only these feature columns, by index (negative from the end), in this order. */
        public Builder featureColumns(int... indices) {
            for (int i : indices) featureColumns.add(i);
            return this;
        }

        /** Do not use these columns, by name. */
        public Builder dropColumns(String... names) {
            dropColumns.addAll(Arrays.asList(names));
            return this;
        }

        /** Do not use these columns, by index (negative from the end). */
        public Builder dropColumns(int... indices) {
            for (int i : indices) dropColumns.add(i);
            return this;
        }

        public CsvReader build() {
            return new CsvReader(this);
        }
    }

    /** Reads a UTF-8 CSV file. */
    public TensorDataset read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DataFormatException(file, "file not found");
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
        }
        return read(text, file.toString());
    }

    /** Reads CSV text; {@code source} names it in error messages. */
    public TensorDataset read(String text, String source) {
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        Lines lines = new Lines(text);
        int skippedChars = 0;
        for (int k = 0; k < skipRows; k++) {
            int nl = text.indexOf('\n', skippedChars);
            if (nl < 0) throw new DataFormatException(source, "skipping " + skipRows + " rows leaves nothing: the file has " + (k + (skippedChars < text.length() ? 1 : 0)) + " lines");
            skippedChars = nl + 1;
        }
        List<CSVRecord> records = new ArrayList<>();
        CSVFormat.Builder fb = CSVFormat.DEFAULT.builder().setDelimiter(delimiter).setIgnoreEmptyLines(true).setTrim(true);
        if (comment != null) fb.setCommentMarker(comment);
        CSVFormat format = fb.get();
        CSVParser parser = null;
        try {
            parser = CSVParser.parse(text.substring(skippedChars), format);
            for (CSVRecord r : parser) records.add(r);
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            // Commons CSV says where the broken record starts as "(startline N)"; else use where it stopped
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            String msg = String.valueOf(root.getMessage());
            Matcher m = Pattern.compile("\\(startline (\\d+)\\)\\s*").matcher(msg);
            long line = skipRows + (m.find() ? Long.parseLong(m.group(1)) : parser == null ? 1 : parser.getCurrentLineNumber() + 1);
            throw new DataFormatException(source, "line " + line + ": malformed CSV: " + m.replaceAll(""), e);
        }
        if (records.isEmpty()) {
            throw new DataFormatException(source, "no rows: the file is empty");
        }
        List<String> names = null;
        int first = 0;
        boolean hasHeader = header != null ? header : firstRowIsHeader(records);
        if (hasHeader) {
            names = records.get(0).toList();
            first = 1;
        }
        if (records.size() == first) throw new DataFormatException(source, "no data rows after the header");
        int ncols = records.get(0).size();
        Columns cols = resolveColumns(source, names, ncols);

        int n = records.size() - first;
        int f = cols.features.length;
        float[] x = new float[n * f];
        String[] rawLabels = cols.label < 0 ? null : new String[n];
        for (int r = 0; r < n; r++) {
            CSVRecord rec = records.get(first + r);
            long line = lines.lineOf(skippedChars + rec.getCharacterPosition());
            if (rec.size() != ncols) {
                throw new DataFormatException(source, "line " + line + ": ragged row with " + rec.size() + " columns, expected "
                        + ncols + (hasHeader ? " (as in the header)" : " (as in the first row)")
                        + (r == 0 ? "; if the file begins with lines that are not data, skip them (skip_rows)" : ""));
            }
            for (int j = 0; j < f; j++) {
                x[r * f + j] = number(source, line, names, cols.features[j], rec.get(cols.features[j]));
            }
            if (rawLabels != null) {
                String v = rec.get(cols.label);
                if (MISSING.contains(v.toLowerCase())) throw missing(source, line, names, cols.label, v);
                rawLabels[r] = v;
            }
        }
        Tensor features = Tensor.of(x, n, f);
        if (rawLabels == null) return TensorDataset.classification(features, new int[n], 1);
        if (regression) {
            float[] t = new float[n];
            for (int r = 0; r < n; r++) {
                t[r] = number(source, lines.lineOf(skippedChars + records.get(first + r).getCharacterPosition()), names, cols.label, rawLabels[r]);
            }
            return TensorDataset.regression(features, Tensor.of(t, n));
        }
        if (classes != null) {
            int[] y = new int[n];
            for (int r = 0; r < n; r++) {
                y[r] = classOf(rawLabels[r]);
                if (y[r] < 0) {
                    long line = lines.lineOf(skippedChars + records.get(first + r).getCharacterPosition());
                    throw new DataFormatException(source, "line " + line + ", column " + describe(names, cols.label) + ": label '" + clip(rawLabels[r])
                            + "' is not one of the model's classes (" + String.join(", ", classes.size() <= 20 ? classes : classes.subList(0, 20))
                            + (classes.size() > 20 ? ", …" : "") + ")");
                }
            }
            return TensorDataset.classification(features, y, classes);
        }
        return encodeLabels(features, rawLabels);
    }

    /**
     * Reads a UTF-8 CSV file's feature columns a batch of at most {@code rows} rows at a time, as
     * {@code [n, features]} tensors handed to {@code batch} in order, without holding the file in
     * memory; the values, columns and errors (with the file's line numbers) are {@link #read}'s, a
     * label column is left out as {@link Builder#noLabel()} leaves it. A bad row is found when its
     * batch is read: the batches before it have been handed on.
     */
    public void readFeatures(Path file, int rows, java.util.function.Consumer<Tensor> batch) {
        if (rows < 1) throw new IllegalArgumentException("rows must be at least 1, got " + rows);
        String source = file.toString();
        try (var reader = new LineCounting(Files.newBufferedReader(file, StandardCharsets.UTF_8))) {
            reader.mark(1);
            if (reader.read() != '\uFEFF') reader.reset();
            reader.origin();
            for (int k = 0; k < skipRows; k++) {
                int c, chars = 0;
                while ((c = reader.read()) != '\n') {
                    if (c < 0) {
                        throw new DataFormatException(source, "skipping " + skipRows + " rows leaves nothing: the file has " + (k + (chars > 0 ? 1 : 0)) + " lines");
                    }
                    chars++;
                }
            }
            reader.origin();
            CSVFormat.Builder fb = CSVFormat.DEFAULT.builder().setDelimiter(delimiter).setIgnoreEmptyLines(true).setTrim(true);
            if (comment != null) fb.setCommentMarker(comment);
            CSVParser parser = CSVParser.parse(reader, fb.get());
            java.util.Iterator<CSVRecord> it = parser.iterator();
            List<CSVRecord> firstTwo = new ArrayList<>();
            try {
                while (firstTwo.size() < 2 && it.hasNext()) firstTwo.add(it.next());
            } catch (UncheckedIOException | IllegalStateException e) {
                throw malformed(source, e, parser);
            }
            if (firstTwo.isEmpty()) throw new DataFormatException(source, "no rows: the file is empty");
            boolean hasHeader = header != null ? header : firstRowIsHeader(firstTwo);
            List<String> names = hasHeader ? firstTwo.get(0).toList() : null;
            if (hasHeader && firstTwo.size() == 1) throw new DataFormatException(source, "no data rows after the header");
            int ncols = firstTwo.get(0).size();
            Columns cols = resolveColumns(source, names, ncols);
            int f = cols.features.length;
            float[] x = new float[rows * f];
            int n = 0;
            java.util.Iterator<CSVRecord> pending = firstTwo.subList(hasHeader ? 1 : 0, firstTwo.size()).iterator();
            boolean firstData = true;
            while (true) {
                CSVRecord rec;
                try {
                    if (pending.hasNext()) rec = pending.next();
                    else if (it.hasNext()) rec = it.next();
                    else break;
                } catch (UncheckedIOException | IllegalStateException e) {
                    throw malformed(source, e, parser);
                }
                long line = skipRows + reader.lineOf(rec.getCharacterPosition());
                if (rec.size() != ncols) {
                    throw new DataFormatException(source, "line " + line + ": ragged row with " + rec.size() + " columns, expected "
                            + ncols + (hasHeader ? " (as in the header)" : " (as in the first row)")
                            + (firstData ? "; if the file begins with lines that are not data, skip them (skip_rows)" : ""));
                }
                firstData = false;
                for (int j = 0; j < f; j++) x[n * f + j] = number(source, line, names, cols.features[j], rec.get(cols.features[j]));
                if (++n == rows) {
                    batch.accept(Tensor.of(x, n, f));
                    x = new float[rows * f];
                    n = 0;
                }
            }
            if (n > 0) batch.accept(Tensor.of(java.util.Arrays.copyOf(x, n * f), n, f));
        } catch (NoSuchFileException e) {
            throw new DataFormatException(file, "file not found");
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
        }
    }

    /** A parse failure of Commons CSV as read's one line: where the broken record starts. */
    private DataFormatException malformed(String source, RuntimeException e, CSVParser parser) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String msg = String.valueOf(root.getMessage());
        Matcher m = Pattern.compile("\\(startline (\\d+)\\)\\s*").matcher(msg);
        long line = skipRows + (m.find() ? Long.parseLong(m.group(1)) : parser.getCurrentLineNumber() + 1);
        return new DataFormatException(source, "line " + line + ": malformed CSV: " + m.replaceAll(""), e);
    }

    /**
     * A reader that knows the line of a character position counted from {@link #origin()}: it keeps
     * the positions of the line breaks read ahead of the positions asked about, which only grow.
     */
    private static final class LineCounting extends java.io.FilterReader {
        private final java.util.ArrayDeque<Long> breaks = new java.util.ArrayDeque<>();
        private long pos, base, passed;
        private long markPos;

        LineCounting(java.io.Reader in) {
            super(in);
        }

        /** Positions and lines count from here on. */
        void origin() {
            base = pos;
            breaks.clear();
            passed = 0;
        }

        /** The 1-based line (from the origin) of the character at {@code position} (from the origin). */
        long lineOf(long position) {
            while (!breaks.isEmpty() && breaks.peekFirst() - base < position) {
                breaks.pollFirst();
                passed++;
            }
            return passed + 1;
        }

        @Override
        public int read() throws IOException {
            int c = in.read();
            if (c >= 0) note(c);
            return c;
        }

        @Override
        public int read(char[] buf, int off, int len) throws IOException {
            int r = in.read(buf, off, len);
            for (int i = 0; i < r; i++) note(buf[off + i]);
            return r;
        }

        private void note(int c) {
            if (c == '\n') breaks.addLast(pos);
            pos++;
        }

        @Override
        public void mark(int limit) throws IOException {
            in.mark(limit);
            markPos = pos;
        }

        @Override
        public void reset() throws IOException {
            in.reset();
            while (!breaks.isEmpty() && breaks.peekLast() >= markPos) breaks.pollLast();
            pos = markPos;
        }
    }

    /** header: auto — the first row has no number and the second (if any) has one. */
    private static boolean firstRowIsHeader(List<CSVRecord> records) {
        for (String v : records.get(0)) if (isNumber(v)) return false;
        if (records.size() < 2) return true;
        for (String v : records.get(1)) if (isNumber(v)) return true;
        return false;
    }

    private static boolean isNumber(String v) {
        try {
            Double.parseDouble(v.strip());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The index of the class a label names (exactly, or as an equal number), or -1. */
    private int classOf(String label) {
        int i = classes.indexOf(label);
        if (i >= 0) return i;
        try {
            double v = Double.parseDouble(label);
            for (int k = 0; k < classes.size(); k++) {
                try {
                    if (Double.parseDouble(classes.get(k)) == v) return k;
                } catch (NumberFormatException e) {
                    // a class that is not a number
                }
            }
        } catch (NumberFormatException e) {
            // a label that is not a number
        }
        return -1;
    }

    /** {@code s} for an error message: at most 60 characters, cut with an ellipsis. */
    private static String clip(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "…";
    }

    /**
     * Whether a file's first row (after {@code skipRows} lines, comment lines left out) names its
     * columns, by the rule of {@link Builder#headerAuto()}: none of its cells is a number, and the
     * next row (if any) has one. A file that cannot be read has no header.
     */
    public static boolean detectHeader(Path file, char delimiter, int skipRows, Character comment) {
        List<CSVRecord> two = new ArrayList<>();
        try (var r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (int k = 0; k < skipRows; k++) r.readLine();
            CSVFormat.Builder fb = CSVFormat.DEFAULT.builder().setDelimiter(delimiter).setIgnoreEmptyLines(true).setTrim(true);
            if (comment != null) fb.setCommentMarker(comment);
            for (CSVRecord rec : CSVParser.parse(r, fb.get())) {
                two.add(rec);
                if (two.size() == 2) break;
            }
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            return false;
        }
        return !two.isEmpty() && firstRowIsHeader(two);
    }

    private record Columns(int[] features, int label) {}

    private Columns resolveColumns(String source, List<String> names, int ncols) {
        int label = noLabel ? -1 : labelName != null ? column(source, names, ncols, labelName, "label") : column(source, names, ncols, labelIndex, "label");
        Set<Integer> drop = new LinkedHashSet<>();
        for (Object c : dropColumns) drop.add(column(source, names, ncols, c, "dropped"));
        List<Integer> feats = new ArrayList<>();
        if (featureColumns.isEmpty()) {
            for (int c = 0; c < ncols; c++) if (c != label && !drop.contains(c)) feats.add(c);
        } else {
            for (Object c : featureColumns) {
                int i = column(source, names, ncols, c, "feature");
                if (i == label) throw new DataFormatException(source, "column " + describe(names, i) + " is both the label and a feature");
                if (!drop.contains(i)) feats.add(i);
            }
        }
        if (feats.isEmpty()) throw new DataFormatException(source, "no feature columns left (" + ncols + " columns in the file)");
        return new Columns(feats.stream().mapToInt(Integer::intValue).toArray(), label);
    }

    private static int column(String source, List<String> names, int ncols, Object ref, String role) {
        if (ref instanceof String name) {
            if (names == null) throw new DataFormatException(source, role + " column '" + clip(name) + "' given by name, but the file is read without a header");
            int i = names.indexOf(name);
            if (i < 0) throw new DataFormatException(source, "no " + role + " column '" + clip(name) + "'; the header has " + clip(names.toString()));
            return i;
        }
        int idx = (Integer) ref;
        int i = idx < 0 ? idx + ncols : idx;
        if (i < 0 || i >= ncols) throw new DataFormatException(source, role + " column index " + idx + " is out of range for " + ncols + " columns");
        return i;
    }

    private static String describe(List<String> names, int c) {
        return names == null ? "index " + c : "'" + clip(names.get(c)) + "' (index " + c + ")";
    }

    private static DataFormatException missing(String source, long line, List<String> names, int c, String v) {
        return new DataFormatException(source, "line " + line + ", column " + describe(names, c) + ": missing value"
                + (v.isEmpty() ? " (empty cell)" : " '" + clip(v) + "'") + "; fill or drop it before loading");
    }

    private static float number(String source, long line, List<String> names, int c, String v) {
        if (MISSING.contains(v.toLowerCase())) throw missing(source, line, names, c, v);
        float value;
        try {
            value = Float.parseFloat(v);
        } catch (NumberFormatException e) {
            throw new DataFormatException(source, "line " + line + ", column " + describe(names, c) + ": cannot parse '" + clip(v) + "' as a number");
        }
        if (!Float.isFinite(value)) {
            throw new DataFormatException(source, "line " + line + ", column " + describe(names, c) + ": '" + clip(v) + "' is not a finite float");
        }
        return value;
    }

    /** Class indices from raw labels; see the class comment for the rule. */
    static TensorDataset encodeLabels(Tensor features, String[] raw) {
        int n = raw.length;
        double[] num = new double[n];
        boolean numeric = true;
        for (int i = 0; i < n && numeric; i++) {
            try {
                num[i] = Double.parseDouble(raw[i]);
                numeric = Double.isFinite(num[i]);
            } catch (NumberFormatException e) {
                numeric = false;
            }
        }
        int[] y = new int[n];
        if (numeric) {
            TreeMap<Double, String> distinct = new TreeMap<>();
            for (int i = 0; i < n; i++) distinct.putIfAbsent(num[i], raw[i]);
            boolean identity = distinct.firstKey() == 0 && distinct.lastKey() == distinct.size() - 1
                    && distinct.keySet().stream().allMatch(d -> d == Math.rint(d));
            Map<Double, Integer> code = new HashMap<>();
            List<String> classNames = new ArrayList<>();
            for (Map.Entry<Double, String> e : distinct.entrySet()) {
                code.put(e.getKey(), classNames.size());
                double d = e.getKey();
                classNames.add(identity || d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : e.getValue());
            }
            for (int i = 0; i < n; i++) y[i] = code.get(num[i]);
            return TensorDataset.classification(features, y, classNames);
        }
        TreeMap<String, Integer> code = new TreeMap<>();
        for (String s : raw) code.put(s, 0);
        List<String> classNames = new ArrayList<>(code.keySet());
        for (int k = 0; k < classNames.size(); k++) code.put(classNames.get(k), k);
        for (int i = 0; i < n; i++) y[i] = code.get(raw[i]);
        return TensorDataset.classification(features, y, classNames);
    }

    /** Maps character offsets to 1-based line numbers. */
    private static final class Lines {
        private final int[] starts;
        private final String text;

        Lines(String text) {
            this.text = text;
            List<Integer> s = new ArrayList<>();
            s.add(0);
            for (int i = 0; i < text.length(); i++) if (text.charAt(i) == '\n') s.add(i + 1);
            starts = s.stream().mapToInt(Integer::intValue).toArray();
        }

        /** The line of the record starting at {@code charPos} (skipped empty lines before it do not count). */
        long lineOf(long charPos) {
            int pos = (int) charPos;
            while (pos < text.length() && (text.charAt(pos) == '\n' || text.charAt(pos) == '\r')) pos++;
            int i = Arrays.binarySearch(starts, pos);
            return (i >= 0 ? i : -i - 2) + 1;
        }
    }
}
