package dev.machina.tensor;

import java.util.Arrays;

/**
 * A seeded random generator (xoshiro256**, seeded through SplitMix64) whose whole state can
 * be read and restored, so a checkpoint can resume the exact same random stream. The same
 * seed gives the same numbers on every JVM and platform.
 */
public final class Rng {
    private static Rng global = new Rng(0x6D61636869L);

    private long s0, s1, s2, s3;
    private double spareGaussian;
    private boolean hasSpare;

    public Rng(long seed) {
        long x = seed;
        s0 = splitMix(x += 0x9E3779B97F4A7C15L);
        s1 = splitMix(x += 0x9E3779B97F4A7C15L);
        s2 = splitMix(x += 0x9E3779B97F4A7C15L);
        s3 = splitMix(x + 0x9E3779B97F4A7C15L);
    }

    private Rng(long[] state) {
        setState(state);
    }

    private static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The default generator, used when no generator is passed. */
    public static synchronized Rng global() {
        return global;
    }

    /** Re-seeds the default generator (as {@code torch.manual_seed}). */
    public static synchronized void manualSeed(long seed) {
        global = new Rng(seed);
    }

    /** A generator derived from this seed and a stream number, independent of other streams. */
    public static Rng forStream(long seed, long stream) {
        return new Rng(splitMix(seed ^ splitMix(stream + 0x632BE59BD9B4E019L)));
    }

    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform in [0, bound), without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive, got " + bound);
        long m = (nextLong() >>> 32) * bound;
        long l = m & 0xFFFFFFFFL;
        if (l < bound) {
            long threshold = (0x1_0000_0000L - bound) % bound;
            while (l < threshold) {
                m = (nextLong() >>> 32) * bound;
                l = m & 0xFFFFFFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, 1) with 24 random bits. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareGaussian;
        }
        double u1;
        do {
            u1 = nextDouble();
        } while (u1 == 0.0);
        double u2 = nextDouble();
        double r = Math.sqrt(-2.0 * Math.log(u1));
        spareGaussian = r * Math.sin(2 * Math.PI * u2);
        hasSpare = true;
        return r * Math.cos(2 * Math.PI * u2);
    }

    /** Fisher–Yates shuffle of {@code a} in place. */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** The whole state: 4 words of xoshiro, the spare Gaussian's bits, and whether it is held. */
    public long[] state() {
        return new long[] {s0, s1, s2, s3, Double.doubleToRawLongBits(spareGaussian), hasSpare ? 1 : 0};
    }

    /** Restores a state taken with {@link #state()}. */
    public void setState(long[] st) {
        if (st.length != 6) throw new IllegalArgumentException("Rng state must have 6 words, got " + st.length);
        s0 = st[0];
        s1 = st[1];
        s2 = st[2];
        s3 = st[3];
        spareGaussian = Double.longBitsToDouble(st[4]);
        hasSpare = st[5] != 0;
    }

    /** A new generator at the given state. */
    public static Rng fromState(long[] st) {
        return new Rng(st);
    }

    /** An independent copy at the same point of the stream. */
    public Rng copy() {
        return new Rng(state());
    }

    @Override
    public String toString() {
        return "Rng" + Arrays.toString(state());
    }
}
