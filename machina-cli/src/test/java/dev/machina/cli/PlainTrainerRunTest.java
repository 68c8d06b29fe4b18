package dev.machina.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.data.DataLoader;
import dev.machina.data.Datasets;
import dev.machina.data.Splits;
import dev.machina.data.TensorDataset;
import dev.machina.nn.Dropout;
import dev.machina.nn.Linear;
import dev.machina.nn.Module;
import dev.machina.nn.ReLU;
import dev.machina.nn.Sequential;
import dev.machina.optim.Adam;
import dev.machina.run.RunDirectory;
import dev.machina.run.RunRecorder;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import dev.machina.train.Trainer;
import dev.machina.train.TrainerConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run recorded from a plain Trainer (the README's library path) is listed with its settings and accepted by eval and predict. */
class PlainTrainerRunTest {
    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Main.execute(args, new PrintWriter(o, true), new PrintWriter(e, true));
        return new Result(code, o.toString(), e.toString());
    }

    static Path train(Path runs, String name, Module model, TensorDataset train) {
        Adam opt = new Adam(model.parameters(), Adam.Config.defaults().withLr(2e-3));
        RunDirectory run;
        try {
            run = RunDirectory.create(runs, name);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        RunRecorder recorder = new RunRecorder(run, Map.of("model", "64-32-10"), Map.of("name", "digits"), Map.of());
        new Trainer(TrainerConfig.builder().epochs(4).optimizer(opt).seed(1).callback(recorder).build())
                .fit(model, DataLoader.builder(train).batchSize(16).shuffle(1).build(), null);
        return run.dir();
    }

    @Test
    void isListedAndAcceptedByEvalAndPredict(@TempDir Path dir) throws Exception {
        TensorDataset all = Datasets.digits();
        Splits.Split s = Splits.stratified(all.labels(), 0.2, 1);
        TensorDataset train = s.trainOf(all), test = s.validationOf(all);
        Rng rng = new Rng(1);
        Path runs = dir.resolve("runs");
        Path runDir = train(runs, "plain", new Sequential(new Linear(64, 32, true, rng), new ReLU(), new Dropout(0.1f), new Linear(32, 10, true, rng)), train);

        Result list = run("runs", "list", runs.toString());
        assertThat(list.code()).isZero();
        String row = list.out().lines().filter(l -> l.contains("plain")).findFirst().orElseThrow();
        assertThat(row).contains("adam", "0.002", "16").doesNotContain("—  —");

        Path csv = dir.resolve("test.csv");
        StringBuilder sb = new StringBuilder();
        float[] x = test.features().data();
        for (int i = 0; i < test.size(); i++) {
            for (int j = 0; j < 64; j++) sb.append((int) x[i * 64 + j]).append(',');
            sb.append(test.labels()[i]).append('\n');
        }
        Files.writeString(csv, sb.toString());
        Result eval = run("eval", runDir.toString(), "--data", csv.toString());
        assertThat(eval.code()).as(eval.err()).isZero();
        double acc = Double.parseDouble(eval.out().lines().filter(l -> l.startsWith("accuracy ")).findFirst().orElseThrow().substring(9));
        assertThat(acc).isGreaterThan(0.85);

        Result noData = run("eval", runDir.toString());
        assertThat(noData.code()).isEqualTo(2);
        assertThat(noData.err()).contains("recorded from plain Java code").contains("--data");

        Path input = dir.resolve("input.csv");
        Files.writeString(input, String.join("\n", sb.toString().lines().limit(5).map(l -> l.substring(0, l.lastIndexOf(','))).toList()) + "\n");
        Result predict = run("predict", runDir.toString(), input.toString());
        assertThat(predict.code()).as(predict.err()).isZero();
        assertThat(predict.out().lines().skip(1).count()).isEqualTo(5);
    }

    @Test
    void aModelWithAnUnknownLayerSaysWhatIsMissing(@TempDir Path dir) {
        Rng rng = new Rng(2);
        Module custom = new Module() {
            final Linear inner = registerModule("inner", new Linear(64, 10, true, rng));

            @Override
            public Tensor forward(Tensor input) {
                return inner.forward(input);
            }
        };
        Path runDir = train(dir.resolve("runs"), "custom", custom, Datasets.digits());
        Result eval = run("eval", runDir.toString(), "--data", "whatever.csv");
        assertThat(eval.code()).isEqualTo(2);
        assertThat(eval.err()).contains("has weights but no description of its model").contains("spec.yaml").contains("model.layers");
    }
}
