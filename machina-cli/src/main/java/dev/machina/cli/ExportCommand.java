package dev.machina.cli;

import dev.machina.experiment.TrainedModel;
import dev.machina.experiment.UserError;
import dev.machina.onnx.OnnxExport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** `machina export RUN_DIR --format onnx [-o FILE]`: the run's model as an ONNX file. */
@Command(mixinStandardHelpOptions = true, name = "export", description = {"Write a trained run's model as an ONNX file (opset 17) for ONNX Runtime.",
    "The graph takes raw inputs, as predict does: the run's input transform is its first ops.",
    "Input 'input' [batch, example shape...] (batch and, for sequence models, length dynamic); output 'output', the model's output."})
final class ExportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_DIR")
    Path runDir;

    @Option(names = "--format", defaultValue = "onnx", description = "The file format; onnx is the one there is (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where to write (default: RUN_DIR/model.onnx).")
    Path output;

    @Override
    public Integer call() {
        if (!"onnx".equals(format)) throw new UserError("--format: unknown format '" + format + "'; the one supported is onnx");
        TrainedModel tm = TrainedModel.load(runDir);
        Path file = output != null ? output : runDir.resolve("model.onnx");
        try {
            OnnxExport.of(tm.model(), tm.featureShape()).transform(tm.transform()).classNames(tm.classNames()).vocabulary(tm.vocabulary()).write(file);
        } catch (IllegalArgumentException e) {
            throw new UserError(runDir + ": " + e.getMessage());
        } catch (IOException e) {
            throw new UserError("cannot write " + file + ": " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("machina: wrote " + file + " (ONNX opset " + OnnxExport.OPSET + "; input 'input' [batch, " + String.join(", ",
                Arrays.stream(tm.featureShape()).mapToObj(String::valueOf).toList()) + "], output 'output')");
        out.flush();
        return 0;
    }
}
