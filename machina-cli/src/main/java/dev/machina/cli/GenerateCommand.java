package dev.machina.cli;

import dev.machina.experiment.TrainedModel;
import dev.machina.experiment.UserError;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** `machina generate RUN_DIR`: sample text from a character-level language model. */
@Command(mixinStandardHelpOptions = true, name = "generate", description = {"Sample text from a character model trained on data.dataset: text.",
    "Deterministic for a given --seed."})
final class GenerateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_DIR")
    java.nio.file.Path runDir;

    @Option(names = "--prompt", defaultValue = "", description = "Text to start from (its characters must be in the model's vocabulary).")
    String prompt;

    @Option(names = "--length", defaultValue = "200", description = "Characters to generate (default: ${DEFAULT-VALUE}).")
    int length;

    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature; lower is more conservative (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-k", description = "Sample only among the K most likely characters.")
    Integer topK;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        if (length < 0) throw new UserError("--length must be >= 0, got " + length);
        if (!(temperature > 0)) throw new UserError("--temperature must be positive, got " + temperature);
        if (topK != null && topK < 1) throw new UserError("--top-k must be at least 1, got " + topK);
        TrainedModel tm = TrainedModel.load(runDir);
        if (tm.vocabulary() == null) throw new UserError(runDir + " is not a character model (trained on data.dataset: text)");
        String text;
        try {
            text = tm.generate(prompt, length, temperature, topK, seed);
        } catch (IllegalArgumentException e) {
            throw new UserError("--prompt: " + e.getMessage());
        }
        PrintWriter pw = spec.commandLine().getOut();
        pw.println(text);
        pw.flush();
        return 0;
    }
}
