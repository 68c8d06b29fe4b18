package dev.machina.tune;

import dev.machina.tensor.Rng;
import java.util.List;

/**
 * One hyperparameter of a search space: its key (a dotted spec key such as {@code optimizer.lr}
 * or {@code model[0].linear}) and the values it may take. Discrete dimensions ({@link Choice},
 * {@link IntRange}) can be enumerated by a grid; continuous ones are only sampled.
 */
public sealed interface Dimension {
    String key();

    /** A value drawn from {@code rng}. */
    Object sample(Rng rng);

    /** True when {@link #values()} lists every value (grid search needs this). */
    boolean discrete();

    /** Every value, in order; only for discrete dimensions. */
    List<Object> values();

    /** How many values {@link #values()} lists (computed, not listed); only for discrete dimensions. */
    default long count() {
        return values().size();
    }

    /** True when the values are best seen on a log axis. */
    default boolean logScale() {
        return false;
    }

    /** One of the listed values, each equally likely. */
    record Choice(String key, List<Object> options) implements Dimension {
        public Choice {
            if (options == null || options.isEmpty()) throw new IllegalArgumentException(key + ": choice needs at least one value");
            options = List.copyOf(options);
        }

        @Override public Object sample(Rng rng) { return options.get(rng.nextInt(options.size())); }
        @Override public boolean discrete() { return true; }
        @Override public List<Object> values() { return options; }

        /** Log axis when every option is a positive number and they span a factor of 8 or more (batch sizes 16…128, learning rates). */
        @Override
        public boolean logScale() {
            double lo = Double.POSITIVE_INFINITY, hi = 0;
            for (Object o : options) {
                if (!(o instanceof Number n) || !(n.doubleValue() > 0)) return false;
                lo = Math.min(lo, n.doubleValue());
                hi = Math.max(hi, n.doubleValue());
            }
            return options.size() > 1 && hi / lo >= 8;
        }
    }

    /** Whole numbers lo, lo + step, … up to and including hi when it is on the grid. */
    record IntRange(String key, int lo, int hi, int step) implements Dimension {
        public IntRange {
            if (step < 1) throw new IllegalArgumentException(key + ": range step must be >= 1, got " + step);
            if (hi < lo) throw new IllegalArgumentException(key + ": range needs lo <= hi, got [" + lo + ", " + hi + "]");
        }

        /** Drawn without listing the values, so a range of a billion numbers costs no more than one of ten. */
        @Override
        public Object sample(Rng rng) {
            long n = count();
            long i = n <= Integer.MAX_VALUE ? rng.nextInt((int) n) : (long) (rng.nextDouble() * n);
            return (int) (lo + (long) step * Math.min(i, n - 1));
        }

        @Override public boolean discrete() { return true; }

        @Override
        public long count() {
            return ((long) hi - lo) / step + 1;
        }

        /** The values as a list computed on access (nothing is stored). */
        @Override
        public List<Object> values() {
            long n = count();
            if (n > Integer.MAX_VALUE) throw new IllegalArgumentException(key + ": range has " + n + " values, too many to list");
            return new java.util.AbstractList<>() {
                @Override public Object get(int i) {
                    java.util.Objects.checkIndex(i, (int) n);
                    return (int) (lo + (long) step * i);
                }

                @Override public int size() { return (int) n; }
            };
        }
    }

    /** A real number uniform in [lo, hi). */
    record Uniform(String key, double lo, double hi) implements Dimension {
        public Uniform {
            if (!(lo < hi) || Double.isInfinite(lo) || Double.isInfinite(hi)) {
                throw new IllegalArgumentException(key + ": uniform needs finite lo < hi, got [" + lo + ", " + hi + "]");
            }
        }

        @Override public Object sample(Rng rng) { return lo + (hi - lo) * rng.nextDouble(); }
        @Override public boolean discrete() { return false; }
        @Override public List<Object> values() { throw new UnsupportedOperationException(key + " is continuous"); }
    }

    /** A real number whose logarithm is uniform in [log lo, log hi): learning rates, weight decay. */
    record LogUniform(String key, double lo, double hi) implements Dimension {
        public LogUniform {
            if (!(lo > 0)) throw new IllegalArgumentException(key + ": loguniform needs lo > 0, got " + lo);
            if (!(lo < hi) || Double.isInfinite(hi)) throw new IllegalArgumentException(key + ": loguniform needs lo < hi, got [" + lo + ", " + hi + "]");
        }

        @Override
        public Object sample(Rng rng) {
            double a = Math.log(lo), b = Math.log(hi);
            return Math.min(hi, Math.exp(a + (b - a) * rng.nextDouble()));
        }

        @Override public boolean discrete() { return false; }
        @Override public List<Object> values() { throw new UnsupportedOperationException(key + " is continuous"); }
        @Override public boolean logScale() { return true; }
    }

    /**
     * A whole number in [lo, hi] drawn log-uniformly (each integer i has probability proportional to
     * log((i+1)/i)): batch and hidden sizes.
     */
    record IntLogUniform(String key, int lo, int hi) implements Dimension {
        public IntLogUniform {
            if (lo < 1) throw new IllegalArgumentException(key + ": intLogUniform needs lo >= 1, got " + lo);
            if (hi < lo) throw new IllegalArgumentException(key + ": intLogUniform needs lo <= hi, got [" + lo + ", " + hi + "]");
        }

        @Override
        public Object sample(Rng rng) {
            double a = Math.log(lo), b = Math.log(hi + 1.0);
            int v = (int) Math.floor(Math.exp(a + (b - a) * rng.nextDouble()));
            return Math.max(lo, Math.min(hi, v));
        }

        @Override public boolean discrete() { return false; }
        @Override public List<Object> values() { throw new UnsupportedOperationException(key + " is sampled, not enumerated"); }
        @Override public boolean logScale() { return true; }
    }
}
