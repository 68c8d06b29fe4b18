package dev.machina.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CSV whose label is a quantity trains a regression: by itself when the label has fractions, with task: regression otherwise. */
class CsvRegressionTest {
    static Path csv(Path dir, boolean integral) throws Exception {
        StringBuilder b = new StringBuilder("x1,x2,y\n");
        Random r = new Random(3);
        for (int i = 0; i < 400; i++) {
            double x1 = r.nextDouble() * 4 - 2, x2 = r.nextDouble() * 4 - 2, y = 3 * x1 - 2 * x2 + 0.05 * r.nextGaussian();
            b.append(String.format(Locale.ROOT, "%.4f,%.4f,%s%n", x1, x2, integral ? String.valueOf(Math.round(10 * y)) : String.format(Locale.ROOT, "%.4f", y)));
        }
        Path f = dir.resolve(integral ? "integral.csv" : "fractional.csv");
        Files.writeString(f, b.toString());
        return f;
    }

    static SpecRunner.Result train(Path dir, Path file, String extra) throws Exception {
        Experiment e = Experiment.parse("reg.yaml", """
                name: csv-regression
                seed: 1
                data: {dataset: csv, path: %s, label: y%s}
                model: [{linear: 32}, relu, {linear: 1}]
                optimizer: {name: adam, lr: 1.0e-2}
                training: {epochs: 40, batch_size: 32}
                """.formatted(file, extra), List.of());
        return SpecRunner.of(e).runsDir(dir.resolve("runs")).report(false).run();
    }

    @Test
    void aFractionalLabelIsARegressionTarget(@TempDir Path dir) throws Exception {
        SpecRunner.Result r = train(dir, csv(dir, false), "");
        assertThat(r.report()).as("no classification report").isNull();
        assertThat(((Number) r.testResults().get("r2")).doubleValue()).isGreaterThan(0.95);
        assertThat(r.setup().outputShape()).containsExactly(1);
    }

    @Test
    void anIntegralLabelIsClassesUnlessTheSpecSaysRegression(@TempDir Path dir) throws Exception {
        Path f = csv(dir, true);
        assertThat(Prepared.of(Experiment.parse("c.yaml", "data: {dataset: csv, path: " + f + ", label: y}\nmodel: [{linear: 2}]\n", List.of()))
                .train().isClassification()).isTrue();
        SpecRunner.Result r = train(dir, f, ", task: regression");
        assertThat(r.report()).isNull();
        assertThat(((Number) r.testResults().get("r2")).doubleValue()).isGreaterThan(0.95);
    }
}
