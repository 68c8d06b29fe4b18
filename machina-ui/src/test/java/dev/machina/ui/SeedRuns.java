package dev.machina.ui;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Run directories written by hand, as RunRecorder writes them, for tests that need many or odd runs. */
final class SeedRuns {
    private SeedRuns() {}

    /** A finished classification run: run.json, metrics.jsonl with {@code epochs} epochs, log.txt, spec.yaml. */
    static void writeFinished(Path dir, String name, String id, double lr, int batch, int epochs, double testAccuracy) throws IOException {
        Files.createDirectories(dir);
        ObjectNode rec = RunsIndex.JSON.createObjectNode();
        rec.put("name", name);
        rec.put("run_id", id);
        ObjectNode cfg = rec.putObject("config");
        cfg.put("name", name);
        cfg.putObject("data").put("dataset", "digits");
        ArrayNode model = cfg.putArray("model");
        model.addObject().putObject("linear").put("out", 64);
        model.add("relu");
        model.addObject().putObject("linear").put("out", 10);
        cfg.putObject("optimizer").put("name", "adam").put("lr", lr);
        cfg.putObject("training").put("epochs", epochs).put("batch_size", batch);
        rec.putObject("dataset").put("name", "digits");
        rec.putObject("model").put("parameters", 4810);
        rec.put("start_time", "2025-01-01T12:00:00Z");
        rec.put("status", "completed");
        rec.put("duration_s", 12.5);
        rec.putObject("final_metrics").put("test_accuracy", testAccuracy);
        Files.writeString(dir.resolve("run.json"), RunsIndex.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(rec));
        StringBuilder m = new StringBuilder();
        for (int e = 1; e <= epochs; e++) {
            double loss = 2.0 / (e + lr * 10), acc = Math.min(0.99, 0.5 + 0.1 * e);
            m.append(String.format(Locale.ROOT, "{\"type\":\"epoch\",\"epoch\":%d,\"train_loss\":%.4f,\"val_loss\":%.4f,\"train_accuracy\":%.4f,\"val_accuracy\":%.4f,\"lr\":%s}%n",
                    e, loss, loss * 1.1, acc, acc - 0.02, lr));
        }
        Files.writeString(dir.resolve("metrics.jsonl"), m.toString());
        Files.writeString(dir.resolve("log.txt"), "started " + name + "\nended completed\n");
        Files.writeString(dir.resolve("spec.yaml"), "name: " + name + "\noptimizer: {name: adam, lr: " + lr + "}\n");
    }
}
