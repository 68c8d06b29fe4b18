package dev.machina.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.machina.data.DataLoader;
import dev.machina.data.Datasets;
import dev.machina.data.TensorDataset;
import dev.machina.io.SafeTensors;
import dev.machina.nn.Linear;
import dev.machina.nn.ReLU;
import dev.machina.nn.Sequential;
import dev.machina.optim.SGD;
import dev.machina.tensor.Rng;
import dev.machina.train.Trainer;
import dev.machina.train.TrainerConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run recorded from a plain Trainer carries the settings and metadata that listing, eval and predict read. */
class RunRecorderTest {
    @Test
    void aPlainTrainerRunRecordsItsOptimizerBatchSizeAndExampleShape(@TempDir Path dir) throws Exception {
        TensorDataset digits = Datasets.digits().subset(java.util.stream.IntStream.range(0, 300).toArray());
        Rng rng = new Rng(3);
        var model = new Sequential(new Linear(64, 16, true, rng), new ReLU(), new Linear(16, 10, true, rng));
        SGD opt = new SGD(model.parameters(), SGD.Config.lr(0.05));
        RunDirectory run = RunDirectory.create(dir, "plain");
        RunRecorder rec = new RunRecorder(run, Map.of("note", "given by the caller", "training", "kept as given"), Map.of("name", "digits"), Map.of());
        new Trainer(TrainerConfig.builder().epochs(2).optimizer(opt).seed(3).callback(rec).build())
                .fit(model, DataLoader.builder(digits).batchSize(32).shuffle(3).build(), null);
        JsonNode cfg = new ObjectMapper().readTree(run.file(RunDirectory.RUN_JSON).toFile()).get("config");
        assertThat(cfg.get("note").asText()).isEqualTo("given by the caller");
        assertThat(cfg.get("optimizer").get("name").asText()).isEqualTo("sgd");
        assertThat(cfg.get("optimizer").get("lr").asDouble()).isEqualTo(0.05);
        assertThat(cfg.get("training").asText()).as("a key the caller gave is kept").isEqualTo("kept as given");
        assertThat(cfg.get("seed").asLong()).isEqualTo(3);
        JsonNode record = new ObjectMapper().readTree(run.file(RunDirectory.RUN_JSON).toFile());
        assertThat(record.get("model").has("summary")).isTrue();
        assertThat(record.get("model").has("layers")).as("no describer on the core's class path").isFalse();
        Map<String, String> meta = SafeTensors.read(run.file(RunDirectory.MODEL)).metadata();
        assertThat(meta).containsEntry("feature_shape", "[64]").containsEntry("task", "classification");
        assertThat(meta.get("class_names")).startsWith("[\"0\",\"1\"");
    }
}
