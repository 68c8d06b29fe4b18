package dev.machina.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/** Listing and comparing run directories. */
public final class Runs {
    private Runs() {}

    /** Every run under {@code root} (as root/name/id, or root itself being a name directory), newest first. */
    public static List<RunInfo> list(Path root) throws IOException {
        List<RunInfo> runs = new ArrayList<>();
        if (!Files.isDirectory(root)) return runs;
        try (Stream<Path> s = Files.walk(root, 3)) {
            s.filter(p -> Files.isRegularFile(p.resolve(RunDirectory.RUN_JSON)))
                    .forEach(p -> runs.add(RunInfo.load(p)));
        }
        runs.sort(Comparator.comparing(RunInfo::startTime).thenComparing(RunInfo::id).reversed());
        return runs;
    }

    /**
     * The run {@code ref} names: a run directory, else the run under root whose id (or name/id)
     * is ref, else the one whose id or name/id starts with ref.
     *
     * @throws IllegalArgumentException when no run or several runs match
     */
    public static Path find(Path root, String ref) throws IOException {
        Path p = Path.of(ref);
        if (Files.isDirectory(p)) return p;
        List<RunInfo> all = list(root);
        List<RunInfo> hits = all.stream().filter(r -> r.id().equals(ref) || (r.name() + "/" + r.id()).equals(ref)).toList();
        if (hits.isEmpty()) hits = all.stream().filter(r -> r.id().startsWith(ref) || (r.name() + "/" + r.id()).startsWith(ref)).toList();
        if (hits.size() == 1) return hits.get(0).dir();
        if (hits.isEmpty()) throw new IllegalArgumentException("no run " + ref + ": not a directory, nor a run id or name/id prefix under " + root);
        throw new IllegalArgumentException(ref + " matches " + hits.size() + " runs under " + root + ": "
                + String.join(", ", hits.stream().limit(5).map(r -> r.name() + "/" + r.id()).toList()) + (hits.size() > 5 ? ", …" : ""));
    }

    /**
     * A side-by-side comparison: every configuration key with its value per run, the keys whose
     * values differ, and key metrics per run.
     */
    public record Comparison(List<RunInfo> runs, Map<String, List<String>> config, Set<String> differing,
                             Map<String, List<Double>> metrics) {}

    public static Comparison compare(List<RunInfo> runs) {
        Map<String, List<String>> table = new LinkedHashMap<>();
        List<Map<String, String>> flat = new ArrayList<>();
        for (RunInfo r : runs) flat.add(r.flatConfig());
        Set<String> keys = new LinkedHashSet<>();
        for (Map<String, String> f : flat) keys.addAll(f.keySet());
        Set<String> differing = new LinkedHashSet<>();
        for (String k : keys) {
            List<String> vals = new ArrayList<>();
            for (Map<String, String> f : flat) vals.add(f.getOrDefault(k, "—"));
            table.put(k, vals);
            if (vals.stream().distinct().count() > 1) differing.add(k);
        }
        Map<String, List<Double>> metrics = new LinkedHashMap<>();
        for (String m : List.of("best_val_accuracy", "best_val_loss", "test_accuracy", "epochs", "duration_s")) metrics.put(m, new ArrayList<>());
        for (RunInfo r : runs) {
            metrics.get("best_val_accuracy").add(r.best("val_accuracy"));
            metrics.get("best_val_loss").add(r.best("val_loss"));
            metrics.get("test_accuracy").add(r.testAccuracy());
            metrics.get("epochs").add((double) r.epochs().size());
            metrics.get("duration_s").add(r.durationSeconds());
        }
        return new Comparison(runs, table, differing, metrics);
    }
}
