// Train a spec from Java exactly as `machina train` does, then load the finished run back and
// use its model, as Keras's load_model does. Run it with:
//   ./machina java examples/TrainSpec.java [SPEC] [RUNS_DIR]
import dev.machina.data.Datasets;
import dev.machina.data.TensorDataset;
import dev.machina.experiment.Experiment;
import dev.machina.experiment.SpecRunner;
import dev.machina.experiment.TrainedModel;
import dev.machina.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;

public class TrainSpec {
    public static void main(String[] args) throws Exception {
        Path spec = Path.of(args.length > 0 ? args[0] : "examples/digits-mlp.yaml");
        Path runs = Path.of(args.length > 1 ? args[1] : "runs");

        // 1. The spec, with a key overridden as --set does.
        Experiment exp = Experiment.load(spec).with("training.epochs", "5");

        // 2. Train, test, record: the same run directory (and, with machina-cli on the class path, the same report).
        SpecRunner.Result result = SpecRunner.of(exp).runsDir(runs).run();
        System.out.printf("%s after %d epochs; test accuracy %.4f; run directory %s%n",
                result.history().status().label(), result.history().size(), result.report().accuracy(), result.dir());

        // 3. Load the run back: the model, its class names and the input transform it was trained with.
        TrainedModel trained = TrainedModel.load(result.dir());
        TensorDataset some = Datasets.digits().subset(new int[] {0, 1, 2, 3, 4});
        Tensor x = trained.transform() == null ? some.features() : trained.transform().apply(some.features());
        int[] predicted = trained.model().forward(x).argmax(1);
        System.out.println("predicted " + Arrays.toString(Arrays.stream(predicted).mapToObj(trained.classNames()::get).toArray())
                + ", true " + Arrays.toString(Arrays.stream(some.labels()).mapToObj(trained.classNames()::get).toArray()));
    }
}
