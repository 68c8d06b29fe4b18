package dev.machina.cli;

import dev.machina.data.CsvReader;
import dev.machina.data.DataFormatException;
import dev.machina.data.TensorDataset;
import dev.machina.experiment.Experiment;
import dev.machina.experiment.Prepared;
import dev.machina.experiment.TrainedModel;
import dev.machina.experiment.UserError;
import dev.machina.metrics.ClassificationReport;
import dev.machina.train.Evaluator;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** `machina eval RUN_DIR [--data SPEC_OR_CSV]`: classification report and confusion matrix of a trained model. */
@Command(mixinStandardHelpOptions = true, name = "eval", description = {"Evaluate a trained run: classification report and confusion matrix.",
    "Uses the run's test split, or other data given with --data."})
final class EvalCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_DIR")
    Path runDir;

    @Option(names = "--data", paramLabel = "SPEC_OR_CSV",
            description = "Evaluate on this instead: a spec (its test split) or a CSV file with the training columns and labels.")
    Path data;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        TrainedModel tm = TrainedModel.load(runDir);
        TensorDataset test;
        String what;
        if (data == null) {
            if (tm.experiment() == null) {
                throw new UserError(runDir + " was recorded from plain Java code, so it has no data section to take a test split from; "
                        + "give the data with --data SPEC_OR_CSV");
            }
            test = Prepared.of(tm.experiment(), tm.transform()).test();
            what = "the run's test split";
        } else if (data.toString().matches(".*\\.(ya?ml|json)$")) {
            test = Prepared.of(Experiment.load(data, List.of()), tm.transform()).test();
            what = "the test split of " + data;
        } else {
            if (!Files.isRegularFile(data)) throw new UserError("data file " + data + " does not exist");
            try {
                // labels map to the model's classes; whether the file has a header is read from the file, as predict does
                Experiment.Data d = tm.csvSettings();
                test = Prepared.csvReaderBuilder(d).header(CsvReader.detectHeader(data, d.delimiter(), d.skipRows(), d.comment()))
                        .classes(tm.classNames()).build().read(data);
            } catch (DataFormatException e) {
                throw new UserError(e.getMessage());
            }
            if (tm.transform() != null) test = tm.transform().apply(test);
            what = data.toString();
        }
        if (!test.isClassification()) throw new UserError("eval needs class labels; " + what + " has none");
        if (!java.util.Arrays.equals(test.featureShape(), tm.featureShape())) {
            throw new UserError(what + " has examples of shape " + java.util.Arrays.toString(test.featureShape())
                    + " but the model was trained on " + java.util.Arrays.toString(tm.featureShape()));
        }
        Evaluator.Predictions p = tm.predict(test);
        List<String> names = tm.classNames();
        ClassificationReport r = ClassificationReport.of(p.labels(), p.predicted(), names, p.probabilities());
        out.printf("Evaluation of %s on %s (%d examples)%n%n", runDir, what, test.size());
        out.println(r);
        out.println("Confusion matrix (rows: true class, columns: predicted):");
        long[][] cm = r.confusionMatrix().counts();
        int w = 5;
        for (String n : names) w = Math.max(w, Math.min(12, n.length()) + 1);
        out.print(String.format("%" + w + "s", ""));
        for (int j = 0; j < cm.length; j++) out.print(String.format("%" + w + "s", abbreviate(names, j, w - 1)));
        out.println();
        for (int i = 0; i < cm.length; i++) {
            out.print(String.format("%" + w + "s", abbreviate(names, i, w - 1)));
            for (long v : cm[i]) out.print(String.format("%" + w + "d", v));
            out.println();
        }
        out.printf(Locale.ROOT, "%naccuracy %.4f%n", r.accuracy());
        return 0;
    }

    private static String abbreviate(List<String> names, int i, int max) {
        String n = i < names.size() ? names.get(i) : String.valueOf(i);
        return n.length() <= max ? n : n.substring(0, max - 1) + "…";
    }
}
