package dev.machina.data;

import dev.machina.tensor.Rng;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Batches of a {@link Dataset}: batch size, seeded shuffling, drop-last, a {@link Collate} step
 * and optional background prefetch of the next batch, as PyTorch's {@code DataLoader}.
 *
 * <p>The order of an epoch is a pure function of the seed and the epoch number
 * ({@link #order(int)}), so a run resumed at epoch {@code e} sees the same batches as an
 * uninterrupted one. Iterating ({@link #iterator()}) yields the batches of the current epoch and
 * then advances it; {@link #setEpoch(int)} moves to another epoch (on resume), and
 * {@link #epoch(int)} iterates a given epoch without touching the counter. Only an index
 * permutation is made per epoch; examples are copied one batch at a time.
 *
 * <pre>{@code
 * DataLoader loader = DataLoader.builder(train).batchSize(64).shuffle(42).dropLast(true).build();
 * for (Batch b : loader) { ... }   // epoch 0, then epoch 1 on the next loop
 * }</pre>
 */
public final class DataLoader implements Iterable<Batch> {
    private static final ExecutorService PREFETCH = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "machina-prefetch");
        t.setDaemon(true);
        return t;
    });

    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final boolean prefetch;
    private final Collate collate;
    private final int shard, shards;
    private int epoch;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.dropLast = b.dropLast;
        this.prefetch = b.prefetch;
        this.collate = b.collate;
        this.shard = b.shard;
        this.shards = b.shards;
    }

    public static Builder builder(Dataset dataset) {
        return new Builder(dataset);
    }

    /** Settings of a loader; defaults: batch size 32, no shuffle, keep the last partial batch, no prefetch. */
    public static final class Builder {
        private final Dataset dataset;
        private int batchSize = 32;
        private boolean shuffle;
        private long seed;
        private boolean dropLast;
        private boolean prefetch;
        private Collate collate = Collate.DEFAULT;
        private int shard, shards = 1;

        private Builder(Dataset dataset) {
            if (dataset == null) throw new IllegalArgumentException("dataset is null");
            this.dataset = dataset;
        }

        public Builder batchSize(int batchSize) {
            if (batchSize <= 0) throw new IllegalArgumentException("Invalid batch size: " + batchSize + " (must be positive)");
            this.batchSize = batchSize;
            return this;
        }

        /** Shuffle every epoch with a generator derived from {@code seed} and the epoch number. */
        public Builder shuffle(long seed) {
            this.shuffle = true;
            this.seed = seed;
            return this;
        }

        public Builder shuffle(boolean on) {
            this.shuffle = on;
            return this;
        }

        /** Drop the last batch of an epoch if it has fewer than batchSize examples. */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** Collate the next batch on a background thread while the current one is used. */
        public Builder prefetch(boolean prefetch) {
            this.prefetch = prefetch;
            return this;
        }

        public Builder collate(Collate collate) {
            if (collate == null) throw new IllegalArgumentException("collate is null");
            this.collate = collate;
            return this;
        }

        /**
         * Makes every batch this worker's part of the batch the unsharded loader yields, for
         * data-parallel training with {@code count} workers: of a batch of {@code n} examples,
         * worker {@code rank} gets positions {@code ⌊n·rank/count⌋ … ⌊n·(rank+1)/count⌋ - 1}
         * (possibly none, in a last batch smaller than {@code count}). The batches and their order
         * are those of the unsharded loader, so together the workers see exactly its batches.
         */
        public Builder shard(int rank, int count) {
            if (count < 1 || rank < 0 || rank >= count) {
                throw new IllegalArgumentException("shard " + rank + " of " + count + ": need 0 <= rank < count");
            }
            this.shard = rank;
            this.shards = count;
            return this;
        }

        public DataLoader build() {
            return new DataLoader(this);
        }
    }

    public Dataset dataset() {
        return dataset;
    }

    public int batchSize() {
        return batchSize;
    }

    /** The number of workers the batches are split between (1 unless {@link Builder#shard} was set). */
    public int shards() {
        return shards;
    }

    /** Batches per epoch. */
    public int numBatches() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The epoch that the next {@link #iterator()} will yield. */
    public int currentEpoch() {
        return epoch;
    }

    /** Makes the next {@link #iterator()} yield epoch {@code epoch} (e.g. when resuming). */
    public void setEpoch(int epoch) {
        if (epoch < 0) throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        this.epoch = epoch;
    }

    /**
     * The example order of an epoch: the identity without shuffling, else a permutation drawn
     * from {@code Rng.forStream(seed, epoch)} — the same on every run and machine.
     */
    public int[] order(int epoch) {
        int[] idx = new int[dataset.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        if (shuffle) Rng.forStream(seed, epoch).shuffle(idx);
        return idx;
    }

    /** The batches of the current epoch; the epoch counter then advances by one. */
    @Override
    public Iterator<Batch> iterator() {
        return epoch(epoch++).iterator();
    }

    /** The batches of the given epoch, without changing the epoch counter. */
    public Iterable<Batch> epoch(int epoch) {
        return () -> {
            int[] order = order(epoch);
            return prefetch ? new Prefetching(order) : new Plain(order);
        };
    }

    private Batch batchAt(int[] order, int b) {
        int from = b * batchSize;
        int to = Math.min(order.length, from + batchSize);
        if (shards > 1) {
            int n = to - from;
            to = from + (int) ((long) n * (shard + 1) / shards);
            from += (int) ((long) n * shard / shards);
        }
        return collate.collate(dataset, Arrays.copyOfRange(order, from, to));
    }

    private final class Plain implements Iterator<Batch> {
        private final int[] order;
        private final int count = numBatches();
        private int next;

        Plain(int[] order) {
            this.order = order;
        }

        @Override
        public boolean hasNext() {
            return next < count;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException();
            return batchAt(order, next++);
        }
    }

    /** Keeps one batch in flight on a background thread. */
    private final class Prefetching implements Iterator<Batch> {
        private final int[] order;
        private final int count = numBatches();
        private int next;
        private Future<Batch> pending;

        Prefetching(int[] order) {
            this.order = order;
            if (count > 0) pending = submit(0);
        }

        private Future<Batch> submit(int b) {
            return PREFETCH.submit(() -> batchAt(order, b));
        }

        @Override
        public boolean hasNext() {
            return next < count;
        }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException();
            Future<Batch> current = pending;
            next++;
            pending = next < count ? submit(next) : null;
            try {
                return current.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a prefetched batch", e);
            } catch (ExecutionException e) {
                if (pending != null) pending.cancel(true);
                Throwable c = e.getCause();
                if (c instanceof RuntimeException re) throw re;
                if (c instanceof Error err) throw err;
                throw new IllegalStateException("collating a batch failed: " + c, c);
            }
        }
    }
}
