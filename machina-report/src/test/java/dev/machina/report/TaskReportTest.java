package dev.machina.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.machina.experiment.SpecRunner;
import dev.machina.experiment.TrainedModel;
import dev.machina.run.Numbers;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

/** The report fits the task: a regression's errors and predictions, a language model's perplexity and samples, and nothing of classification. */
class TaskReportTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> CLASSIFICATION_WORDS = List.of("Accuracy", "accuracy", "Confusion", "confusion", "Per-class", "per-class",
            "ROC", "Precision-recall", "Misclassified");

    static Path sine, text;

    @TempDir
    Path tmp;

    @BeforeAll
    static void train() throws IOException {
        sine = TrainedRuns.sine();
        text = TrainedRuns.text();
    }

    @Test
    void aSeriesRegressionShowsItsErrorsPredictedAgainstActualAndTheForecast() throws Exception {
        Path run = copy(sine);

        ReportWriter.Result r = ReportWriter.write(run);

        assertThat(r.missing()).isEmpty();
        assertThat(pngs(r)).containsExactly("loss", "learning_rate", "predicted_vs_actual", "forecast");
        for (String p : List.of("predicted_vs_actual", "forecast")) {
            BufferedImage img = ImageIO.read(run.resolve("plots/" + p + ".png").toFile());
            assertThat(ReportWriterTest.distinctColours(img)).as(p + " is drawn").isGreaterThan(20);
        }
        String html = Files.readString(r.html());
        assertThat(html).doesNotContain("Not in this report");
        for (String w : CLASSIFICATION_WORDS) assertThat(html).doesNotContain(w);
        JsonNode test = JSON.readTree(run.resolve("test-results.json").toFile());
        String results = section(html, "Test results");
        assertThat(results).contains("mean squared error (MSE)</td><td>" + Numbers.format(test.path("mse").asDouble()),
                "root mean squared error (RMSE)</td><td>" + Numbers.format(test.path("rmse").asDouble()),
                "mean absolute error (MAE)</td><td>" + Numbers.format(test.path("mae").asDouble()),
                "(R²)</td><td>" + Numbers.format(test.path("r2").asDouble()), "Each point is one predicted value against its target",
                "The test part of the series, predicted one step ahead");
        assertThat(ReportWriterTest.inlineSvgs(results)).hasSize(2);
        assertThat(section(html, "Summary")).contains("test R²").doesNotContain("final test_");
        ReportWriterTest.assertSelfContained(html);

        // the figures hold the run's own values: every test value in the scatter, the forecast along the test steps
        RunData data = RunData.load(run);
        assertThat(data.task).isEqualTo(RunData.Task.REGRESSION);
        int n = test.path("examples").asInt();
        XYChart scatter = Charts.predictedVsActual(data.predictions);
        assertThat(scatter.getSeriesMap().get("test values").getXData()).hasSize(n);
        assertThat(scatter.getStyler().getXAxisMin()).isEqualTo(scatter.getStyler().getYAxisMin());
        assertThat(scatter.getStyler().getXAxisMax()).isEqualTo(scatter.getStyler().getYAxisMax());
        XYChart forecast = Charts.forecast(data.predictions, 1);
        double[] steps = forecast.getSeriesMap().get("actual").getXData();
        assertThat(steps).hasSize(n);
        assertThat(steps[n - 1]).as("the last value predicted is the series' last step").isEqualTo(599.0);
        assertThat(steps[n - 1] - steps[0]).isEqualTo(n - 1.0);
    }

    @Test
    void aRegressionWithoutSavedPredictionsSaysSoAndStillShowsItsErrors() throws Exception {
        Path run = copy(sine);
        Files.delete(run.resolve(SpecRunner.TEST_PREDICTIONS));

        ReportWriter.Result r = ReportWriter.write(run);

        assertThat(r.missing()).singleElement().asString().contains(SpecRunner.TEST_PREDICTIONS, "is missing");
        assertThat(pngs(r)).containsExactly("loss", "learning_rate");
        String html = Files.readString(r.html());
        for (String w : CLASSIFICATION_WORDS) assertThat(html).doesNotContain(w);
        assertThat(section(html, "Test results")).contains("mean squared error (MSE)", "No predicted-vs-actual plot");
    }

    @Test
    void aRegressionThatIsNotASeriesGetsNoForecast() throws Exception {
        Path run = copy(sine);
        List<String> lines = Files.readAllLines(run.resolve(SpecRunner.TEST_PREDICTIONS));
        List<String> plain = new ArrayList<>(List.of("example,output,actual,predicted"));
        for (String l : lines.subList(1, lines.size())) {
            String[] c = l.split(",");
            plain.add(c[0] + "," + c[1] + "," + c[3] + "," + c[4]);
        }
        Files.write(run.resolve(SpecRunner.TEST_PREDICTIONS), plain);
        ObjectNode rec = (ObjectNode) JSON.readTree(run.resolve("run.json").toFile());
        ((ObjectNode) rec.path("dataset")).put("name", "csv");
        Files.writeString(run.resolve("run.json"), JSON.writeValueAsString(rec));

        ReportWriter.Result r = ReportWriter.write(run);

        assertThat(r.missing()).isEmpty();
        assertThat(pngs(r)).containsExactly("loss", "learning_rate", "predicted_vs_actual");
    }

    @Test
    void aRegressionNotYetTestedSaysSoInOneLine() throws Exception {
        Path run = copy(sine);
        Files.delete(run.resolve(SpecRunner.TEST_PREDICTIONS));
        Files.delete(run.resolve("test-results.json"));

        ReportWriter.Result r = ReportWriter.write(run);

        assertThat(r.missing()).singleElement().asString().startsWith("Test results (errors, predicted vs actual, forecast)");
        String html = Files.readString(r.html());
        assertThat(section(html, "Test results")).contains("No test results: test-results.json is missing");
        for (String w : CLASSIFICATION_WORDS) assertThat(html).doesNotContain(w);
    }

    @Test
    void aLanguageModelShowsPerplexityAndSamplesTheGenerateCommandWouldWrite() throws Exception {
        Path run = copy(text);

        ReportWriter.Result r = ReportWriter.write(run);

        assertThat(r.missing()).isEmpty();
        assertThat(pngs(r)).containsExactly("loss", "perplexity", "learning_rate");
        String html = Files.readString(r.html());
        assertThat(html).doesNotContain("Not in this report");
        for (String w : CLASSIFICATION_WORDS) assertThat(html).doesNotContain(w);
        JsonNode test = JSON.readTree(run.resolve("test-results.json").toFile());
        String results = section(html, "Test results");
        assertThat(results).contains("perplexity</td><td>" + Numbers.format(test.path("perplexity").asDouble()), "Generated samples",
                "--length 200 --temperature 0.8 --seed 0");
        TrainedModel tm = TrainedModel.load(run);
        for (int seed = 0; seed < 3; seed++) {
            String sample = tm.generate("", 200, 0.8, null, seed);
            assertThat(sample).hasSize(200);
            assertThat(results).contains("<pre class=\"sample\">" + Html.esc(sample) + "</pre><figcaption>seed " + seed);
        }
        // written again, the report has the same samples
        assertThat(section(Files.readString(ReportWriter.write(run).html()), "Test results")).isEqualTo(results);
        ReportWriterTest.assertSelfContained(html);

        // the perplexity curves are the exponential of the per-character losses
        RunData data = RunData.load(run);
        assertThat(data.task).isEqualTo(RunData.Task.LANGUAGE_MODEL);
        XYChart ppl = Charts.epochChart(data, "Perplexity", "perplexity", List.of("train_loss", "val_loss"), List.of("train", "validation"),
                Math::exp, new ArrayList<>());
        double[] loss = data.series("val_loss")[1], y = ppl.getSeriesMap().get("validation").getYData();
        assertThat(y).hasSameSizeAs(loss).hasSize(4);
        for (int i = 0; i < y.length; i++) assertThat(y[i]).isCloseTo(Math.exp(loss[i]), within(1e-9));
    }

    @Test
    void aLanguageModelWithoutWeightsStillGetsItsCurvesAndSaysWhyThereAreNoSamples() throws Exception {
        Path run = copy(text);
        Files.delete(run.resolve("model.safetensors"));

        ReportWriter.Result r = ReportWriter.write(run);

        assertThat(r.missing()).singleElement().asString().startsWith("Generated samples").contains("model.safetensors");
        assertThat(pngs(r)).contains("perplexity");
        assertThat(section(Files.readString(r.html()), "Test results")).contains("perplexity", "None: the model could not be loaded");
    }

    @Test
    void aLanguageModelNotYetTestedStillShowsSamplesOfItsSavedWeights() throws Exception {
        Path run = copy(text);
        Files.delete(run.resolve("test-results.json"));

        String results = section(Files.readString(ReportWriter.write(run).html()), "Test results");

        assertThat(results).contains("No test results: test-results.json is missing", "Generated samples",
                Html.esc(TrainedModel.load(run).generate("", 200, 0.8, null, 0)));
    }

    /** The names of the PNGs written, in order. */
    static List<String> pngs(ReportWriter.Result r) {
        return r.plots().stream().map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".png")).map(f -> f.substring(0, f.length() - 4)).toList();
    }

    /** The page from the {@code <h2>} of {@code title} to the next {@code <h2>}. */
    static String section(String html, String title) {
        int a = html.indexOf("<h2>" + title + "</h2>");
        assertThat(a).as("section " + title).isNotNegative();
        int b = html.indexOf("<h2>", a + 4);
        return html.substring(a, b < 0 ? html.length() : b);
    }

    /** A copy of a run directory, so that a test can change it. */
    Path copy(Path run) throws IOException {
        return TrainedRuns.copy(run, tmp);
    }
}
