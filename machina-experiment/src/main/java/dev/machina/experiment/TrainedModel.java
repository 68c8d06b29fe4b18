package dev.machina.experiment;

import com.fasterxml.jackson.databind.JsonNode;
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

/**
 * A model reloaded from a run directory, as Keras's {@code load_model} does: its weights, class
 * names, fitted input transform and, for a run trained from a spec, the spec. A run recorded from
 * plain Java code ({@code Trainer} with a {@code RunRecorder}) loads too when its run.json holds
 * the model's layer list ({@code model.layers}, recorded when every layer is a built-in one); it
 * has no spec.
 *
 * @param experiment the run's spec, or null for a run recorded from plain Java code
 */
public record TrainedModel(Path runDir, Experiment experiment, Module model, List<String> classNames, int[] featureShape, FeatureTransform transform,
                    List<String> vocabulary) {

    /** The settings a CSV for this model is read with: the spec's data section, or CSV defaults (header, comma, last column the label). */
    public Experiment.Data csvSettings() {
        return experiment != null ? experiment.data() : new Experiment.Data("csv", Map.of());
    }

    @SuppressWarnings("unchecked")
    public static TrainedModel load(Path runDir) {
        if (!Files.isDirectory(runDir)) throw new UserError(runDir + " does not exist or is not a directory");
        Path specFile = runDir.resolve("spec.yaml"), weights = runDir.resolve(RunDirectory.MODEL);
        if (!Files.isRegularFile(weights)) {
            throw new UserError(runDir + " has no " + RunDirectory.MODEL + " (the run did not finish an epoch)"
                    + (Files.isRegularFile(specFile) ? "; resume it with ./machina train --resume " + runDir : ""));
        }
        SafeTensors.Contents c;
        try {
            c = SafeTensors.read(weights);
        } catch (IOException e) {
            throw new UserError("cannot read " + weights + ": " + e.getMessage());
        }
        ObjectMapper json = new ObjectMapper();
        try {
            Map<String, String> meta = c.metadata();
            List<String> names = meta.containsKey("class_names") ? json.readValue(meta.get("class_names"), List.class) : List.of();
            int[] shape = json.readValue(meta.getOrDefault("feature_shape", "null"), int[].class);
            if (shape == null) throw new UserError(weights + " has no feature_shape in its metadata, which rebuilding the model needs (the shape of one example)");
            FeatureTransform tf = meta.containsKey("transform") ? FeatureTransform.fromState(json.readValue(meta.get("transform"), Map.class)) : null;
            List<String> vocab = meta.containsKey("vocabulary") ? json.readValue(meta.get("vocabulary"), List.class) : null;
            int[] outShape = meta.containsKey("output_shape") ? json.readValue(meta.get("output_shape"), int[].class) : null;
            boolean classification = "classification".equals(meta.getOrDefault("task", "classification"));
            Experiment exp = Files.isRegularFile(specFile) ? Experiment.load(specFile, List.of()) : null;
            Experiment layers = exp != null ? exp : recordedLayers(runDir, json);
            Module model = Build.model(layers, shape, classification ? names.size() : 0, vocab == null ? 0 : vocab.size(), outShape);
            model.loadStateDict(c.tensors());
            model.eval();
            return new TrainedModel(runDir, exp, model, classification ? names : List.of(), shape, tf, vocab);
        } catch (IOException e) {
            throw new UserError(weights + ": malformed metadata: " + e.getMessage());
        }
    }

    /** The layer list run.json records for a run from plain Java code, as an experiment to build it from. */
    private static Experiment recordedLayers(Path runDir, ObjectMapper json) throws IOException {
        Path record = runDir.resolve(RunDirectory.RUN_JSON);
        JsonNode layers = Files.isRegularFile(record) ? json.readTree(record.toFile()).path("model").path("layers") : null;
        if (layers == null || !layers.isArray()) {
            throw new UserError(runDir + " has weights but no description of its model: neither spec.yaml (a run trained from a spec) nor a layer list "
                    + "in run.json's model.layers (recorded for a Sequential of built-in layers when machina-experiment is on the class path)");
        }
        return Experiment.parse(record.toString(), "data: digits\nmodel: " + json.writeValueAsString(layers) + "\n", List.of());
    }
}
