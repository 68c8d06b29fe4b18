package dev.machina.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.machina.experiment.SweepRunner;
import dev.machina.experiment.SweepSpec;
import dev.machina.experiment.TrialExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Small digits sweeps, run locally and on Spark, and what must be equal between their directories. */
final class SweepFixtures {
    private SweepFixtures() {}

    static final ObjectMapper JSON = new ObjectMapper();

    static final String BASE = """
            name: %s
            base:
              seed: 5
              data: {dataset: digits, test: 0.2, validation: 0.2}
              model: [{linear: 16}, relu, {linear: 10}]
              optimizer: {name: adam, lr: 1.0e-3}
              training: {epochs: %d, batch_size: 64}
            """;

    /** A grid of 4 learning rates × 2 batch sizes, 3 epochs each. */
    static SweepSpec grid() {
        return SweepSpec.parse("grid.yaml", BASE.formatted("grid", 3) + """
                space:
                  optimizer.lr: [0.0003, 0.001, 0.01, 0.05]
                  training.batch_size: [32, 64]
                """, null, List.of());
    }

    /** 6 random trials over the learning rate and width. */
    static SweepSpec random() {
        return SweepSpec.parse("random.yaml", BASE.formatted("random", 2) + """
                space:
                  optimizer.lr: {loguniform: [1.0e-4, 1.0e-1]}
                  model[0].linear: {intLogUniform: [8, 64]}
                trials: 6
                seed: 11
                """, null, List.of());
    }

    /** ASHA over 12 random trials of 9 epochs: rungs at 1 and 3 epochs, η = 3. */
    static SweepSpec asha() {
        return SweepSpec.parse("asha.yaml", BASE.formatted("asha", 9) + """
                space:
                  optimizer.lr: {loguniform: [1.0e-5, 1.0e-1]}
                strategy: halving
                halving: {min_epochs: 1, reduction_factor: 3}
                trials: 12
                seed: 3
                """, null, List.of());
    }

    static SweepRunner.Outcome run(SweepSpec spec, Path runs, TrialExecutor ex) throws IOException {
        Path dir = SweepRunner.createDir(runs, spec.name());
        return new SweepRunner(spec, dir, ex, null).run();
    }

    /** Per trial: parameters, status, objective, its epoch and the epochs run (what must not depend on where trials ran). */
    static Map<Integer, String> rows(Path sweep) throws IOException {
        Map<Integer, String> m = new TreeMap<>();
        for (JsonNode t : JSON.readTree(sweep.resolve("leaderboard.json").toFile()).get("trials")) {
            m.put(t.get("trial").asInt(), t.get("params") + " " + t.get("status").asText() + " " + t.get("objective") + " @"
                    + t.get("objective_epoch") + " " + t.get("epochs"));
        }
        return m;
    }

    /** The files of a sweep directory, relative, with the bytes of the files that must be identical (weights, history). */
    static Map<String, String> files(Path sweep) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(sweep)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                String rel = sweep.relativize(p).toString();
                String name = p.getFileName().toString();
                boolean exact = name.equals("model.safetensors") || name.equals("spec.yaml");
                m.put(rel, exact ? Integer.toHexString(java.util.Arrays.hashCode(Files.readAllBytes(p))) : "");
            }
        }
        return m;
    }

    /** Both sweep directories hold the same files, every trial's weights and resolved spec byte for byte, and the same leaderboard values. */
    static void assertSameSweep(Path local, Path spark) throws IOException {
        assertThat(rows(spark)).isEqualTo(rows(local));
        assertThat(files(spark)).isEqualTo(files(local));
        List<String> trials = new ArrayList<>(new TreeSet<>(listNames(local.resolve("trials"))));
        assertThat(listNames(spark.resolve("trials"))).containsExactlyInAnyOrderElementsOf(trials);
        assertThat(spark.resolve(".incoming")).doesNotExist();
    }

    private static List<String> listNames(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }
}
