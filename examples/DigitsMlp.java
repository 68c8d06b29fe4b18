// A complete training program with the Machina library: an MLP on the embedded digits set,
// trained with validation, early stopping and a run directory, then evaluated on a held-out
// test split. Run it with:  ./machina java examples/DigitsMlp.java
import dev.machina.data.DataLoader;
import dev.machina.data.Datasets;
import dev.machina.data.Splits;
import dev.machina.data.Standardizer;
import dev.machina.data.TensorDataset;
import dev.machina.metrics.ClassificationReport;
import dev.machina.nn.Dropout;
import dev.machina.nn.Linear;
import dev.machina.nn.ReLU;
import dev.machina.nn.Sequential;
import dev.machina.optim.Adam;
import dev.machina.optim.lr.CosineAnnealingLR;
import dev.machina.run.RunDirectory;
import dev.machina.run.RunRecorder;
import dev.machina.tensor.Rng;
import dev.machina.train.Evaluator;
import dev.machina.train.History;
import dev.machina.train.Trainer;
import dev.machina.train.TrainerConfig;
import dev.machina.train.callbacks.ConsoleProgress;
import dev.machina.train.callbacks.EarlyStopping;
import dev.machina.train.callbacks.LrScheduleCallback;
import dev.machina.train.callbacks.Monitor;
import dev.machina.train.callbacks.NanGuard;
import java.nio.file.Path;
import java.util.Map;

public class DigitsMlp {
    public static void main(String[] args) throws Exception {
        long seed = 42;
        // 1. Data: 1,797 8×8 digits; 20% held out for the test, 10% of the rest for validation.
        TensorDataset all = Datasets.digits();
        Splits.Split testSplit = Splits.stratified(all.labels(), 0.2, seed);
        TensorDataset rest = testSplit.trainOf(all), test = testSplit.validationOf(all);
        Splits.Split valSplit = Splits.stratified(rest.labels(), 0.1, seed + 1);
        TensorDataset train = valSplit.trainOf(rest), val = valSplit.validationOf(rest);
        Standardizer std = Standardizer.fit(train.features()); // fitted on the training part only
        train = std.apply(train);
        val = std.apply(val);
        test = std.apply(test);

        // 2. Model: PyTorch-style modules, explicit seeded initialisation.
        Rng rng = new Rng(seed);
        var model = new Sequential(
                new Linear(64, 256, true, rng), new ReLU(), new Dropout(0.2f),
                new Linear(256, 128, true, rng), new ReLU(), new Dropout(0.2f),
                new Linear(128, 10, true, rng));
        System.out.println(model);

        // 3. Training: Adam with a cosine schedule, early stopping on validation accuracy.
        Adam opt = new Adam(model.parameters(), Adam.Config.defaults().withLr(1e-3));
        RunDirectory run = RunDirectory.create(Path.of("runs"), "digits-mlp-java");
        RunRecorder recorder = new RunRecorder(run, Map.of("model", "64-256-128-10", "lr", 1e-3, "epochs", 30, "batch_size", 16),
                Map.of("name", "digits", "train", train.size(), "validation", val.size(), "test", test.size()), Map.of());
        TrainerConfig cfg = TrainerConfig.builder().epochs(30).optimizer(opt).seed(seed)
                .callback(new LrScheduleCallback(new CosineAnnealingLR(opt, 30, 0), LrScheduleCallback.Every.EPOCH))
                .callback(new EarlyStopping(Monitor.of("val_accuracy", "max"), 8, 0, true))
                .callback(new NanGuard())
                .callback(new ConsoleProgress(System.out))
                .callback(recorder)
                .checkpointFile(run.checkpoints().resolve("last.safetensors"))
                .build();
        History history = new Trainer(cfg).fit(model,
                DataLoader.builder(train).batchSize(16).shuffle(seed).build(),
                DataLoader.builder(val).batchSize(256).build());

        // 4. Evaluation on the held-out test split.
        ClassificationReport report = Evaluator.report(model, DataLoader.builder(test).batchSize(256).build(), Datasets.DIGIT_CLASSES);
        run.writeTestResults(report.toJson());
        recorder.putFinalMetric("test_accuracy", report.accuracy());
        System.out.println(report);
        System.out.printf("%s after %d epochs; test accuracy %.4f; run directory %s%n",
                history.status().label(), history.size(), report.accuracy(), run.dir());
    }
}
