package dev.machina.data;

import dev.machina.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Sequence datasets: sliding windows over a numeric series (forecasting), and character-level
 * text (language models). Images read row by row need nothing here: a {@code [N, H, W]} image
 * dataset already is {@code [N, T, F]} with T = H steps of F = W features.
 */
public final class Sequences {
    private Sequences() {}

    /**
     * Sliding windows over a series {@code [time, columns]}: example i has features
     * {@code series[s .. s+window)} (all columns) and targets {@code series[s+window .. s+window+horizon)}
     * of the target columns, with s = i·stride. Features {@code [N, window, columns]}, targets
     * {@code [N, horizon·targets]} (step-major).
     */
    public static TensorDataset windows(Tensor series, int window, int horizon, int stride, int[] targetColumns) {
        if (series.rank() != 2) throw new IllegalArgumentException("a series must be [time, columns], got " + java.util.Arrays.toString(series.shape()));
        int t = series.shape(0), c = series.shape(1);
        if (window < 1 || horizon < 1 || stride < 1) {
            throw new IllegalArgumentException("window, horizon and stride must be >= 1, got " + window + ", " + horizon + ", " + stride);
        }
        for (int col : targetColumns) {
            if (col < 0 || col >= c) throw new IllegalArgumentException("target column " + col + " is outside the series' " + c + " columns");
        }
        if (targetColumns.length == 0) throw new IllegalArgumentException("at least one target column is needed");
        int n = t - window - horizon < 0 ? 0 : (t - window - horizon) / stride + 1;
        if (n == 0) {
            throw new IllegalArgumentException("a series of " + t + " steps is too short for windows of " + window + " steps and a horizon of " + horizon);
        }
        float[] s = series.data();
        float[] x = new float[n * window * c], y = new float[n * horizon * targetColumns.length];
        for (int i = 0; i < n; i++) {
            int start = i * stride;
            System.arraycopy(s, start * c, x, i * window * c, window * c);
            for (int h = 0; h < horizon; h++) {
                for (int k = 0; k < targetColumns.length; k++) {
                    y[(i * horizon + h) * targetColumns.length + k] = s[(start + window + h) * c + targetColumns[k]];
                }
            }
        }
        return TensorDataset.regression(Tensor.of(x, n, window, c), Tensor.of(y, n, horizon * targetColumns.length));
    }

    /** The characters of a text, each with an index; saved with a model so generation decodes the same way. */
    public record Vocabulary(List<String> chars) {
        public Vocabulary {
            chars = List.copyOf(chars);
        }

        /** Every distinct code point of {@code text}, in code-point order. */
        public static Vocabulary of(String text) {
            TreeSet<Integer> cps = new TreeSet<>();
            text.codePoints().forEach(cps::add);
            List<String> cs = new ArrayList<>();
            for (int cp : cps) cs.add(new String(Character.toChars(cp)));
            return new Vocabulary(cs);
        }

        public int size() {
            return chars.size();
        }

        /** Indices of the text's characters; a character outside the vocabulary is an error naming it. */
        public int[] encode(String text) {
            Map<String, Integer> idx = index();
            int[] cps = text.codePoints().toArray();
            int[] out = new int[cps.length];
            for (int i = 0; i < cps.length; i++) {
                Integer v = idx.get(new String(Character.toChars(cps[i])));
                if (v == null) {
                    throw new IllegalArgumentException("character '" + new String(Character.toChars(cps[i])) + "' (U+"
                            + Integer.toHexString(cps[i]).toUpperCase() + ") at position " + i + " is not in the model's vocabulary");
                }
                out[i] = v;
            }
            return out;
        }

        public String decode(int[] ids) {
            StringBuilder sb = new StringBuilder();
            for (int i : ids) sb.append(chars.get(i));
            return sb.toString();
        }

        private Map<String, Integer> index() {
            Map<String, Integer> m = new LinkedHashMap<>();
            for (int i = 0; i < chars.size(); i++) m.put(chars.get(i), i);
            return m;
        }
    }

    /** A character-level text dataset and its vocabulary. */
    public record Text(TensorDataset dataset, Vocabulary vocabulary, int length) {}

    /**
     * Character-level language-model data from a UTF-8 file: example i is the
     * {@code seqLen} characters starting at i·stride (features, as character indices
     * {@code [N, seqLen]}) and the {@code seqLen} characters one step later (targets, the next
     * character at every step, {@code [N, seqLen]}).
     */
    public static Text characters(Path file, int seqLen, int stride) {
        String text;
        try {
            byte[] bytes = Files.readAllBytes(file);
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new DataFormatException(file, "not valid UTF-8 text (" + e.getMessage() + ")");
        } catch (java.nio.file.NoSuchFileException e) {
            throw new DataFormatException(file, "no such file");
        } catch (IOException e) {
            throw new DataFormatException(file, "cannot read: " + e.getMessage());
        }
        return characters(text, file.toString(), seqLen, stride, null);
    }

    /** As {@link #characters(Path, int, int)} for text in memory, optionally with a given vocabulary. */
    public static Text characters(String text, String source, int seqLen, int stride, Vocabulary vocab) {
        if (seqLen < 1 || stride < 1) throw new IllegalArgumentException("sequence length and stride must be >= 1, got " + seqLen + ", " + stride);
        Vocabulary v = vocab != null ? vocab : Vocabulary.of(text);
        int[] ids = v.encode(text);
        int n = ids.length - seqLen - 1 < 0 ? 0 : (ids.length - seqLen - 1) / stride + 1;
        if (n == 0) throw new DataFormatException(source, ids.length + " characters are too few for sequences of " + seqLen);
        float[] x = new float[n * seqLen], y = new float[n * seqLen];
        for (int i = 0; i < n; i++) {
            int s = i * stride;
            for (int j = 0; j < seqLen; j++) {
                x[i * seqLen + j] = ids[s + j];
                y[i * seqLen + j] = ids[s + j + 1];
            }
        }
        return new Text(TensorDataset.regression(Tensor.of(x, n, seqLen), Tensor.of(y, n, seqLen)), v, ids.length);
    }
}
