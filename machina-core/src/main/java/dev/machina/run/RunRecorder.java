package dev.machina.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.machina.data.TensorDataset;
import dev.machina.io.SafeTensors;
import dev.machina.nn.Summary;
import dev.machina.train.Callback;
import dev.machina.train.History;
import dev.machina.train.TrainContext;
import dev.machina.train.Trainer;
import dev.machina.train.callbacks.ConsoleProgress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the run directory as training goes: run.json at the start (status running) and the
 * end (final status, metrics, times), one metrics.jsonl record per epoch (and per logged step),
 * history.csv, log.txt, and model.safetensors with the architecture, class names and fitted
 * input transform in its metadata. Put it after callbacks that change the final weights
 * (early stopping with restore-best), so that it saves what they left.
 */
public final class RunRecorder implements Callback {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RunDirectory run;
    private final Map<String, String> modelMetadata;
    private long startNanos;
    /** Training time of earlier segments of a resumed run. */
    private double priorSeconds;

    /**
     * @param run           the directory to write
     * @param config        the resolved configuration (every setting, defaults filled in)
     * @param dataset       dataset identity: name or path, SHA-256, counts, class names
     * @param modelMetadata extra metadata for model.safetensors (architecture spec, transform, class names as JSON)
     */
    public RunRecorder(RunDirectory run, Map<String, ?> config, Map<String, ?> dataset, Map<String, String> modelMetadata) {
        this.run = run;
        this.modelMetadata = modelMetadata == null ? new LinkedHashMap<>() : new LinkedHashMap<>(modelMetadata);
        var rec = run.record();
        if (config != null) rec.set("config", JSON.valueToTree(config));
        if (dataset != null) rec.set("dataset", JSON.valueToTree(dataset));
    }

    public RunDirectory run() {
        return run;
    }

    @Override
    public void onTrainBegin(TrainContext ctx) {
        startNanos = System.nanoTime();
        var rec = run.record();
        boolean resumed = rec.has("start_time");
        if (!rec.has("provenance")) rec.set("provenance", JSON.valueToTree(Provenance.capture()));
        if (!rec.has("training")) rec.set("training", JSON.valueToTree(ctx.config().describe()));
        describeSettings(ctx);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("summary", ctx.model().repr());
        model.put("parameters", ctx.model().parameterCount());
        ModelDescriber.find().flatMap(d -> d.describe(ctx.model())).ifPresent(layers -> model.put("layers", layers));
        if (ctx.trainLoader() != null && ctx.trainLoader().dataset() instanceof TensorDataset ds) {
            try {
                model.put("table", Summary.table(ctx.model(), ds.featureShape()));
            } catch (RuntimeException e) {
                // a model that cannot take one zero example on its own gets no table; training will say why
            }
        }
        rec.set("model", JSON.valueToTree(model));
        if (!resumed) rec.put("start_time", Instant.now().toString());
        else rec.put("resumed_at", Instant.now().toString());
        priorSeconds = rec.path("duration_s").asDouble(0);
        if (resumed) {
            // what was logged after the checkpoint goes: the resumed run logs it again
            try {
                run.trimToCheckpoint(ctx.epoch(), ctx.globalStep());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot trim " + run.file(RunDirectory.METRICS) + ": " + e.getMessage(), e);
            }
            run.writeHistory(ctx.history().epochs());
        }
        rec.put("status", Trainer.Status.RUNNING.label());
        rec.put("pid", ProcessHandle.current().pid());
        rec.remove("error");
        run.saveRecord();
        run.log((resumed ? "resumed " : "started ") + run.name() + " in " + run.dir()
                + " (" + ctx.model().parameterCount() + " parameters)");
    }

    /**
     * A run recorded from a plain Trainer gets, beside the configuration its caller gave, the
     * spec-shaped settings that listing and comparing runs read (optimizer name and lr, epochs,
     * batch size, seed), and the model file the metadata eval and predict need (the shape of an
     * example, the class names). Keys the caller gave are kept.
     */
    private void describeSettings(TrainContext ctx) {
        var rec = run.record();
        ObjectNode cfg = rec.get("config") instanceof ObjectNode o ? o : rec.putObject("config");
        if (!cfg.has("optimizer")) {
            ObjectNode o = cfg.putObject("optimizer");
            o.put("name", ctx.optimizer().getClass().getSimpleName().toLowerCase(Locale.ROOT));
            o.put("lr", ctx.optimizer().lr());
        }
        if (!cfg.has("training")) {
            ObjectNode t = cfg.putObject("training");
            t.put("epochs", ctx.config().epochs());
            if (ctx.trainLoader() != null) t.put("batch_size", ctx.trainLoader().batchSize());
        }
        if (!cfg.has("seed") && ctx.config().seed() != null) cfg.put("seed", ctx.config().seed());
        if (ctx.trainLoader() != null && ctx.trainLoader().dataset() instanceof TensorDataset ds) {
            try {
                modelMetadata.putIfAbsent("feature_shape", JSON.writeValueAsString(ds.featureShape()));
                if (ds.isClassification()) {
                    modelMetadata.putIfAbsent("task", "classification");
                    modelMetadata.putIfAbsent("class_names", JSON.writeValueAsString(ds.classNames()));
                } else {
                    modelMetadata.putIfAbsent("task", "regression");
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void onBatchEnd(TrainContext ctx, long step, Map<String, Double> logs) {
        int every = ctx.config().logEvery();
        if (every > 0 && step % every == 0) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("type", "step");
            r.putAll(logs);
            Map<String, Object> metrics = clean(r);
            write(ctx, () -> run.appendMetrics(metrics));
        }
    }

    @Override
    public void onEpochEnd(TrainContext ctx, int epoch, Map<String, Double> logs) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("type", "epoch");
        r.putAll(logs);
        r.put("epoch", epoch + 1);
        r.put("step", ctx.globalStep());
        Map<String, Object> metrics = clean(r);
        List<Map<String, Double>> epochs = List.copyOf(ctx.history().epochs()); // each epoch's map is unmodifiable
        String line = ConsoleProgress.format(logs, ctx.config().epochs());
        // the time so far, so that a run killed later still counts this epoch's time
        run.record().put("duration_s", priorSeconds + (System.nanoTime() - startNanos) / 1e9);
        run.record().put("epochs_completed", epoch + 1);
        ObjectNode record = run.record().deepCopy(); // as it is now: the next epoch changes it while this is written
        write(ctx, () -> {
            run.appendMetrics(metrics);
            run.writeHistory(epochs);
            run.log(line);
            run.saveRecord(record);
        });
    }

    /** Hands the files' writes to the trainer ({@link TrainContext#write}: in order, maybe on its writer thread). */
    private static void write(TrainContext ctx, dev.machina.io.WriteBehind.Write w) {
        try {
            ctx.write(w);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    private static Map<String, Object> clean(Map<String, Object> m) {
        // JSON has no NaN/Infinity: write them as null
        Map<String, Object> out = new LinkedHashMap<>();
        for (var e : m.entrySet()) {
            Object v = e.getValue();
            out.put(e.getKey(), v instanceof Double d && !Double.isFinite(d) ? null : v);
        }
        return out;
    }

    @Override
    public void onTrainEnd(TrainContext ctx, Map<String, Double> logs, Throwable error) {
        History h = ctx.history();
        var rec = run.record();
        Trainer.Status status = error != null ? Trainer.Status.FAILED : h.status();
        // the weights before the status: run.json never says completed while model.safetensors is
        // missing or older (a finished run is evaluated again from that file); a failed save fails the run
        RuntimeException saveError = null;
        Exception trimError = null;
        if (status == Trainer.Status.FAILED) {
            // the fit ended at the last epoch whose files and checkpoint were all written: later epochs' records go
            try {
                run.trimToCheckpoint(h.size(), ctx.globalStep());
                run.writeHistory(h.epochs());
                run.trimLog(h.size());
            } catch (IOException | RuntimeException e) {
                if (error != null) error.addSuppressed(e);
                else trimError = e; // a failed stop (NanGuard): said in run.json and log.txt below
            }
        }
        // a failed fit whose weights are later than its last epoch (no checkpoint to take that epoch's from) saves none
        boolean saving = (status != Trainer.Status.FAILED || h.size() > 0) && ctx.weightsMatchHistory();
        if (!saving && h.size() > 0 && java.nio.file.Files.exists(run.file(RunDirectory.MODEL))) {
            try {
                run.log("model.safetensors was not rewritten: it holds the weights of an earlier segment of the run, not epoch " + h.size() + "'s");
            } catch (RuntimeException e) {
                if (error != null) error.addSuppressed(e);
            }
        }
        if (saving) {
            try {
                saveModel(ctx);
            } catch (RuntimeException e) {
                saveError = e;
                if (error == null) {
                    error = e;
                    status = Trainer.Status.FAILED;
                }
            }
        }
        rec.put("status", status.label());
        if (error != null) rec.put("error", String.valueOf(error.getMessage() == null ? error : error.getMessage()));
        else if (!h.reason().isEmpty()) rec.put("stop_reason", h.reason());
        if (trimError != null) rec.put("error", "the records after epoch " + h.size() + " could not be removed: " + trimError.getMessage());
        rec.put("end_time", Instant.now().toString());
        rec.put("duration_s", priorSeconds + (System.nanoTime() - startNanos) / 1e9);
        rec.put("epochs_completed", h.size());
        rec.put("steps", ctx.globalStep());
        Map<String, Object> fin = new LinkedHashMap<>(clean(new LinkedHashMap<>(h.last())));
        if (rec.has("final_metrics")) {
            rec.get("final_metrics").fields().forEachRemaining(f -> fin.putIfAbsent(f.getKey(), JSON.convertValue(f.getValue(), Object.class)));
        }
        rec.set("final_metrics", JSON.valueToTree(fin));
        run.saveRecord();
        run.log("ended " + status.label() + (status == Trainer.Status.FAILED ? " after epoch " + h.size() : "") + (error != null ? ": " + error.getMessage() : h.reason().isEmpty() ? "" : ": " + h.reason())
                + (trimError != null ? "; " + rec.get("error").asText() : ""));
        if (saveError != null) throw saveError;
    }

    private void saveModel(TrainContext ctx) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("machina_version", dev.machina.Machina.version());
        meta.put("architecture", ctx.model().repr());
        meta.putAll(modelMetadata);
        try {
            SafeTensors.write(run.file(RunDirectory.MODEL), ctx.model().stateDict(), meta);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + run.file(RunDirectory.MODEL) + ": " + e.getMessage(), e);
        }
    }

    /** Records extra final metrics (e.g. test accuracy) into run.json. */
    public void putFinalMetric(String name, double value) {
        var rec = run.record();
        var fm = rec.has("final_metrics") ? (com.fasterxml.jackson.databind.node.ObjectNode) rec.get("final_metrics") : rec.putObject("final_metrics");
        fm.put(name, value);
        run.saveRecord();
    }
}
