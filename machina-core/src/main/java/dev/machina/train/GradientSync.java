package dev.machina.train;

import java.io.IOException;

/**
 * The link between the workers of synchronous data-parallel training, as PyTorch's
 * DistributedDataParallel uses a process group: {@code size()} workers each train the same
 * model on their part of every global batch ({@link dev.machina.data.DataLoader.Builder#shard}),
 * and before every optimizer step the {@link Trainer} sums, through {@link #allReduce}, each
 * worker's gradient weighted by its example count, so every worker applies the same step to the
 * same weights.
 *
 * <p>An implementation must give every worker the same bits, and the same bits on every call
 * with the same inputs: sum in a fixed order, never in order of arrival. Then two runs with the
 * same number of workers are bit-identical.
 */
public interface GradientSync {
    /** This worker's number, 0 … size-1. Worker 0 records the run. */
    int rank();

    /** The number of workers. */
    int size();

    /** Replaces {@code values} by their element-wise sum over all workers; blocks until every worker has called it. */
    void allReduce(float[] values) throws IOException;
}
