package dev.machina.tune;

import dev.machina.tensor.Rng;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The hyperparameters a sweep varies, in the order the sweep lists them. A trial's parameters
 * are a map key → value in that order.
 *
 * <p>Grid order is stable: the first dimension varies slowest and the last fastest (as nested
 * loops written in the spec's order). Random trial {@code i} draws its values, in dimension
 * order, from the stream {@code Rng.forStream(seed, i)}: the same seed gives the same trials, in
 * the same order, whatever the parallelism, and trial i is the same when a sweep is resumed.
 */
public record SearchSpace(List<Dimension> dimensions) {
    public SearchSpace {
        if (dimensions.isEmpty()) throw new IllegalArgumentException("a search space needs at least one dimension");
        Set<String> keys = new HashSet<>();
        for (Dimension d : dimensions) {
            if (!keys.add(d.key())) throw new IllegalArgumentException("the search space lists " + d.key() + " twice");
        }
        dimensions = List.copyOf(dimensions);
    }

    /** True when every dimension can be enumerated. */
    public boolean discrete() {
        return dimensions.stream().allMatch(Dimension::discrete);
    }

    /** The most points a grid search may have: a larger grid is refused before anything runs. */
    public static final long MAX_GRID = 100_000;

    /** Number of grid points, computed without listing them (saturates at Long.MAX_VALUE). */
    public long gridSize() {
        long n = 1;
        try {
            for (Dimension d : dimensions) n = Math.multiplyExact(n, d.count());
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
        return n;
    }

    /** Every combination, first dimension slowest; at most {@code limit} of them. */
    public List<Map<String, Object>> grid(int limit) {
        for (Dimension d : dimensions) {
            if (!d.discrete()) throw new IllegalArgumentException("grid search needs choice or range values; " + d.key() + " is continuous");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        int[] idx = new int[dimensions.size()];
        while (out.size() < limit) {
            Map<String, Object> p = new LinkedHashMap<>();
            for (int i = 0; i < idx.length; i++) p.put(dimensions.get(i).key(), dimensions.get(i).values().get(idx[i]));
            out.add(p);
            int i = idx.length - 1;
            while (i >= 0 && ++idx[i] == dimensions.get(i).values().size()) idx[i--] = 0;
            if (i < 0) break;
        }
        return out;
    }

    /** Random trial {@code trial}'s parameters (0-based), from (seed, trial) only. */
    public Map<String, Object> sample(long seed, int trial) {
        Rng rng = Rng.forStream(seed, 0x54756e65L * 31 + trial); // "Tune"
        Map<String, Object> p = new LinkedHashMap<>();
        for (Dimension d : dimensions) p.put(d.key(), d.sample(rng));
        return p;
    }

    public Dimension dimension(String key) {
        for (Dimension d : dimensions) if (d.key().equals(key)) return d;
        throw new IllegalArgumentException("no dimension " + key);
    }
}
