package dev.machina.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtSession;
import dev.machina.data.Datasets;
import dev.machina.experiment.Experiment;
import dev.machina.experiment.SpecRunner;
import dev.machina.experiment.TrainedModel;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs trained from specs, as `machina train` trains them, exported as `machina export` does,
 * and compared with Machina in ONNX Runtime on raw inputs.
 */
class TrainedRunsExportTest {
    @TempDir
    Path dir;

    private TrainedModel train(String name, String yaml) throws Exception {
        Experiment exp = Experiment.parse(name + ".yaml", yaml, List.of());
        SpecRunner.Result r = SpecRunner.of(exp).runsDir(dir.resolve("runs")).run();
        assertThat(r.finished()).isTrue();
        return TrainedModel.load(r.dir());
    }

    private Path export(TrainedModel tm, String name) throws Exception {
        Path file = dir.resolve(name + ".onnx");
        OnnxExport.of(tm.model(), tm.featureShape()).transform(tm.transform()).classNames(tm.classNames()).vocabulary(tm.vocabulary()).write(file);
        OrtCheck.checker(file);
        return file;
    }

    @Test
    void digitsMlpWithStandardizedInputs() throws Exception {
        TrainedModel tm = train("digits", """
                name: digits
                seed: 1
                data: {dataset: digits, test: 0.2, validation: 0.1, transform: standardize}
                model: [{linear: 64}, relu, {dropout: 0.2}, {linear: 32}, gelu, {linear: 10}]
                training: {epochs: 3, batch_size: 32}
                """);
        Path file = export(tm, "digits");
        Tensor raw = Datasets.digits().features(); // pixels 0..16, as machina predict reads them
        double max = 0;
        for (int b : new int[] {1, 7, 1000}) max = Math.max(max, OrtCheck.assertSame(file, tm.model(), tm.transform(), raw.narrow(0, 0, b)));
        try (OrtSession s = OrtCheck.ENV.createSession(file.toString(), new OrtSession.SessionOptions())) {
            assertThat(s.getMetadata().getCustomMetadata()).containsEntry("class_names", "[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\",\"9\"]");
        }
        System.out.printf("onnx digits mlp max |diff| %.3g%n", max);
    }

    @Test
    void characterModel() throws Exception {
        StringBuilder text = new StringBuilder();
        Rng rng = new Rng(2);
        String[] words = {"the ", "model ", "leaves ", "machina ", "as ", "onnx, ", "and ", "runs.\n"};
        for (int i = 0; i < 600; i++) text.append(words[(int) (rng.nextDouble() * words.length)]);
        Path corpus = dir.resolve("corpus.txt");
        Files.writeString(corpus, text);
        TrainedModel tm = train("chars", """
                name: chars
                seed: 3
                data: {dataset: text, path: %s, seq_len: 24, stride: 24, validation: 0.1, test: 0.1}
                model: [{embedding: {dim: 8}}, {lstm: {hidden: 16}}, {linear: auto}]
                training: {epochs: 2, batch_size: 32}
                """.formatted(corpus));
        Path file = export(tm, "chars");
        int v = tm.vocabulary().size();
        double max = 0;
        for (int b : new int[] {1, 7, 1000}) {
            for (int t : new int[] {1, 24, 40}) {
                float[] idx = new float[b * t];
                for (int i = 0; i < idx.length; i++) idx[i] = (float) Math.floor(rng.nextDouble() * v);
                max = Math.max(max, OrtCheck.assertSame(file, tm.model(), tm.transform(), Tensor.of(idx, b, t)));
            }
        }
        System.out.printf("onnx character model max |diff| %.3g%n", max);
    }

    @Test
    void sineRegressionWithBidirectionalGru() throws Exception {
        TrainedModel tm = train("sine", """
                name: sine
                seed: 4
                data: {dataset: sine, length: 600, window: 20, validation: 0.1, test: 0.1, transform: minmax}
                model: [{gru: {hidden: 12, layers: 2, bidirectional: true}}, last_step, {linear: 1}]
                training: {epochs: 2, batch_size: 32}
                """);
        assertThat(tm.transform()).isNotNull();
        Path file = export(tm, "sine");
        Rng rng = new Rng(5);
        double max = 0;
        for (int b : new int[] {1, 7, 1000}) {
            for (int t : new int[] {5, 20, 33}) max = Math.max(max, OrtCheck.assertSame(file, tm.model(), tm.transform(), Tensor.uniform(rng, -1.5f, 1.5f, b, t, 1)));
        }
        System.out.printf("onnx sine gru max |diff| %.3g%n", max);
    }
}
