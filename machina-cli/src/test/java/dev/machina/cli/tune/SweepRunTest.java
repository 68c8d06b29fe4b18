package dev.machina.cli.tune;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.machina.cli.Main;
import dev.machina.experiment.SweepSpec;
import dev.machina.run.RunInfo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole sweeps on the digits, through the command: grid, random, halving, resume, failures. */
class SweepRunTest {
    static final ObjectMapper JSON = new ObjectMapper();

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Main.execute(args, new PrintWriter(o, true), new PrintWriter(e, true));
        return new Result(code, o.toString(), e.toString());
    }

    static final String BASE = """
            base:
              name: digits-small
              seed: 5
              data: {dataset: digits, test: 0.2, validation: 0.2}
              model: [{linear: 32}, relu, {linear: 10}]
              optimizer: {name: adam, lr: 1.0e-3}
              training: {epochs: %d, batch_size: 64}
            """;

    /** Runs `tune` and returns the sweep directory (the only one under runs/NAME). */
    static Path tune(Path tmp, String name, String text, String... extra) throws Exception {
        Files.createDirectories(tmp);
        Path f = tmp.resolve(name + ".yaml");
        Files.writeString(f, text);
        List<String> args = new ArrayList<>(List.of("tune", f.toString(), "--runs", tmp.resolve("runs").toString(), "--progress", "lines", "--no-report"));
        args.addAll(List.of(extra));
        Result r = run(args.toArray(new String[0]));
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        try (Stream<Path> s = Files.list(tmp.resolve("runs").resolve(name))) {
            return s.findFirst().orElseThrow();
        }
    }

    static JsonNode leaderboard(Path sweep) throws Exception {
        return JSON.readTree(sweep.resolve("leaderboard.json").toFile());
    }

    static void assertSorted(JsonNode lb, boolean max) {
        double prev = max ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        for (JsonNode t : lb.get("trials")) {
            if (t.get("objective").isNull()) continue;
            double v = t.get("objective").asDouble();
            assertThat(max ? v <= prev : v >= prev).as("sorted: " + lb).isTrue();
            prev = v;
        }
    }

    /** Objective per trial number. */
    static Map<Integer, Double> objectives(JsonNode lb) {
        Map<Integer, Double> m = new HashMap<>();
        for (JsonNode t : lb.get("trials")) m.put(t.get("trial").asInt(), t.get("objective").isNull() ? Double.NaN : t.get("objective").asDouble());
        return m;
    }

    @Test
    void gridRunsEveryCombinationInOrderAndBestYamlReproducesTheBestTrial(@TempDir Path tmp) throws Exception {
        String text = BASE.formatted(3) + """
                space:
                  optimizer.lr: [3.0e-3, 1.0e-2, 3.0e-4]
                  training.batch_size: {range: [32, 64, 32]}
                """;
        Path sweep = tune(tmp, "grid", text);
        JsonNode lb = leaderboard(sweep);
        assertThat(lb.get("trials")).hasSize(6);
        assertSorted(lb, true);
        // the trial set and order: first key slowest
        double[] lrs = {3e-3, 1e-2, 3e-4};
        int[] bss = {32, 64};
        for (int i = 0; i < 6; i++) {
            JsonNode rj = JSON.readTree(sweep.resolve("trials").resolve(String.format("%03d", i)).resolve("run.json").toFile());
            assertThat(rj.at("/sweep/trial").asInt()).isEqualTo(i);
            assertThat(rj.at("/sweep/params/optimizer.lr").asDouble()).isEqualTo(lrs[i / 2]);
            assertThat(rj.at("/sweep/params/training.batch_size").asInt()).isEqualTo(bss[i % 2]);
            assertThat(rj.at("/config/optimizer/lr").asDouble()).as("the trial ran with its value").isEqualTo(lrs[i / 2]);
            assertThat(rj.get("status").asText()).isEqualTo("completed");
        }
        assertThat(Files.readAllLines(sweep.resolve("leaderboard.csv"))).hasSize(7);
        // best.yaml, trained by `machina train`, gives the best trial's objective exactly
        JsonNode best = lb.get("trials").get(0);
        Path again = tmp.resolve("again");
        Result r = run("train", sweep.resolve("best.yaml").toString(), "--runs", again.toString(), "--no-report", "--progress", "none");
        assertThat(r.code()).as(r.err()).isZero();
        Path runDir;
        try (Stream<Path> s = Files.list(again.resolve("digits-small"))) {
            runDir = s.findFirst().orElseThrow();
        }
        double retrained = Double.NEGATIVE_INFINITY;
        for (Map<String, Double> e : RunInfo.load(runDir).epochs()) retrained = Math.max(retrained, e.get("val_accuracy"));
        assertThat(retrained).isEqualTo(best.get("objective").asDouble());
        JsonNode rj = JSON.readTree(runDir.resolve("run.json").toFile());
        assertThat(rj.at("/config/optimizer/lr").asDouble()).isEqualTo(best.at("/params/optimizer.lr").asDouble());

        // the same grid two at a time: same trials, bit-identical objectives (thread budgets do not change results)
        Path par = tune(tmp.resolve("p"), "grid", text, "--parallel", "2");
        assertThat(objectives(leaderboard(par))).isEqualTo(objectives(lb));
    }

    @Test
    void randomTrialsAreTheSeededDrawsWithinTheirRanges(@TempDir Path tmp) throws Exception {
        String text = BASE.formatted(2) + """
                space:
                  optimizer.lr: {loguniform: [1.0e-4, 1.0e-1]}
                  training.batch_size: {choice: [16, 32, 64, 128]}
                  model[0].linear: {intLogUniform: [8, 64]}
                trials: 5
                seed: 11
                """;
        Path sweep = tune(tmp, "rand", text);
        JsonNode lb = leaderboard(sweep);
        assertThat(lb.get("trials")).hasSize(5);
        assertSorted(lb, true);
        List<Map<String, Object>> plan = SweepSpec.parse("x", text, null, List.of()).plan();
        for (JsonNode t : lb.get("trials")) {
            Map<String, Object> p = plan.get(t.get("trial").asInt());
            assertThat(t.at("/params/optimizer.lr").asDouble()).isEqualTo((Double) p.get("optimizer.lr")).isBetween(1e-4, 1e-1);
            assertThat(t.at("/params/training.batch_size").asInt()).isEqualTo(p.get("training.batch_size")).isIn(16, 32, 64, 128);
            assertThat(t.at("/params/model[0].linear").asInt()).isEqualTo(p.get("model[0].linear")).isBetween(8, 64);
            JsonNode rj = JSON.readTree(sweep.resolve(t.get("run_dir").asText()).resolve("run.json").toFile());
            assertThat(rj.at("/config/model/0/linear/out").asInt()).isEqualTo(p.get("model[0].linear"));
        }
        // another seed, other trials
        assertThat(SweepSpec.parse("x", text.replace("seed: 11", "seed: 12"), null, List.of()).plan()).isNotEqualTo(plan);
    }

    @Test
    void halvingRunsFarFewerEpochsAndKeepsTheGridsWinner(@TempDir Path tmp) throws Exception {
        int epochs = 9;
        StringBuilder lrs = new StringBuilder();
        // one learning rate is clearly best (0.02); the 15 others are too small to get far in 9 epochs
        for (int i = 0; i < 15; i++) lrs.append(String.format(Locale.ROOT, "%.3e", 1e-6 * Math.pow(10, i * 3.2 / 14))).append(", ");
        lrs.append("2.0e-2");
        String space = "space:\n  optimizer.lr: [" + lrs + "]\n";
        Path grid = tune(tmp.resolve("g"), "lr", BASE.formatted(epochs) + space);
        Path halving = tune(tmp.resolve("h"), "lr", BASE.formatted(epochs) + space + "strategy: halving\nsampler: grid\nhalving: {min_epochs: 1, reduction_factor: 3}\n");
        JsonNode g = leaderboard(grid), h = leaderboard(halving);
        assertThat(g.get("trials")).hasSize(16);
        assertThat(h.get("trials")).hasSize(16);
        long full = 16L * epochs, ran = h.get("total_epochs").asLong();
        System.out.printf(Locale.ROOT, "halving: %d epochs of %d for the full grid (%.0f%% saved)%n", ran, full, 100.0 * (full - ran) / full);
        assertThat(g.get("total_epochs").asLong()).isEqualTo(full);
        assertThat(ran).isLessThan(full / 2);
        // halving visits the grid in a seeded shuffled order: match trials by their learning rate
        double winnerLr = g.get("trials").get(0).at("/params/optimizer.lr").asDouble();
        double winning = g.get("trials").get(0).get("objective").asDouble();
        JsonNode same = null;
        for (JsonNode t : h.get("trials")) if (t.at("/params/optimizer.lr").asDouble() == winnerLr) same = t;
        assertThat(same.get("status").asText()).as("the grid's winner, lr " + winnerLr + ", in the halving sweep").isEqualTo("done");
        assertThat(same.get("objective").asDouble()).isEqualTo(winning);
        assertThat(h.get("trials").get(0).get("objective").asDouble()).isEqualTo(winning);
        assertThat(h.get("trials").findValuesAsText("status")).contains("pruned");
    }

    @Test
    void aFailingTrialIsRecordedAndTheSweepGoesOn(@TempDir Path tmp) throws Exception {
        String text = BASE.formatted(2).replace("name: adam", "name: sgd") + """
                space:
                  optimizer.lr: [1.0e+9, 0.05]
                """;
        Path sweep = tune(tmp, "fail", text);
        JsonNode lb = leaderboard(sweep);
        assertThat(lb.get("trials")).hasSize(2);
        JsonNode first = lb.get("trials").get(0), last = lb.get("trials").get(1);
        assertThat(first.get("trial").asInt()).isEqualTo(1);
        assertThat(first.get("status").asText()).isEqualTo("done");
        assertThat(last.get("status").asText()).isEqualTo("failed");
        assertThat(last.get("error").asText()).contains("loss became");
        assertThat(Files.readString(sweep.resolve("best.yaml"))).contains("lr: 0.05");
    }

    @Test
    void resumeKeepsFinishedTrialsAndRunsUnfinishedOnesAgain(@TempDir Path tmp) throws Exception {
        String text = BASE.formatted(2) + """
                space:
                  optimizer.lr: {loguniform: [1.0e-3, 1.0e-2]}
                trials: 4
                """;
        Path sweep = tune(tmp, "res", text);
        Map<Integer, Double> before = objectives(leaderboard(sweep));
        Path t0 = sweep.resolve("trials/000/metrics.jsonl"), t2 = sweep.resolve("trials/002/run.json");
        String kept = Files.readString(t0);
        // trial 2 "was running" when the sweep was killed; trial 3 never started
        Files.writeString(t2, Files.readString(t2).replace("\"status\" : \"completed\"", "\"status\" : \"running\""));
        try (Stream<Path> s = Files.walk(sweep.resolve("trials/003"))) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Files.delete(sweep.resolve("leaderboard.json"));
        Files.setLastModifiedTime(t0, java.nio.file.attribute.FileTime.fromMillis(0));
        Result r = run("tune", "--resume", sweep.toString(), "--progress", "lines", "--no-report");
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("trial 002 started", "trial 003 started").doesNotContain("trial 000 started", "trial 001 started");
        assertThat(Files.readString(t0)).isEqualTo(kept);
        assertThat(Files.getLastModifiedTime(t0).toMillis()).as("not rewritten").isZero();
        JsonNode lb = leaderboard(sweep);
        assertThat(lb.get("trials")).hasSize(4);
        assertThat(objectives(lb)).as("the re-run trials give the same results").isEqualTo(before);
        assertThat(run("tune", "--resume", tmp.toString()).code()).isEqualTo(2);
    }

    @Test
    void theMedianRuleStopsTrialsBelowTheOthersMedian(@TempDir Path tmp) throws Exception {
        // two good learning rates first (the second has only one other to compare with: min_trials 2 lets it run),
        // then two far too small: after the warm-up epoch they fall below the median
        String text = BASE.formatted(4) + """
                space:
                  optimizer.lr: [1.0e-2, 5.0e-3, 1.0e-6, 2.0e-6]
                pruner: {name: median, warmup_epochs: 1, min_trials: 2}
                """;
        Path sweep = tune(tmp, "med", text);
        JsonNode lb = leaderboard(sweep);
        Map<Integer, String> status = new HashMap<>();
        Map<Integer, Integer> epochs = new HashMap<>();
        for (JsonNode t : lb.get("trials")) {
            status.put(t.get("trial").asInt(), t.get("status").asText());
            epochs.put(t.get("trial").asInt(), t.get("epochs").asInt());
        }
        assertThat(status).containsEntry(0, "done").containsEntry(1, "done").containsEntry(2, "pruned").containsEntry(3, "pruned");
        assertThat(epochs.get(2)).isEqualTo(2);
        assertThat(lb.get("total_epochs").asInt()).isEqualTo(4 + 4 + 2 + 2);
        JsonNode rj = JSON.readTree(sweep.resolve("trials/002/run.json").toFile());
        assertThat(rj.get("status").asText()).isEqualTo("pruned");
        assertThat(rj.get("stop_reason").asText()).contains("median rule at epoch 2");
    }
}
