package dev.machina.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.data.Datasets;
import dev.machina.data.TensorDataset;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** eval --data FILE.csv maps the file's labels to the model's classes, and reads a first row of numbers as data. */
class EvalLabelsTest {
    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Main.execute(args, new PrintWriter(o, true), new PrintWriter(e, true));
        return new Result(code, o.toString(), e.toString());
    }

    static Path train(Path dir, String spec) throws Exception {
        Path f = Files.writeString(dir.resolve("spec.yaml"), spec);
        Result r = run("train", f.toString(), "--runs", dir.resolve("runs").toString(), "--progress", "none", "--no-report");
        assertThat(r.code()).as(r.err()).isZero();
        try (Stream<Path> s = Files.list(dir.resolve("runs"))) {
            Path name = s.findFirst().orElseThrow();
            try (Stream<Path> t = Files.list(name)) {
                return t.findFirst().orElseThrow();
            }
        }
    }

    static double accuracy(Result r) {
        return Double.parseDouble(r.out().lines().filter(l -> l.startsWith("accuracy ")).findFirst().orElseThrow().substring(9));
    }

    @Test
    void aFileWithOneClassIsScoredAgainstTheModelsClasses(@TempDir Path dir) throws Exception {
        Path iris = Path.of("..", "examples", "data", "iris.csv").toAbsolutePath().normalize();
        Path run = train(dir, "data: {dataset: csv, path: " + iris + ", label: species}\nmodel: [{linear: 16}, relu, {linear: 3}]\n"
                + "optimizer: {name: adam, lr: 0.01}\ntraining: {epochs: 40, batch_size: 8}\n");
        List<String> lines = Files.readAllLines(iris);
        Path virginica = dir.resolve("virginica.csv");
        Files.writeString(virginica, lines.get(0) + "\n" + String.join("\n", lines.stream().filter(l -> l.endsWith(",virginica")).toList()) + "\n");
        Result r = run("eval", run.toString(), "--data", virginica.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("(50 examples)");
        assertThat(accuracy(r)).isGreaterThan(0.8);
        String setosaRow = r.out().lines().filter(l -> l.strip().startsWith("setosa")).findFirst().orElseThrow();
        assertThat(setosaRow).as("no example is counted as setosa").doesNotContain(" 50 ");

        Path unknown = dir.resolve("unknown.csv");
        Files.writeString(unknown, lines.get(0) + "\n5.0,3.0,1.5,0.2,daisy\n");
        Result u = run("eval", run.toString(), "--data", unknown.toString());
        assertThat(u.code()).isEqualTo(2);
        assertThat(u.err()).contains("line 2").contains("label 'daisy' is not one of the model's classes (setosa, versicolor, virginica)");
    }

    @Test
    void numericLabelsMapToTheDigitClassesAndAHeaderlessFileKeepsItsFirstRow(@TempDir Path dir) throws Exception {
        Path run = train(dir, "data: digits\nmodel: [{linear: 32}, relu, {linear: 10}]\ntraining: {epochs: 8, batch_size: 32}\n");
        TensorDataset all = Datasets.digits();
        StringBuilder only37 = new StringBuilder(), headerless = new StringBuilder();
        float[] x = all.features().data();
        int kept = 0;
        for (int i = 0; i < all.size(); i++) {
            StringBuilder row = new StringBuilder();
            for (int j = 0; j < 64; j++) row.append((int) x[i * 64 + j]).append(',');
            row.append(all.labels()[i]).append('\n');
            if (i < 200) headerless.append(row);
            if ((all.labels()[i] == 3 || all.labels()[i] == 7) && kept++ < 100) only37.append(row);
        }
        Path f37 = Files.writeString(dir.resolve("only37.csv"), only37.toString());
        Result r = run("eval", run.toString(), "--data", f37.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("(100 examples)");
        assertThat(accuracy(r)).isGreaterThan(0.8);
        Path f200 = Files.writeString(dir.resolve("headerless.csv"), headerless.toString());
        Result h = run("eval", run.toString(), "--data", f200.toString());
        assertThat(h.code()).as(h.err()).isZero();
        assertThat(h.out()).contains("(200 examples)");
        // predict takes the same rows, label column included (the training data's last column), and ignores it
        Result p = run("predict", run.toString(), f200.toString());
        assertThat(p.code()).as(p.err()).isZero();
        assertThat(p.out().lines().skip(1).count()).isEqualTo(200);
    }
}
