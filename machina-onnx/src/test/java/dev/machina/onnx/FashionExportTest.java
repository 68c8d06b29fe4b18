package dev.machina.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.data.DataLoader;
import dev.machina.data.Datasets;
import dev.machina.data.Scale;
import dev.machina.data.TensorDataset;
import dev.machina.data.TrainTest;
import dev.machina.nn.Flatten;
import dev.machina.nn.LSTM;
import dev.machina.nn.LastStep;
import dev.machina.nn.Linear;
import dev.machina.nn.Module;
import dev.machina.nn.ReLU;
import dev.machina.nn.RnnConfig;
import dev.machina.nn.Sequential;
import dev.machina.optim.Adam;
import dev.machina.tensor.Rng;
import dev.machina.tensor.Tensor;
import dev.machina.train.Trainer;
import dev.machina.train.TrainerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An MLP and an LSTM trained briefly on 2,000 Fashion-MNIST images, exported with their 1/255 scaling, on raw test images. */
class FashionExportTest {
    static TrainTest fashion;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")),
                "Fashion-MNIST is not installed: apt-get install dataset-fashion-mnist");
        fashion = Datasets.fashionMnist();
    }

    private double trainExportCompare(String name, Module model) throws Exception {
        Scale scale = Scale.by(1 / 255.0);
        TensorDataset train = scale.apply(fashion.train().subset(IntStream.range(0, 2000).toArray()));
        Adam opt = new Adam(model.parameters(), Adam.Config.defaults().withLr(3e-3));
        new Trainer(TrainerConfig.builder().epochs(1).optimizer(opt).seed(1).build()).fit(model, DataLoader.builder(train).batchSize(64).shuffle(1).build(), null);
        Path file = dir.resolve(name + ".onnx");
        OnnxExport.of(model, 28, 28).transform(scale).classNames(Datasets.FASHION_MNIST_CLASSES).write(file);
        Tensor raw = fashion.test().features();
        assertThat(raw.data()[300]).as("raw pixels").isGreaterThanOrEqualTo(0f);
        double max = 0;
        for (int b : new int[] {1, 7, 1000}) max = Math.max(max, OrtCheck.assertSame(file, model, scale, raw.narrow(0, 0, b)));
        OrtCheck.checker(file);
        return max;
    }

    @Test
    void mlp() throws Exception {
        Rng rng = new Rng(1);
        double max = trainExportCompare("fashion-mlp", new Sequential(new Flatten(), new Linear(784, 64, true, rng), new ReLU(), new Linear(64, 10, true, rng)));
        System.out.printf("onnx fashion mlp max |diff| %.3g%n", max);
    }

    @Test
    void lstm() throws Exception {
        Rng rng = new Rng(2);
        double max = trainExportCompare("fashion-lstm", new Sequential(new LSTM(RnnConfig.of(28, 32), rng), new LastStep(1), new Linear(32, 10, true, rng)));
        System.out.printf("onnx fashion lstm max |diff| %.3g%n", max);
    }
}
