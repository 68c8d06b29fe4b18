package dev.machina.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExperimentTest {
    static final String GOOD = """
            name: fashion-mlp
            seed: 7
            data: {dataset: fashion-mnist, validation: 0.1, transform: scale}
            model:
              - linear: 256
              - relu
              - dropout: 0.2
              - linear: {out: 10, bias: false}
            loss: cross_entropy
            optimizer: {name: adam, lr: 1.0e-3, weight_decay: 0}
            schedule: {name: cosine}
            training: {epochs: 15, batch_size: 64, early_stopping: {monitor: val_accuracy, patience: 4}}
            """;

    private static Experiment parse(String text, String... sets) {
        return Experiment.parse("spec.yaml", text, List.of(sets));
    }

    private static String error(String text, String... sets) {
        try {
            parse(text, sets);
        } catch (UserError e) {
            return e.getMessage();
        }
        throw new AssertionError("expected the spec to be rejected");
    }

    @Test
    void weightInitialisationPerLayerAndModelWide() {
        Experiment e = Experiment.parse("spec.yaml", "data: digits\nmodel_init: xavier_uniform\nmodel:\n  - {linear: {out: 32, bias_init: zeros}}\n"
                + "  - relu\n  - {linear: {out: 10, init: zeros}}\n", java.util.List.of());
        assertThat(e.model().get(0).args()).containsEntry("init", "xavier_uniform").containsEntry("bias_init", "zeros");
        assertThat(e.model().get(2).args()).containsEntry("init", "zeros");
        var m = (dev.machina.nn.Sequential) Build.model(e, new int[] {64}, 10);
        var l0 = (dev.machina.nn.LazyLinear) m.get(0);
        double bound = Math.sqrt(6.0 / (64 + 32));
        float max = 0;
        for (float v : l0.weight().data()) max = Math.max(max, Math.abs(v));
        assertThat((double) max).isLessThanOrEqualTo(bound).isGreaterThan(0.8 * bound);
        for (float v : l0.bias().data()) assertThat(v).isZero();
        for (float v : ((dev.machina.nn.LazyLinear) m.get(2)).weight().data()) assertThat(v).isZero();
        Experiment back = Experiment.parse("spec.yaml", e.resolvedYaml(), java.util.List.of());
        assertThat(back.resolved()).isEqualTo(e.resolved());
        // without model_init: PyTorch's default, as before (the first layer's weights equal a Linear's built from the same stream)
        Experiment plain = Experiment.parse("spec.yaml", "data: digits\nmodel: [{linear: 10}]\n", java.util.List.of());
        assertThat(plain.model().get(0).args()).containsEntry("init", "default");
        var w = ((dev.machina.nn.LazyLinear) ((dev.machina.nn.Sequential) Build.model(plain, new int[] {64}, 10)).get(0)).weight().data();
        var ref = new dev.machina.nn.Linear(64, 10, true, dev.machina.tensor.Rng.forStream(plain.seed(), 0x496e6974L)).weight().data();
        assertThat(w).isEqualTo(ref);
    }

    @Test
    void seriesTargetsByNameAreTheKeptColumnsOfThatName(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        StringBuilder csv = new StringBuilder("date,temp,humidity\n");
        for (int t = 0; t < 40; t++) csv.append("2026-01-").append(t).append(',').append(t).append(',').append(100 + t).append('\n');
        java.nio.file.Path f = java.nio.file.Files.writeString(dir.resolve("s.csv"), csv.toString());
        // the date column is text: drop it by index; forecast humidity, the second kept column
        Experiment e = Experiment.parse("spec.yaml", "data: {dataset: series, path: " + f + ", drop: [0], targets: [humidity], window: 3,"
                + " transform: none, validation: 0}\nmodel: [{gru: 4}, last_step, {linear: auto}]\n", java.util.List.of());
        Prepared p = Prepared.of(e);
        assertThat(p.train().features().shape(2)).isEqualTo(2);
        assertThat(p.train().targets().data()[0]).isEqualTo(103f);
        Experiment gone = Experiment.parse("spec.yaml", "data: {dataset: series, path: " + f + ", drop: [0, humidity], targets: [humidity]}\n"
                + "model: [{gru: 4}, last_step, {linear: auto}]\n", java.util.List.of());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Prepared.of(gone)).hasMessageContaining("'humidity' is left out by data.features or data.drop");
    }

    @Test
    void aLayerThatCannotTakeItsInputIsALocatedError() {
        Experiment e = Experiment.parse("spec.yaml", "data: digits\nmodel:\n  - linear: 10\n  - softmax: 3\n", java.util.List.of());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Build.model(e, new int[] {64}, 10)).isInstanceOf(UserError.class)
                .hasMessageStartingWith("spec.yaml:4:").hasMessageContaining("model[1]");
    }

    @Test
    void everyResolvedSpecReadsBackToItself() {
        for (String spec : java.util.List.of(
                "data: {dataset: csv, path: x.csv, header: auto, comment: '#', delimiter: tab, skip_rows: 2, drop: [0], label: species}\nmodel: [{linear: auto}]\n",
                "data: {dataset: text, path: t.txt, seq_len: 20}\nmodel: [{embedding: 8}, {lstm: {hidden: 16, layers: 2}}, {linear: auto}]\n",
                "data: {dataset: series, path: s.csv, targets: [temp], window: 10}\nmodel: [{gru: 8}, last_step, {linear: auto}]\n",
                "data: {dataset: sine, length: 500}\nmodel: [{rnn: {hidden: 4, nonlinearity: relu, bidirectional: true}}, last_step, {linear: 1}]\n",
                "data: fashion-mnist\nmodel: [{linear: 32}, {leaky_relu: 0.1}, {dropout: 0.3}, {softmax: -1}, {linear: 10}]\n"
                        + "optimizer: {name: sgd, momentum: 0.9, nesterov: true}\nschedule: {name: multistep, milestones: [2, 4], every: batch}\n"
                        + "loss: {name: cross_entropy, label_smoothing: 0.1}\ntraining: {epochs: 6, early_stopping: true}\n",
                "data: digits\nmodel: [{linear: 10}]\noptimizer: adagrad\nschedule: plateau\n",
                "data: digits\nmodel: [{linear: 10}]\noptimizer: rmsprop\nschedule: {name: onecycle, max_lr: 0.1}\n")) {
            Experiment e = Experiment.parse("spec.yaml", spec, java.util.List.of());
            Experiment back = Experiment.parse("spec.yaml", e.resolvedYaml(), java.util.List.of());
            assertThat(back.resolved()).as(spec).isEqualTo(e.resolved());
        }
    }

    @Test
    void csvSettingsForFilesThatDoNotStartWithTheirData() {
        Experiment e = Experiment.parse("spec.yaml", "data: {dataset: csv, path: x.csv, skip_rows: 1, comment: '#', header: auto, drop: [0, 2]}\n"
                + "model: [{linear: 3}]\n", java.util.List.of());
        assertThat(e.data().skipRows()).isEqualTo(1);
        assertThat(e.data().comment()).isEqualTo('#');
        assertThat(e.data().header()).isNull();
        assertThat(e.data().drop()).containsExactly("0", "2");
        @SuppressWarnings("unchecked")
        var d = (java.util.Map<String, Object>) e.resolved().get("data");
        assertThat(d).containsEntry("skip_rows", 1).containsEntry("comment", "#").containsEntry("header", "auto");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Experiment.parse("spec.yaml", "data: {dataset: csv, path: x.csv, header: maybe}\n"
                + "model: [{linear: 3}]\n", java.util.List.of())).hasMessageContaining("data.header: expected true, false or auto");
    }

    @Test
    void readsTheDocumentedShapeAndFillsDefaults() {
        Experiment e = parse(GOOD);
        assertThat(e.name()).isEqualTo("fashion-mlp");
        assertThat(e.seed()).isEqualTo(7);
        assertThat(e.data().scale()).isEqualTo(1 / 255.0);
        assertThat(e.model()).extracting(Experiment.Layer::kind).containsExactly("linear", "relu", "dropout", "linear");
        assertThat(e.model().get(3).args()).containsEntry("out", 10).containsEntry("bias", false);
        assertThat(e.optimizer().args().get("betas")).isEqualTo(java.util.List.of(0.9, 0.999));
        assertThat(e.schedule().integer("t_max")).isEqualTo(15);
        assertThat(e.training().earlyStopping().restoreBest()).isTrue();
        Map<String, Object> r = e.resolved();
        assertThat(r).containsKeys("name", "seed", "data", "model", "loss", "optimizer", "schedule", "training");
        @SuppressWarnings("unchecked")
        Map<String, Object> opt = (Map<String, Object>) r.get("optimizer");
        assertThat(opt).containsEntry("name", "adam").containsEntry("lr", 1e-3).containsKeys("betas", "eps", "amsgrad");
        // the resolved spec is itself a valid spec that resolves to the same thing
        assertThat(parse(e.resolvedYaml()).resolved()).isEqualTo(r);
    }

    @Test
    void setOverridesAnyKeyAndYamlNumbersWithoutADotWork() {
        Experiment e = parse(GOOD, "optimizer.lr=3e-4", "training.batch_size=128", "data.transform=standardize");
        assertThat(e.optimizer().num("lr")).isEqualTo(3e-4);
        assertThat(e.training().batchSize()).isEqualTo(128);
        assertThat(e.data().transform()).isEqualTo("standardize");
        assertThat(parse("data: digits\nmodel: [{linear: 10}]\noptimizer: sgd\n", "optimizer.momentum=0.9").optimizer().num("momentum")).isEqualTo(0.9);
    }

    @Test
    void unknownKeysNameTheLineAndSuggestTheRightOne() {
        assertThat(error("data: digits\nmodel: [{linear: 10}]\noptimzer: {lr: 0.1}\n"))
                .startsWith("spec.yaml:3:1: unknown key 'optimzer'; did you mean 'optimizer'?");
        assertThat(error("data: digits\nmodel: [{linear: 10}]\ntraining:\n  epoch: 3\n"))
                .startsWith("spec.yaml:4:3: training: unknown key 'epoch'; did you mean 'epochs'?");
        assertThat(error("data: digits\nmodel:\n  - linear: 10\n  - rellu\n"))
                .startsWith("spec.yaml:4:5: model[1]: unknown layer 'rellu'; did you mean 'relu'?");
        assertThat(error("data: digits\nmodel: [{linear: 10}]\noptimizer: {name: adma}\n"))
                .isEqualTo("spec.yaml:3:13: optimizer.name: unknown optimizer 'adma'; did you mean 'adam'? (optimizers: sgd, adam, adamw, rmsprop, adagrad)");
    }

    @Test
    void impossibleValuesAreRejectedWithWhatWasExpected() {
        assertThat(error(GOOD, "optimizer.lr=-0.001")).isEqualTo("--set optimizer.lr: expected a positive number, got -0.001");
        assertThat(error(GOOD.replace("lr: 1.0e-3", "lr: -1"))).isEqualTo("spec.yaml:10:25: optimizer.lr: expected a positive number, got -1");
        assertThat(error(GOOD.replace("batch_size: 64", "batch_size: 0"))).contains("training.batch_size: expected a whole number >= 1, got 0");
        assertThat(error(GOOD.replace("batch_size: 64", "batch_size: many"))).contains("training.batch_size: expected a number, got 'many'");
        assertThat(error(GOOD.replace("dropout: 0.2", "dropout: 1.5"))).contains("model[2].dropout: expected a number in [0.0, 1.0), got 1.5");
        assertThat(error(GOOD.replace("validation: 0.1", "validation: 1"))).contains("data.validation: expected a number in [0.0, 1.0)");
        assertThat(error("data: {dataset: csv}\nmodel: [{linear: 3}]\n")).contains("data.path: required for csv (the CSV file)");
        assertThat(error("model: [{linear: 3}]\n")).contains("required: a data section");
        assertThat(error("data: digits\n")).contains("model: required: a list of layers");
        assertThat(error(GOOD, "training.early_stopping.mode=up")).contains("'up' is not one of auto, min, max");
        // an index beyond int's range is past the list's end, not a NumberFormatException (found by SpecFuzzTest#sweep)
        assertThat(error(GOOD, "model[" + "4".repeat(100) + "].linear=5")).contains("model has 4 item(s) (0..3), so model[444").contains("…");
    }

    @Test
    void malformedYamlNamesTheLine() {
        assertThat(error("data: {dataset: digits\nmodel: [")).startsWith("spec.yaml:2:").contains("malformed YAML");
        assertThat(error("- just\n- a list\n")).contains("a spec must be a mapping");
        assertThat(error("")).contains("the spec is empty");
    }

    @Test
    void jsonSpecsWorkToo() {
        Experiment e = parse("{\"data\": {\"dataset\": \"digits\"}, \"model\": [{\"linear\": 10}], \"optimizer\": {\"name\": \"sgd\", \"lr\": 0.1}}");
        assertThat(e.optimizer().name()).isEqualTo("sgd");
        assertThat(e.optimizer().num("lr")).isEqualTo(0.1);
    }

    @Test
    void didYouMeanOnlySuggestsCloseNames() {
        assertThat(SpecNode.didYouMean("optimzer", Experiment.TOP_KEYS)).isEqualTo("optimizer");
        assertThat(SpecNode.didYouMean("zzzz", Experiment.TOP_KEYS)).isNull();
    }

    @Test
    void aKeyGivenTwiceIsAnErrorNamingBothLines() {
        assertThat(error("seed: 1\ndata: digits\nmodel: [{linear: 10}]\nseed: 2\n"))
                .isEqualTo("spec.yaml:4:1: duplicate key 'seed' (first given on line 1); give each key once");
        assertThat(error("data: digits\nmodel: [{linear: 10}]\noptimizer:\n  name: sgd\n  lr: 0.1\n  lr: 0.2\n"))
                .startsWith("spec.yaml:6:3: duplicate key 'optimizer.lr' (first given on line 5)");
        assertThat(error("{\"data\": \"digits\", \"data\": \"iris\"}")).contains("duplicate key 'data'");
    }

    @Test
    void aSpecOverOneMebibyteIsRefusedBeforeParsing(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path big = dir.resolve("big.yaml");
        java.nio.file.Files.writeString(big, "data: digits\nmodel: [{linear: 10}]\n# " + "x".repeat(2 << 20) + "\n");
        UserError e = org.junit.jupiter.api.Assertions.assertThrows(UserError.class, () -> Experiment.load(big, List.of()));
        assertThat(e.getMessage()).contains(big.toString()).contains("at most 1048576 bytes (1 MiB)");
        assertThat(error("# " + "x".repeat(2 << 20))).contains("at most 1048576 bytes (1 MiB)");
    }

    @Test
    void binaryAndUtf16SpecsSayWhatTheFileIs(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path utf16 = dir.resolve("u16.yaml");
        java.nio.file.Files.writeString(utf16, "data: digits\n", java.nio.charset.StandardCharsets.UTF_16);
        assertThat(org.junit.jupiter.api.Assertions.assertThrows(UserError.class, () -> Experiment.load(utf16, List.of())).getMessage())
                .contains("is UTF-16 text, not a YAML or JSON text file in UTF-8").doesNotContain("Input length");
        java.nio.file.Path bin = dir.resolve("bin.yaml");
        java.nio.file.Files.write(bin, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13, (byte) 0xC3, 0x28});
        assertThat(org.junit.jupiter.api.Assertions.assertThrows(UserError.class, () -> Experiment.load(bin, List.of())).getMessage())
                .contains("is binary").doesNotContain("Input length");
        java.nio.file.Path latin1 = dir.resolve("l1.yaml");
        java.nio.file.Files.write(latin1, "name: caf\u00e9\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThat(org.junit.jupiter.api.Assertions.assertThrows(UserError.class, () -> Experiment.load(latin1, List.of())).getMessage())
                .contains("is not UTF-8 text (byte offset 9");
    }

    @Test
    void nanAndInfinityAreNotFiniteNumbers() {
        assertThat(error(GOOD.replace("lr: 1.0e-3", "lr: .nan"))).contains("spec.yaml:10:").contains("lr: expected a number, got .nan, which is not a finite number")
                .doesNotContain("malformed");
        assertThat(error(GOOD.replace("validation: 0.1", "validation: .inf"))).contains("validation: expected a number, got .inf").contains("not a finite number");
        assertThat(error(GOOD.replace("lr: 1.0e-3", "lr: -.inf"))).contains("not a finite number");
        assertThat(error(GOOD.replace("lr: 1.0e-3", "lr: NaN"))).contains("optimizer.lr: expected a number, got 'NaN', which is not a finite number");
    }
}
