package dev.machina.report;

import static dev.machina.report.Html.esc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.machina.Machina;
import dev.machina.experiment.TrainedModel;
import dev.machina.io.AtomicFiles;
import dev.machina.kernel.Parallel;
import dev.machina.run.Numbers;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Writes a run's figures under {@code plots/} (PNG and SVG each) and one self-contained
 * {@code report.html}: no script, no stylesheet or font from elsewhere, the charts inline as SVG
 * and the misclassified examples as PNG data URIs. Whatever the run directory lacks (a run that
 * crashed after writing run.json, a test without probabilities) is skipped and listed at the top
 * of the report; nothing missing makes it fail.
 */
public final class ReportWriter {
    static {
        Headless.ensure();
    }

    public static final String REPORT = "report.html";
    static final int MAX_EXAMPLES = 24;

    /**
     * What was written.
     *
     * @param html    the report
     * @param plots   every figure file written under plots/ (PNG and SVG)
     * @param missing what the run lacked and which figures or sections were left out because of it
     */
    public record Result(Path html, List<Path> plots, List<String> missing) {}

    private ReportWriter() {}

    /** Writes {@code runDir/plots/*.png|svg} and {@code runDir/report.html}. */
    public static Result write(Path runDir) throws IOException {
        if (!Files.isDirectory(runDir)) throw new IOException(runDir + " does not exist or is not a directory");
        RunData run = RunData.load(runDir);
        Path plots = Files.createDirectories(runDir.resolve("plots"));
        List<String> samples = List.of();
        List<String> skipped;
        Figures figs = new Figures(plots);
        try (figs) {
            RunData.Task task = run.task;
            figs.add("loss", s -> Charts.epochChart(run, "Loss", "loss", List.of("train_loss", "val_loss"), List.of("train", "validation"), s));
            if (task == RunData.Task.CLASSIFICATION) {
                figs.add("accuracy", s -> Charts.epochChart(run, "Accuracy", "accuracy", List.of("train_accuracy", "val_accuracy"), List.of("train", "validation"), s));
            } else if (task == RunData.Task.LANGUAGE_MODEL) {
                figs.add("perplexity", s -> Charts.epochChart(run, "Perplexity", "perplexity (per character)", List.of("train_loss", "val_loss"),
                        List.of("train", "validation"), Math::exp, s));
            }
            figs.add("learning_rate", s -> Charts.lrChart(run, s));
            switch (task) {
                case CLASSIFICATION -> classificationFigures(run, figs);
                case REGRESSION -> {
                    RunData.Predictions p = run.predictions;
                    if (p != null && p.size() > 0) {
                        figs.add("predicted_vs_actual", s -> Charts.predictedVsActual(p));
                        int outputs = java.util.Arrays.stream(p.output()).max().orElse(0) + 1;
                        if (p.series()) figs.add("forecast", s -> Charts.forecast(p, outputs));
                    } else if (p != null) {
                        figs.skipped().add("Predicted vs actual: " + RunData.PREDICTIONS + " holds no values");
                    }
                }
                case LANGUAGE_MODEL -> samples = samples(runDir, figs.skipped());
            }
            skipped = figs.skipped();
        }
        if (run.epochs.isEmpty()) {
            // "metrics.jsonl is missing" (or "has no epoch records") already says it
            skipped.removeIf(s -> s.startsWith("Loss:") || s.startsWith("Accuracy:") || s.startsWith("Perplexity:") || s.startsWith("Learning rate:"));
        }
        if (run.test.isMissingNode() && run.task == RunData.Task.REGRESSION) {
            run.problems.removeIf(s -> s.startsWith(RunData.PREDICTIONS));
            skipped.add("Test results (errors, predicted vs actual" + (isSeries(run) ? ", forecast" : "") + "): test-results.json is missing");
        }

        List<String> missing = new ArrayList<>();
        for (String p : run.problems) if (!(run.test.isMissingNode() && p.startsWith("test-results.json"))) missing.add(p);
        missing.addAll(skipped);
        String html = html(run, figs.drawn, samples, missing);
        Path out = runDir.resolve(REPORT);
        AtomicFiles.writeString(out, html);
        return new Result(out, List.copyOf(figs.files), List.copyOf(missing));
    }

    /** The confusion matrix, per-class scores and PR/ROC curves; what the test results lack is listed once. */
    private static void classificationFigures(RunData run, Figures figs) throws IOException {
        if (run.confusion != null) {
            List<String> names = run.classNames().size() == run.confusion.length ? run.classNames() : List.of();
            figs.addPlot("confusion_matrix", s -> ConfusionPlot.of(run.confusion, names));
        } else {
            figs.skipped().add("Confusion matrix: " + (run.test.isMissingNode() ? "test-results.json is missing" : "test-results.json has none"));
        }
        figs.add("per_class", s -> Charts.perClassChart(run, s));
        figs.add("pr_curves", s -> Charts.curveChart(run.pr, false, s));
        figs.add("roc_curves", s -> Charts.curveChart(run.roc, true, s));
        if (run.test.isMissingNode()) {
            // one line says it better than four
            List<String> skipped = figs.skipped();
            skipped.removeIf(s -> s.startsWith("Per-class") || s.contains("curves") || s.startsWith("Confusion"));
            skipped.add("Test results (confusion matrix, per-class scores, PR and ROC curves): test-results.json is missing");
        }
    }

    private static boolean isSeries(RunData run) {
        String name = run.record.path("dataset").path("name").asText("");
        return name.equals("sine") || name.equals("series");
    }

    static final int SAMPLES = 3, SAMPLE_LENGTH = 200;
    static final double SAMPLE_TEMPERATURE = 0.8;

    /**
     * A language model's samples, as {@code machina generate} writes them: seeds 0, 1 and 2, from
     * a random first character. Drawn from the saved model each time, so the report can be
     * written again with the same text.
     */
    private static List<String> samples(Path runDir, List<String> skipped) {
        if (!Files.exists(runDir.resolve(dev.machina.run.RunDirectory.MODEL))) {
            skipped.add("Generated samples: the run has no model.safetensors (it did not finish an epoch, or failed with no checkpoint to take its last epoch's weights from)");
            return List.of();
        }
        try {
            TrainedModel tm = TrainedModel.load(runDir);
            List<String> out = new ArrayList<>();
            for (int seed = 0; seed < SAMPLES; seed++) out.add(tm.generate("", SAMPLE_LENGTH, SAMPLE_TEMPERATURE, null, seed));
            return out;
        } catch (RuntimeException e) { // the model cannot be rebuilt (no spec, a layer it does not know): the rest of the report stands
            skipped.add("Generated samples: " + e.getMessage());
            return List.of();
        }
    }

    /** A figure written to plots/ and kept as inline SVG for the page. */
    private record Figure(Plot plot, String svg) {}

    /** One figure as drawn on its own: the figure (null: none, or it failed), its files and what it had to leave out. */
    private record Drawn(String name, Figure figure, List<Path> files, List<String> skipped) {}

    /**
     * The figures of one report, drawn on up to {@link Parallel#threads()} threads at once (at
     * most 4; each figure has its own charts, PNG and SVG). Their results are taken in the order
     * the figures were asked for, before anything else reads or adds to the notes, so the page,
     * the files and the notes are the same as when drawn one after another.
     */
    private static final class Figures implements AutoCloseable {
        final Map<String, Figure> drawn = new LinkedHashMap<>();
        final List<Path> files = new ArrayList<>();
        private final List<String> skipped = new ArrayList<>();
        private final List<Future<Drawn>> pending = new ArrayList<>();
        private final Path dir;
        private final ExecutorService pool; // null: each figure is drawn by the caller, when asked for

        Figures(Path dir) {
            this.dir = dir;
            int threads = Math.min(Parallel.threads(), 4);
            this.pool = threads < 2 ? null
                    : Executors.newFixedThreadPool(threads, Thread.ofPlatform().name("machina-report-", 1).daemon().factory());
        }

        /** A chart drawn as a figure; the function gets the list for what the chart has to leave out. */
        void add(String name, Function<List<String>, Chart<?, ?>> chart) throws IOException {
            addPlot(name, s -> {
                Chart<?, ?> c = chart.apply(s);
                return c == null ? null : Plot.of(name, c);
            });
        }

        void addPlot(String name, Function<List<String>, Plot> plot) throws IOException {
            Callable<Drawn> job = () -> draw(name, plot, dir);
            if (pool != null) {
                pending.add(pool.submit(job));
                return;
            }
            take(call(job));
        }

        /** What the report leaves out so far, with every figure asked for drawn: read it and add to it. */
        List<String> skipped() throws IOException {
            for (Future<Drawn> f : pending) take(result(f));
            pending.clear();
            return skipped;
        }

        private void take(Drawn d) {
            skipped.addAll(d.skipped());
            files.addAll(d.files());
            if (d.figure() != null) drawn.put(d.name(), d.figure());
        }

        private static Drawn call(Callable<Drawn> job) throws IOException {
            try {
                return job.call();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private static Drawn result(Future<Drawn> f) throws IOException {
            try {
                return f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while drawing the report's figures");
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof IOException io) throw io;
                if (e.getCause() instanceof RuntimeException r) throw r;
                if (e.getCause() instanceof Error err) throw err;
                throw new IllegalStateException(e.getCause());
            }
        }

        /**
         * After a failure the figures still being drawn are not wanted: they are interrupted, and
         * waited for (a few seconds at most), so that no file appears in the run after the failure
         * is reported.
         */
        @Override
        public void close() {
            if (pool == null) return;
            pool.shutdownNow();
            try {
                pool.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Draws and writes one figure. A chart library failing on odd data (it should not, but the
     * data come from any version of any run) costs that figure only, and the report says so.
     */
    private static Drawn draw(String name, Function<List<String>, Plot> plot, Path dir) throws IOException {
        List<String> skipped = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try {
            Plot p = plot.apply(skipped);
            if (p == null) return new Drawn(name, null, files, skipped);
            String svg = p.writeTo(dir, files);
            return new Drawn(name, new Figure(p, Plot.inline(svg)), files, skipped);
        } catch (RuntimeException e) {
            skipped.add(name + ": could not be drawn (" + e + ")");
            return new Drawn(name, null, List.of(), skipped);
        }
    }

    // ---------------------------------------------------------------- the page

    static final String CSS = """
            :root{color-scheme:light}
            body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;margin:0;background:#f3f4f6;color:#1f2328;line-height:1.45}
            main{max-width:1100px;margin:0 auto;padding:24px 32px 48px;background:#fff;min-height:100vh;box-sizing:border-box}
            h1{font-size:1.7rem;margin:0 0 .2rem;word-break:break-word}
            h2{font-size:1.25rem;margin:2.2rem 0 .7rem;padding-bottom:.3rem;border-bottom:1px solid #e5e7eb}
            h3{font-size:1rem;margin:1.2rem 0 .4rem}
            .sub{color:#57606a;margin-bottom:.8rem}
            .status{display:inline-block;padding:0 .55em;border-radius:.8em;font-size:.85rem;font-weight:600;background:#eaeef2;color:#24292f}
            .status.completed{background:#dafbe1;color:#116329}
            .status.failed,.status.crashed,.status.interrupted{background:#ffebe9;color:#a40e26}
            .status.running{background:#ddf4ff;color:#0550ae}
            .status.stopped-early{background:#fff8c5;color:#7d4e00}
            table{border-collapse:collapse;font-size:.9rem;margin:.4rem 0 1rem}
            th,td{border:1px solid #d0d7de;padding:.25rem .65rem;text-align:left;vertical-align:top}
            th{background:#f6f8fa;font-weight:600}
            td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
            tr.avg td{background:#fafbfc}
            tr.sep td{border-top:2px solid #8c959f}
            table.kv td:first-child{color:#57606a;white-space:nowrap;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.83rem}
            table.kv td{word-break:break-word}
            .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:14px;align-items:start}
            figure{margin:0 0 14px}
            figure svg{max-width:100%;height:auto;display:block;box-sizing:border-box;border:1px solid #eaecef;border-radius:4px}
            figcaption{color:#57606a;font-size:.82rem;margin-top:.25rem}
            .notes{background:#fff8c5;border:1px solid #e3cf75;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
            .notes h2{border:0;margin:.3rem 0;font-size:1rem}
            .notes ul{margin:.2rem 0 .4rem;padding-left:1.3rem}
            .error{background:#ffebe9;border:1px solid #ff8182;border-radius:6px;padding:.5rem 1rem}
            pre.sample{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85rem;margin:0}
            pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.8rem;overflow:auto;font-size:.82rem;line-height:1.35}
            .examples{display:flex;flex-wrap:wrap;gap:12px}
            .examples figure{width:112px;margin:0;text-align:center;font-size:.75rem;line-height:1.3}
            .examples figcaption div{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
            .examples img{width:84px;image-rendering:pixelated;border:1px solid #d0d7de;background:#000}
            .wrong{color:#a40e26}
            .cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:0 24px}
            footer{margin-top:2.5rem;color:#8c959f;font-size:.8rem}
            """;

    static String html(RunData run, Map<String, Figure> figs, List<String> samples, List<String> missing) {
        JsonNode rec = run.record;
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(esc(run.name())).append(" · ").append(esc(run.id())).append(" · machina report</title>\n")
                .append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n<main>\n");

        // header
        String status = run.info.status();
        h.append("<h1>").append(esc(run.name())).append("</h1>\n<div class=\"sub\">run <code>").append(esc(run.id()))
                .append("</code> &middot; <span class=\"status ").append(esc(status.replaceAll("[^a-z-]", ""))).append("\">")
                .append(esc(status)).append("</span></div>\n");
        Map<String, String> facts = new LinkedHashMap<>();
        put(facts, "started", text(rec.path("start_time")));
        put(facts, "ended", text(rec.path("end_time")));
        if (rec.path("duration_s").isNumber()) facts.put("duration", duration(rec.path("duration_s").asDouble()));
        put(facts, "epochs completed", text(rec.path("epochs_completed")));
        put(facts, "steps", text(rec.path("steps")));
        put(facts, "stop reason", text(rec.path("stop_reason")));
        put(facts, "directory", run.dir.toAbsolutePath().toString());
        kvTable(h, facts);
        if (rec.hasNonNull("error")) {
            h.append("<div class=\"error\"><strong>Error:</strong> ").append(esc(text(rec.path("error")))).append("</div>\n");
        }
        if (!missing.isEmpty()) {
            h.append("<section class=\"notes\"><h2>Not in this report</h2><ul>\n");
            for (String m : missing) h.append("<li>").append(esc(m)).append("</li>\n");
            h.append("</ul></section>\n");
        }

        // summary
        Map<String, String> summary = new LinkedHashMap<>();
        for (String[] k : new String[][] {{"mse", "test MSE"}, {"rmse", "test RMSE"}, {"mae", "test MAE"}, {"r2", "test R²"}}) {
            if (run.task == RunData.Task.REGRESSION && run.test.path(k[0]).isNumber()) summary.put(k[1], Numbers.format(run.test.path(k[0]).asDouble()));
        }
        if (run.task == RunData.Task.LANGUAGE_MODEL) {
            if (run.test.path("perplexity").isNumber()) summary.put("test perplexity", Numbers.format(run.test.path("perplexity").asDouble()));
            if (!Double.isNaN(run.info.best("val_loss"))) summary.put("best val perplexity", Numbers.format(Math.exp(run.info.best("val_loss"))));
        }
        if (run.test.path("accuracy").isNumber()) summary.put("test accuracy", Numbers.format(run.test.path("accuracy").asDouble()));
        if (run.test.path("log_loss").isNumber()) summary.put("test log-loss", Numbers.format(run.test.path("log_loss").asDouble()));
        if (run.test.path("roc_auc").path("macro avg").isNumber()) summary.put("test ROC AUC (macro)", Numbers.format(run.test.path("roc_auc").path("macro avg").asDouble()));
        if (run.test.path("average_precision").path("macro avg").isNumber()) summary.put("test average precision (macro)", Numbers.format(run.test.path("average_precision").path("macro avg").asDouble()));
        if (!Double.isNaN(run.info.best("val_accuracy"))) summary.put("best val accuracy", Numbers.format(run.info.best("val_accuracy")));
        if (!Double.isNaN(run.info.best("val_loss"))) summary.put("best val loss", Numbers.format(run.info.best("val_loss")));
        for (Map.Entry<String, JsonNode> f : rec.path("final_metrics").properties()) {
            if (f.getKey().startsWith("test_") && !run.test.isMissingNode()) continue; // the test results say it, above and below
            summary.putIfAbsent("final " + f.getKey(), f.getValue().isNumber() ? Numbers.format(f.getValue().asDouble()) : text(f.getValue()));
        }
        if (!summary.isEmpty()) {
            h.append("<h2>Summary</h2>\n");
            kvTable(h, summary);
        }

        // training
        h.append("<h2>Training</h2>\n");
        if (figs.containsKey("loss") || figs.containsKey("accuracy") || figs.containsKey("perplexity") || figs.containsKey("learning_rate")) {
            h.append("<div class=\"grid\">\n");
            figure(h, figs.get("loss"), null);
            figure(h, figs.get("accuracy"), null);
            figure(h, figs.get("perplexity"), "The exponential of the cross-entropy per character: the number of equally likely characters it amounts to.");
            figure(h, figs.get("learning_rate"), null);
            h.append("</div>\n");
        } else {
            h.append("<p>No per-epoch metrics were recorded.</p>\n");
        }

        // test
        h.append("<h2>Test results</h2>\n");
        if (run.test.isMissingNode()) {
            h.append("<p>No test results: test-results.json is missing (the run was not evaluated, or stopped before).</p>\n");
            if (run.task == RunData.Task.LANGUAGE_MODEL) samples(h, run, samples); // from the weights it saved
        } else if (run.task == RunData.Task.REGRESSION) {
            regressionResults(h, run, figs);
        } else if (run.task == RunData.Task.LANGUAGE_MODEL) {
            languageModelResults(h, run, samples);
        } else {
            figure(h, figs.get("confusion_matrix"), "Rows are the true class, columns the predicted one; shading is the share of the row.");
            classTable(h, run);
            figure(h, figs.get("per_class"), null);
            figure(h, figs.get("pr_curves"), "One-vs-rest; AP is the average precision of each class.");
            figure(h, figs.get("roc_curves"), "One-vs-rest; the dashed diagonal is chance.");
            if (!figs.containsKey("confusion_matrix") && run.classes.isEmpty()) {
                h.append("<p>test-results.json holds no classification results: ").append(esc(testKeys(run))).append(".</p>\n");
            }
        }
        if (run.task == RunData.Task.CLASSIFICATION) examples(h, run);

        // model
        JsonNode model = rec.path("model");
        h.append("<h2>Model</h2>\n");
        if (model.isMissingNode()) {
            h.append("<p>No model summary in run.json.</p>\n");
        } else {
            if (model.path("parameters").isNumber()) {
                h.append("<p>").append(String.format(Locale.ROOT, "%,d", model.path("parameters").asLong())).append(" parameters</p>\n");
            }
            if (model.hasNonNull("table")) h.append("<pre>").append(esc(text(model.path("table")))).append("</pre>\n");
            if (model.hasNonNull("summary")) h.append("<pre>").append(esc(text(model.path("summary")))).append("</pre>\n");
        }

        // configuration and provenance
        section(h, "Configuration", "the resolved specification, every default filled in", rec.path("config"));
        section(h, "Training settings", null, rec.path("training"));
        section(h, "Dataset", null, rec.path("dataset"));
        section(h, "Provenance", null, rec.path("provenance"));

        h.append("<footer>Written by machina ").append(esc(Machina.version())).append(" at ").append(esc(Instant.now().toString()))
                .append(". Figures are also in plots/ as PNG and SVG.</footer>\n");
        h.append("</main>\n</body>\n</html>\n");
        return h.toString();
    }

    /** The errors in the targets' units, then the predictions against the targets and, for a series, along its steps. */
    private static void regressionResults(StringBuilder h, RunData run, Map<String, Figure> figs) {
        Map<String, String> m = new LinkedHashMap<>();
        String[][] keys = {{"mse", "mean squared error (MSE)"}, {"rmse", "root mean squared error (RMSE)"}, {"mae", "mean absolute error (MAE)"},
            {"r2", "coefficient of determination (R²)"}, {"test_loss", "test loss (" + run.test.path("loss").asText("the training loss") + ")"},
            {"values", "values compared"}, {"examples", "examples"}};
        for (String[] k : keys) if (run.test.path(k[0]).isNumber()) m.put(k[1], Numbers.format(run.test.path(k[0]).asDouble()));
        if (m.isEmpty()) h.append("<p>test-results.json holds no regression errors: ").append(esc(testKeys(run))).append(".</p>\n");
        kvTable(h, m);
        h.append("<div class=\"grid\">\n");
        figure(h, figs.get("predicted_vs_actual"), "Each point is one predicted value against its target; on the dashed line a prediction is exact.");
        h.append("</div>\n");
        figure(h, figs.get("forecast"), "The test part of the series, predicted one step ahead from the window before each step.");
        if (!figs.containsKey("predicted_vs_actual")) {
            h.append("<p>No predicted-vs-actual plot: ").append(RunData.PREDICTIONS).append(" is missing or empty (see the notes above).</p>\n");
        }
    }

    /** The test loss and perplexity, and a few samples of generated text. */
    private static void languageModelResults(StringBuilder h, RunData run, List<String> samples) {
        Map<String, String> m = new LinkedHashMap<>();
        if (run.test.path("test_loss").isNumber()) m.put("test loss (" + run.test.path("loss").asText("cross-entropy") + ")", Numbers.format(run.test.path("test_loss").asDouble()));
        if (run.test.path("perplexity").isNumber()) m.put("perplexity", Numbers.format(run.test.path("perplexity").asDouble()));
        if (run.test.path("examples").isNumber()) m.put("examples (sequences)", Numbers.format(run.test.path("examples").asDouble()));
        if (m.isEmpty()) h.append("<p>test-results.json holds no loss or perplexity: ").append(esc(testKeys(run))).append(".</p>\n");
        kvTable(h, m);
        samples(h, run, samples);
    }

    private static void samples(StringBuilder h, RunData run, List<String> samples) {
        h.append("<h3>Generated samples</h3>\n");
        if (samples.isEmpty()) {
            h.append("<p>None: the model could not be loaded (see the notes above).</p>\n");
            return;
        }
        h.append("<p class=\"sub\">").append(SAMPLE_LENGTH).append(" characters each from a random first character, temperature ")
                .append(SAMPLE_TEMPERATURE).append(", seeds 0 to ").append(samples.size() - 1).append("; the same text again with <code>machina generate ")
                .append(esc(run.dir)).append(" --length ").append(SAMPLE_LENGTH).append(" --temperature ").append(SAMPLE_TEMPERATURE).append(" --seed 0</code>.</p>\n");
        for (int i = 0; i < samples.size(); i++) {
            h.append("<figure><pre class=\"sample\">").append(esc(samples.get(i))).append("</pre><figcaption>seed ").append(i).append("</figcaption></figure>\n");
        }
    }

    /** What test-results.json holds, for a run whose results are not of the task's kind. */
    private static String testKeys(RunData run) {
        List<String> keys = new ArrayList<>();
        run.test.fieldNames().forEachRemaining(keys::add);
        return keys.isEmpty() ? "it is empty" : "it has " + String.join(", ", keys);
    }

    private static void figure(StringBuilder h, Figure f, String caption) {
        if (f == null) return;
        h.append("<figure>").append(f.svg().strip());
        if (caption != null) h.append("<figcaption>").append(esc(caption)).append("</figcaption>");
        h.append("</figure>\n");
    }

    private static void classTable(StringBuilder h, RunData run) {
        if (run.classes.isEmpty()) return;
        JsonNode auc = run.test.path("roc_auc"), ap = run.test.path("average_precision");
        boolean curves = auc.isObject() || ap.isObject();
        h.append("<h3>Per-class scores</h3>\n<table class=\"report\">\n<thead><tr><th>class</th><th class=\"num\">precision</th>"
                + "<th class=\"num\">recall</th><th class=\"num\">f1-score</th><th class=\"num\">support</th>");
        if (curves) h.append("<th class=\"num\">ROC AUC</th><th class=\"num\">avg precision</th>");
        h.append("</tr></thead>\n<tbody>\n");
        for (RunData.ClassScores s : run.classes) {
            scoreRow(h, s, "", curves ? auc.path(s.name()) : null, curves ? ap.path(s.name()) : null);
        }
        long total = run.classes.stream().mapToLong(RunData.ClassScores::support).sum();
        if (run.test.path("accuracy").isNumber()) {
            h.append("<tr class=\"avg sep\"><td>accuracy</td><td></td><td></td><td class=\"num\">")
                    .append(Numbers.format(run.test.path("accuracy").asDouble())).append("</td><td class=\"num\">").append(total).append("</td>");
            if (curves) h.append("<td></td><td></td>");
            h.append("</tr>\n");
        }
        if (run.macro != null) scoreRow(h, run.macro, "avg", curves ? auc.path("macro avg") : null, curves ? ap.path("macro avg") : null);
        if (run.weighted != null) scoreRow(h, run.weighted, "avg", curves ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : null,
                curves ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : null);
        h.append("</tbody>\n</table>\n");
    }

    private static void scoreRow(StringBuilder h, RunData.ClassScores s, String cls, JsonNode auc, JsonNode ap) {
        h.append("<tr").append(cls.isEmpty() ? "" : " class=\"" + cls + "\"").append("><td>").append(esc(s.name())).append("</td>");
        for (double v : new double[] {s.precision(), s.recall(), s.f1()}) h.append("<td class=\"num\">").append(Numbers.format(v)).append("</td>");
        h.append("<td class=\"num\">").append(s.support()).append("</td>");
        if (auc != null) {
            h.append("<td class=\"num\">").append(auc.isNumber() ? Numbers.format(auc.asDouble()) : "").append("</td>");
            h.append("<td class=\"num\">").append(ap.isNumber() ? Numbers.format(ap.asDouble()) : "").append("</td>");
        }
        h.append("</tr>\n");
    }

    private static void examples(StringBuilder h, RunData run) {
        if (run.examples.isEmpty()) return;
        h.append("<h2>Misclassified test examples</h2>\n");
        int shown = Math.min(MAX_EXAMPLES, run.examples.size());
        h.append("<p>").append(shown).append(shown < run.examples.size() ? " of " + run.examples.size() : "")
                .append(" examples the model got wrong: true class, then &rarr; the prediction and its probability")
                .append(" (grey levels scaled to each image's range).</p>\n<div class=\"examples\">\n");
        for (int i = 0; i < shown; i++) {
            RunData.Example e = run.examples.get(i);
            h.append("<figure><img alt=\"test example ").append(e.index()).append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(grey(e.pixels(), run.imageHeight, run.imageWidth))).append("\">")
                    .append("<figcaption><div>test #").append(e.index()).append("</div>");
            String t = esc(run.label(e.trueClass())), p = esc(run.label(e.predicted()));
            h.append("<div title=\"").append(t).append("\">").append(t).append("</div>")
                    .append("<div class=\"wrong\" title=\"predicted ").append(p).append("\">&rarr; ").append(p);
            if (Double.isFinite(e.probability())) h.append(String.format(Locale.ROOT, " %.0f%%", 100 * e.probability()));
            h.append("</div></figcaption></figure>\n");
        }
        h.append("</div>\n");
    }

    /** An h×w grey PNG of the pixels, scaled from their min..max to black..white. */
    static byte[] grey(float[] px, int height, int width) {
        float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
        for (float v : px) {
            if (!Float.isFinite(v)) continue;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float range = max > min ? max - min : 1f;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                float v = px[y * width + x];
                int g = Float.isFinite(v) && Float.isFinite(min) ? Math.round(255 * (v - min) / range) : 0;
                img.getRaster().setSample(x, y, 0, Math.max(0, Math.min(255, g)));
            }
        }
        return Plot.png(img);
    }

    private static void section(StringBuilder h, String title, String note, JsonNode n) {
        h.append("<h2>").append(esc(title)).append("</h2>\n");
        if (n.isMissingNode() || n.isNull()) {
            h.append("<p>Not recorded in run.json.</p>\n");
            return;
        }
        if (note != null) h.append("<p class=\"sub\">").append(esc(note)).append("</p>\n");
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("", n, flat);
        kvTable(h, flat);
    }

    /** Nested objects become dotted keys; arrays of plain values stay on one line. */
    static void flatten(String prefix, JsonNode n, Map<String, String> out) {
        if (n.isObject()) {
            if (n.isEmpty()) out.put(prefix, "{}");
            n.properties().forEach(f -> flatten(prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey(), f.getValue(), out));
        } else if (n.isArray()) {
            boolean plain = true;
            for (JsonNode e : n) plain &= e.isValueNode();
            if (plain) {
                List<String> vals = new ArrayList<>();
                for (JsonNode e : n) vals.add(text(e));
                out.put(prefix, "[" + String.join(", ", vals) + "]");
            } else {
                for (int i = 0; i < n.size(); i++) flatten(prefix + "[" + i + "]", n.get(i), out);
            }
        } else {
            out.put(prefix.isEmpty() ? "value" : prefix, text(n));
        }
    }

    private static void kvTable(StringBuilder h, Map<String, String> kv) {
        if (kv.isEmpty()) return;
        h.append("<table class=\"kv\">\n");
        for (Map.Entry<String, String> e : kv.entrySet()) {
            h.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(esc(e.getValue())).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static void put(Map<String, String> m, String k, String v) {
        if (v != null && !v.isEmpty()) m.put(k, v);
    }

    private static String text(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) return "";
        return n.isValueNode() ? n.asText() : n.toString();
    }

    static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) return "";
        if (seconds < 60) return String.format(Locale.ROOT, "%.1f s", seconds);
        Duration d = Duration.ofMillis(Math.round(seconds * 1000));
        if (d.toHours() > 0) return String.format(Locale.ROOT, "%d h %02d min %02d s", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
        return String.format(Locale.ROOT, "%d min %02d s", d.toMinutes(), d.toSecondsPart());
    }
}
