package dev.machina.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.machina.data.FeatureTransform;
import dev.machina.io.SafeTensors;
import dev.machina.nn.Module;
import dev.machina.run.RunDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A model reloaded from a run directory: its spec, weights, class names and fitted input transform. */
public record TrainedModel(Path runDir, Experiment experiment, Module model, List<String> classNames, int[] featureShape, FeatureTransform transform,
                    List<String> vocabulary) {

    @SuppressWarnings("unchecked")
    public static TrainedModel load(Path runDir) {
        if (!Files.isDirectory(runDir)) throw new UserError(runDir + " does not exist or is not a directory");
        Path specFile = runDir.resolve("spec.yaml"), weights = runDir.resolve(RunDirectory.MODEL);
        if (!Files.isRegularFile(specFile)) throw new UserError(runDir + " is not a run directory made by `machina train` (no spec.yaml)");
        if (!Files.isRegularFile(weights)) {
            throw new UserError(runDir + " has no " + RunDirectory.MODEL + " (the run did not finish an epoch); resume it with ./machina train --resume " + runDir);
        }
        Experiment exp = Experiment.load(specFile, List.of());
        SafeTensors.Contents c;
        try {
            c = SafeTensors.read(weights);
        } catch (IOException e) {
            throw new UserError("cannot read " + weights + ": " + e.getMessage());
        }
        ObjectMapper json = new ObjectMapper();
        try {
            List<String> names = c.metadata().containsKey("class_names") ? json.readValue(c.metadata().get("class_names"), List.class) : List.of();
            int[] shape = json.readValue(c.metadata().getOrDefault("feature_shape", "null"), int[].class);
            if (shape == null) throw new UserError(weights + " has no feature_shape in its metadata; it was not written by `machina train`");
            FeatureTransform tf = c.metadata().containsKey("transform")
                    ? FeatureTransform.fromState(json.readValue(c.metadata().get("transform"), Map.class)) : null;
            List<String> vocab = c.metadata().containsKey("vocabulary") ? json.readValue(c.metadata().get("vocabulary"), List.class) : null;
            int[] outShape = c.metadata().containsKey("output_shape") ? json.readValue(c.metadata().get("output_shape"), int[].class) : null;
            boolean classification = "classification".equals(c.metadata().getOrDefault("task", "classification"));
            Module model = Build.model(exp, shape, classification ? names.size() : 0, vocab == null ? 0 : vocab.size(), outShape);
            model.loadStateDict(c.tensors());
            model.eval();
            return new TrainedModel(runDir, exp, model, classification ? names : List.of(), shape, tf, vocab);
        } catch (IOException e) {
            throw new UserError(weights + ": malformed metadata: " + e.getMessage());
        }
    }
}
