package dev.machina.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.machina.tune.Dimension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sweep specs: what they mean, and one-line located errors (exit code 2) for bad ones. */
class SweepSpecTest {
    static final String BASE = """
            base:
              seed: 3
              data: {dataset: digits, validation: 0.1}
              model: [{linear: 32}, relu, {dropout: 0.1}, {linear: 10}]
              training: {epochs: 3, batch_size: 32}
            """;

    static SweepSpec parse(String text, String... sets) {
        return SweepSpec.parse("sweep.yaml", text, null, List.of(sets));
    }

    static String error(String text, String... sets) {
        try {
            parse(text, sets);
        } catch (UserError e) {
            return e.getMessage();
        }
        throw new AssertionError("no error for:\n" + text);
    }

    @Test
    void theStoredAndPortableYamlReadBackAsTheSameSweep() {
        // halving in the file, switched to random with --set: the halving block must not make the stored sweep invalid
        SweepSpec s = parse(BASE + "name: lr\nspace: {optimizer.lr: {loguniform: [1.0e-4, 1.0e-1]}}\nstrategy: halving\n"
                + "halving: {min_epochs: 1}\ntrials: 5\nseed: 9\n", "strategy=random");
        for (String yaml : List.of(s.storedYaml(), s.portableYaml())) {
            SweepSpec back = SweepSpec.parse("stored.yaml", yaml, null, List.of());
            assertThat(back.strategy()).isEqualTo("random");
            assertThat(back.plan()).isEqualTo(s.plan());
            assertThat(back.trial(s.plan().get(3)).resolvedYaml()).isEqualTo(s.trial(s.plan().get(3)).resolvedYaml());
        }
        assertThat(SweepSpec.parse("x.yaml", s.portableYaml(), null, List.of()).name()).isEqualTo("lr");
    }

    @Test
    void defaultsGridForDiscreteSpacesAndRandomOtherwise() {
        SweepSpec g = parse(BASE + "space: {optimizer.lr: [0.1, 0.01], training.batch_size: {range: [16, 64, 16]}}\n");
        assertThat(g.strategy()).isEqualTo("grid");
        assertThat(g.trials()).isEqualTo(8);
        assertThat(g.objective().metric()).isEqualTo("val_accuracy");
        assertThat(g.objective().maximize()).isTrue();
        assertThat(g.plan()).hasSize(8);
        assertThat(g.plan().get(1)).isEqualTo(Map.of("optimizer.lr", 0.1, "training.batch_size", 32));
        SweepSpec r = parse(BASE + "space: {optimizer.lr: {loguniform: [1.0e-4, 1.0e-1]}}\ntrials: 5\n");
        assertThat(r.strategy()).isEqualTo("random");
        assertThat(r.seed()).as("the base's seed by default").isEqualTo(3);
        assertThat(r.plan()).hasSize(5).isEqualTo(parse(BASE + "space: {optimizer.lr: {loguniform: [1.0e-4, 1.0e-1]}}\ntrials: 5\n").plan());
        assertThat(r.space().dimensions().get(0)).isInstanceOf(Dimension.LogUniform.class);
    }

    @Test
    void trialSpecsApplyDottedKeysWithListIndices() {
        SweepSpec s = parse(BASE + "space:\n  model[0].linear: {intLogUniform: [8, 64]}\n  \"model[2].dropout\": {uniform: [0.0, 0.5]}\n");
        Experiment e = s.trial(Map.of("model[0].linear", 17, "model[2].dropout", 0.25));
        assertThat(e.model().get(0).args().get("out")).isEqualTo(17);
        assertThat(e.model().get(2).args().get("p")).isEqualTo(0.25);
        assertThat(e.seed()).isEqualTo(3);
        // the base is untouched by a trial
        assertThat(s.base().model().get(0).args().get("out")).isEqualTo(32);
    }

    @Test
    void setsGoToTheSweepOrToTheBase() {
        SweepSpec s = parse(BASE + "space: {optimizer.lr: [0.1, 0.01]}\n", "trials=1", "training.epochs=5", "base.seed=9");
        assertThat(s.trials()).isEqualTo(1);
        assertThat(s.base().training().epochs()).isEqualTo(5);
        assertThat(s.base().seed()).isEqualTo(9);
    }

    @Test
    void aBaseFileIsRelativeToTheSweepFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("base.yaml"), BASE.replace("base:\n", "").replaceAll("(?m)^  ", ""));
        Files.writeString(dir.resolve("s.yaml"), "base: base.yaml\nspace: {optimizer.lr: [0.1]}\n");
        SweepSpec s = SweepSpec.load(dir.resolve("s.yaml"), List.of());
        assertThat(s.base().model()).hasSize(4);
        assertThat(s.name()).isEqualTo("s");
        assertThat(SweepSpec.parse("x", s.storedYaml(), null, List.of()).plan()).isEqualTo(s.plan());
    }

    @Test
    void badSpecsAreOneLineLocatedErrors() {
        assertThat(error(BASE + "space: {optimizer.lr: [0.1]}\nstratgy: grid\n"))
                .isEqualTo("sweep.yaml:7:1: unknown key 'stratgy'; did you mean 'strategy'? (allowed: name, base, space, objective, strategy, sampler, "
                        + "trials, seed, parallel, time_budget_s, halving, pruner)");
        assertThat(error(BASE + "space:\n  optimizer.lr: {loguniform: [0, 0.1]}\n"))
                .startsWith("sweep.yaml:7:").contains("loguniform needs lo > 0");
        assertThat(error(BASE + "space:\n  optimizer.lrr: [0.1]\n"))
                .isEqualTo("sweep.yaml:7:3 (space optimizer.lrr = 0.1): optimizer: unknown key 'lrr'; did you mean 'lr'? "
                        + "(allowed: name, lr, weight_decay, betas, eps, amsgrad, no_decay_on_bias)");
        assertThat(error(BASE + "space:\n  model[2].dropout: {uniform: [0.0, 1.5]}\n"))
                .startsWith("sweep.yaml:7:3 (space model[2].dropout = 1.4999").contains("expected a number in [0.0, 1.0)");
        assertThat(error(BASE + "space:\n  model[9].linear: [3]\n")).contains("model has 4 item(s)");
        assertThat(error(BASE + "space:\n  optimizer.lr: {logunifrom: [1.0e-4, 0.1]}\n")).contains("unknown kind 'logunifrom'; did you mean 'loguniform'?");
        assertThat(error(BASE + "space: {optimizer.lr: {loguniform: [1.0e-4, 0.1]}}\nstrategy: grid\n")).contains("a grid needs choice or range values");
        assertThat(error(BASE + "space: {optimizer.lr: [0.1]}\nobjective: val_acuracy\n")).contains("did you mean 'val_accuracy'?");
        assertThat(error(BASE + "space: {optimizer.lr: [0.1]}\nstrategy: halving\nhalving: {min_epochs: 3}\n")).contains("must be below training.epochs");
        assertThat(error(BASE + "space: {optimizer.lr: [0.1]}\nstrategy: grid\nhalving: {min_epochs: 1}\n")).contains("only apply to strategy: halving");
        assertThat(error("space: {optimizer.lr: [0.1]}\n")).contains("required: the experiment to tune");
        for (String m : List.of(error(BASE + "space:\n  optimizer.lrr: [0.1]\n"), error(BASE + "space:\n  optimizer.lr: {loguniform: [-1, 0.1]}\n"))) {
            assertThat(m).doesNotContain("\n");
        }
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) {
        assertThatThrownBy(() -> SweepSpec.load(dir.resolve("nope.yaml"), List.of())).isInstanceOf(UserError.class).hasMessageContaining("does not exist");
    }

    @Test
    void theExampleSweepsAreValid() {
        Path examples = Path.of("..", "examples");
        SweepSpec fashion = SweepSpec.load(examples.resolve("fashion-mlp-sweep.yaml"), List.of());
        assertThat(fashion.strategy()).isEqualTo("halving");
        assertThat(fashion.base().data().dataset()).isEqualTo("fashion-mnist");
        assertThat(fashion.space().dimensions()).extracting(Dimension::key)
                .containsExactly("optimizer.lr", "training.batch_size", "model[2].dropout", "model[5].dropout", "optimizer.weight_decay");
        assertThat(fashion.space().dimension("optimizer.lr").logScale()).isTrue();
        SweepSpec digits = SweepSpec.load(examples.resolve("digits-sweep.yaml"), List.of());
        assertThat(digits.plan()).hasSize(16);
        assertThat(digits.halving().reductionFactor()).isEqualTo(3);
    }

    @Test
    void theStrategyCanBeSwitchedWithSetDespiteAHalvingBlock() {
        Path digits = Path.of("..", "examples", "digits-sweep.yaml");
        SweepSpec random = SweepSpec.load(digits, List.of("strategy=random", "trials=4"));
        assertThat(random.strategy()).isEqualTo("random");
        assertThat(random.halving()).isNull();
        assertThat(random.plan()).hasSize(4);
        assertThat(error(BASE + "space: {optimizer.lr: [0.1]}\nstrategy: grid\nhalving: {min_epochs: 1}\n"))
                .as("in the file itself it is still a mistake").contains("only apply to strategy: halving");
    }

    @Test
    void setOnExperimentsTakesListIndicesToo() {
        String spec = "data: digits\nmodel: [{linear: 32}, relu, {dropout: 0.1}, {linear: 10}]\n";
        Experiment e = Experiment.parse("x.yaml", spec, List.of("model[0].linear=128", "model[2].dropout=0.3"));
        assertThat(e.model().get(0).args().get("out")).isEqualTo(128);
        assertThat(e.model().get(2).args().get("p")).isEqualTo(0.3);
        assertThatThrownBy(() -> Experiment.parse("x.yaml", spec, List.of("model[4].linear=1"))).hasMessageContaining("model has 4 item(s)");
        assertThatThrownBy(() -> Experiment.parse("x.yaml", spec, List.of("model[1].out=1"))).hasMessageContaining("model[1] is \"relu\", not a mapping");
        assertThatThrownBy(() -> Experiment.parse("x.yaml", spec, List.of("model[2].dropout=2")))
                .hasMessage("--set model[2].dropout: expected a number in [0.0, 1.0), got 2");
    }

    @Test
    void aHugeGridIsAnErrorGivingItsSize() {
        long t0 = System.nanoTime();
        assertThat(error(BASE + "space: {training.batch_size: {range: [1, 1000000000, 1]}, optimizer.lr: [0.1, 0.01]}\n"))
                .isEqualTo("sweep.yaml:6:1: space: the grid has 2000000000 points (1000000000 × 2), over the limit of 100000; "
                        + "narrow the ranges, or use strategy: random (or halving) to sample them");
        assertThat(error(BASE + "strategy: halving\nsampler: grid\nspace: {training.batch_size: {range: [1, 2000000000]}}\n"))
                .contains("the grid has 2000000000 points");
        assertThat(System.nanoTime() - t0).as("nothing is enumerated").isLessThan(5_000_000_000L);
        assertThat(parse(BASE + "space: {training.batch_size: {range: [1, 100000]}}\n", "trials=3").plan()).hasSize(3);
    }

    @Test
    void aHugeRandomRangeIsSampledLazily() {
        long t0 = System.nanoTime();
        SweepSpec r = parse(BASE + "strategy: random\ntrials: 5\nspace: {training.batch_size: {range: [1, 2e9]}}\n");
        List<Map<String, Object>> plan = r.plan();
        assertThat(System.nanoTime() - t0).as("nothing is enumerated").isLessThan(5_000_000_000L);
        assertThat(plan).hasSize(5);
        for (Map<String, Object> p : plan) assertThat((Integer) p.get("training.batch_size")).isBetween(1, 2_000_000_000);
        Dimension.IntRange wide = new Dimension.IntRange("k", Integer.MIN_VALUE, Integer.MAX_VALUE, 1);
        assertThat(wide.count()).isEqualTo(1L << 32);
        dev.machina.tensor.Rng rng = new dev.machina.tensor.Rng(1);
        for (int i = 0; i < 100; i++) assertThat(wide.sample(rng)).isInstanceOf(Integer.class);
        // small ranges draw exactly as before
        Dimension.IntRange small = new Dimension.IntRange("k", 16, 64, 16);
        assertThat(small.values()).containsExactly(16, 32, 48, 64);
        assertThat(small.sample(new dev.machina.tensor.Rng(7))).isEqualTo(16 + 16 * new dev.machina.tensor.Rng(7).nextInt(4));
    }
}
