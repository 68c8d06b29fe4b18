package dev.machina.cli;

import dev.machina.data.CsvReader;
import dev.machina.data.DataFormatException;
import dev.machina.data.IdxReader;
import dev.machina.experiment.Prepared;
import dev.machina.experiment.TrainedModel;
import dev.machina.experiment.UserError;
import dev.machina.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** `machina predict RUN_DIR INPUT`: class predictions with probabilities, as CSV on stdout. */
@Command(mixinStandardHelpOptions = true, name = "predict", description = {"Predict classes of new inputs (CSV rows or an IDX image file) with a trained run.",
    "Applies the input transform the run was trained with. Prints CSV: index, predicted class,",
    "probability (and every class's probability with --all). Reads and runs --batch-size rows at a time."})
final class PredictCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_DIR")
    Path runDir;

    @Parameters(index = "1", paramLabel = "INPUT", description = "A CSV file (feature columns as in training; a label column is ignored) or an IDX file of images.")
    Path input;

    @Option(names = "--all", description = "Also print the probability of every class.")
    boolean all;

    @Option(names = "--batch-size", paramLabel = "N", description = "Rows per forward pass, at least 5 (default: the run's training.eval_batch_size, or 1000); the output does not depend on it.")
    Integer batchSize;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        TrainedModel tm = TrainedModel.load(runDir);
        if (!Files.isRegularFile(input)) throw new UserError("input file " + input + " does not exist");
        if (batchSize != null && batchSize < 1) throw new UserError("--batch-size must be at least 1, got " + batchSize);
        int batch = batchSize != null ? batchSize : tm.evalBatchSize();
        int[] printed = {0};
        TrainedModel.Predictor predictor = tm.predictor(batch, probs -> print(out, tm.classNames(), probs, printed));
        try {
            if (isIdx(input)) {
                IdxReader.readBatches(input, batch, x -> predictor.add(examples(tm, x))); // a batch at a time, as the CSV below
            } else { // read and run a batch at a time: the file is never held whole
                var d = tm.csvSettings();
                boolean header = CsvReader.detectHeader(input, d.delimiter(), d.skipRows(), d.comment());
                CsvReader.Builder b = Prepared.csvReaderBuilder(d).header(header).noLabel();
                if (header && !d.label().matches("-?\\d+") && headerHas(input, d.label(), d.delimiter())) b.dropColumnRefs(List.of(d.label()));
                int want = Arrays.stream(tm.featureShape()).reduce(1, (p, q) -> p * q);
                // one column more than the model takes: the label column of the training data, by its index
                boolean dropLabel = false;
                try {
                    b.build().readFeatures(input, Math.max(batch, 5), x -> {
                        if (d.features().isEmpty() && x.shape(1) == want + 1 && d.label().matches("-?\\d+")) throw new LabelColumn(); // the first batch
                        predictor.add(examples(tm, x));
                    });
                } catch (LabelColumn e) {
                    dropLabel = true;
                }
                if (dropLabel) {
                    Prepared.csvReaderBuilder(d).header(header).noLabel().dropColumnRefs(List.of(d.label())).build()
                            .readFeatures(input, Math.max(batch, 5), x -> predictor.add(examples(tm, x)));
                }
            }
            predictor.finish();
        } catch (DataFormatException e) {
            throw new UserError(e.getMessage());
        } finally { // the predictions printed before a failure are kept
            out.flush();
        }
        return 0;
    }

    /** The first batch of a CSV had the training data's label column too: read again without it. */
    private static final class LabelColumn extends RuntimeException {
        LabelColumn() {
            super(null, null, false, false);
        }
    }

    /** Rows read from the input as the model's examples {@code [n, featureShape...]}, or a UserError naming both shapes. */
    private Tensor examples(TrainedModel tm, Tensor x) {
        int[] fs = Arrays.copyOfRange(x.shape(), 1, x.rank());
        if (Arrays.stream(fs).reduce(1, (a, b2) -> a * b2) != Arrays.stream(tm.featureShape()).reduce(1, (a, b2) -> a * b2)) {
            throw new UserError(input + " has examples of shape " + Arrays.toString(fs) + " but the model takes "
                    + Arrays.toString(tm.featureShape()));
        }
        int[] shape = new int[tm.featureShape().length + 1];
        shape[0] = x.shape(0);
        System.arraycopy(tm.featureShape(), 0, shape, 1, tm.featureShape().length);
        return Tensor.of(x.data(), shape);
    }

    /** One batch's rows of CSV (the header line before the first), numbered on from the rows printed before. */
    private void print(PrintWriter out, List<String> names, Tensor probs, int[] printed) {
        int c = probs.shape(-1);
        if (printed[0] == 0) {
            StringBuilder head = new StringBuilder("index,predicted,probability");
            if (all) for (int j = 0; j < c; j++) head.append(",p_").append(csv(j < names.size() ? names.get(j) : String.valueOf(j)));
            out.println(head);
        }
        int[] pred = probs.argmax(-1);
        float[] p = probs.data();
        for (int i = 0; i < pred.length; i++) {
            StringBuilder sb = new StringBuilder().append(printed[0] + i).append(',')
                    .append(csv(pred[i] < names.size() ? names.get(pred[i]) : String.valueOf(pred[i]))).append(',')
                    .append(String.format(Locale.ROOT, "%.6f", p[i * c + pred[i]]));
            if (all) for (int j = 0; j < c; j++) sb.append(',').append(String.format(Locale.ROOT, "%.6f", p[i * c + j]));
            out.println(sb);
        }
        printed[0] += pred.length;
    }

    private static boolean isIdx(Path p) {
        String n = p.getFileName().toString();
        return n.contains("idx") || n.endsWith("-ubyte") || n.endsWith("-ubyte.gz");
    }

    /** A first line with any cell that is not a number is a header. */
    private static boolean headerHas(Path file, String column, char delim) {
        try (var r = Files.newBufferedReader(file)) {
            String first = r.readLine();
            if (first == null) return false;
            for (String h : first.split(java.util.regex.Pattern.quote(String.valueOf(delim)))) {
                if (h.trim().replace("\"", "").equals(column)) return true;
            }
            return false;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
