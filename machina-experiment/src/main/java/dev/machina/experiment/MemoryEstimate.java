package dev.machina.experiment;

import dev.machina.data.TensorDataset;
import dev.machina.kernel.Parallel;
import java.util.Locale;
import java.util.Optional;

/**
 * The heap a spec's training needs, estimated from the spec and the prepared data before the
 * model is built, so that a model that cannot fit is refused with a figure instead of running
 * out of memory part-way. All figures are bytes; floats are 4 bytes.
 *
 * <ul>
 *   <li>{@code parameters}: one float per parameter, twice when early stopping keeps the best
 *       weights to restore; {@code gradients}: one float per parameter;</li>
 *   <li>{@code optimizerState}: Adam and AdamW two floats per parameter (three with amsgrad),
 *       RMSprop one (plus one each for momentum and centered), Adagrad one, SGD one with momentum;</li>
 *   <li>{@code activations}: the larger of training and evaluation. Training keeps the batch's
 *       input and every layer's output for the batch (a GRU or RNN what it saves per step: its
 *       gate pre-activations and activations, hidden states; an LSTM its result, the outputs and
 *       final states cut from it, stacked and joined) and, in the backward pass, a gradient of each;
 *       and each LSTM op (layer and direction) its own time-loop workspace at the training batch
 *       ({@link #lstmWorkspace}: the steps' copy of the input beside the state, gate activations and
 *       their gradients, cell states, the op's packed weights and weight gradient). Checked against
 *       the live heap of real training steps (MemoryEstimateTest).
 *       Evaluation (validation after each epoch, the test split after training: no gradients,
 *       {@code eval_batch_size} examples) holds a layer's input and output at once, and for an
 *       LSTM the time loop's workspace of that batch ({@code kernel.Recurrence}: the steps'
 *       inputs and states, gate activations, cell states and their tanh) while the workspaces
 *       pooled from training (up to 4, each at most 8 Mi floats, with training's gate gradients,
 *       packed weights and weight gradient: {@link #lstmWorkspace}; for RNN and GRU ops, up to 4
 *       more: {@link #rnnWorkspace}) stay; and the test split's
 *       outputs, probabilities and report. The batch is at most the examples there are;</li>
 *   <li>{@code checkpoint}: the copies writing a checkpoint makes, after each epoch: the weights
 *       once and the optimizer state twice (its state dict, then the file's tensors). It is held
 *       when the activations are not, so the larger of the two counts;</li>
 *   <li>{@code data}: the train, validation and test sets' features and targets as held in memory;</li>
 *   <li>{@code overhead}: what any run holds (16 MiB: the JVM's own objects, libraries, loaders,
 *       predictions) plus the kernels' per-thread packed copy of a weight matrix (at most 32 MiB
 *       a thread).</li>
 * </ul>
 *
 * The total must fit in {@link #HEAP_SHARE} of the maximum heap less {@link #gcRoom}: the
 * collector's young generation (the launcher gives it 64 MiB) cannot hold the large arrays,
 * which go to the old generation. Checked against the smallest {@code -Xmx} that trains a spec
 * (docs/ARCHITECTURE.md gives the figures).
 */
public record MemoryEstimate(String optimizer, long parameters, long gradients, long optimizerState, long activations, long checkpoint,
                             long data, long overhead) {
    /** {@code -Dmachina.memory.check=false} trains without the check (the out-of-memory handling remains). */
    public static final String CHECK_PROPERTY = "machina.memory.check";
    /** The share of the maximum heap an estimate may take; the rest is the garbage collector's room. */
    public static final double HEAP_SHARE = 0.9;
    private static final long MIB = 1L << 20, GIB = 1L << 30;

    public long total() {
        return add(add(add(parameters, gradients), add(optimizerState, Math.max(activations, checkpoint))), add(data, overhead));
    }

    /**
     * The estimate for training {@code e} on {@code data}; empty when a layer cannot take the
     * shape it would be given (building the model then says why).
     */
    public static Optional<MemoryEstimate> of(Experiment e, Prepared data) {
        TensorDataset train = data.train();
        int vocab = data.vocabulary() == null ? 0 : data.vocabulary().size();
        int[] want = Setup.outputShape(train, data);
        Walk w = new Walk(train.featureShape(), vocab, want);
        for (Experiment.Layer l : e.model()) {
            if (!w.layer(l)) return Optional.empty();
        }
        long p = w.params;
        Experiment.Part o = e.optimizer();
        long stateFloats = switch (o.name()) {
            case "adam", "adamw" -> mul(o.bool("amsgrad") ? 3 : 2, p);
            case "rmsprop" -> mul(p, 1 + (o.num("momentum") > 0 ? 1 : 0) + (o.bool("centered") ? 1 : 0));
            case "adagrad" -> p;
            case "sgd" -> o.num("momentum") > 0 ? p : 0;
            default -> throw new IllegalStateException("no memory estimate for the optimizer " + o.name());
        };
        Experiment.Training t = e.training();
        long trainBatch = Math.min(t.batchSize(), train.size());
        long evalExamples = Math.max(data.validation() == null ? 0 : data.validation().size(), data.test() == null ? 0 : data.test().size());
        long evalBatch = Math.min(t.evalBatchSize(), Math.max(1, evalExamples));
        long input = elements(train.featureShape());
        // every LSTM op (layer and direction) holds its own time-loop workspace from its forward to its backward
        long lstmTrain = 0;
        for (long[] l : w.lstms) lstmTrain = add(lstmTrain, mul(l[3], lstmWorkspace(l[0], l[1], l[2], trainBatch, trainBatch)));
        // the loss holds the model's output once more (its softmax, or the difference from the target)
        long trainFloats = add(mul(trainBatch, add(input, mul(2, add(w.saved, w.last)))), lstmTrain);
        // the LSTM workspaces pooled from training stay while one is grown to the evaluation batch
        long pooledEach = 0;
        for (long[] l : w.lstms) pooledEach = Math.max(pooledEach, Math.min(lstmWorkspace(l[0], l[1], l[2], trainBatch, evalBatch), 8L << 20));
        long pooled = mul(Math.max(0, Math.min(4, w.lstmOps) - 1), pooledEach);
        // likewise the RNN and GRU ops' workspaces (a pool of their own)
        long rnnEach = 0;
        for (long[] l : w.rnns) rnnEach = Math.max(rnnEach, Math.min(rnnWorkspace(l[0], l[1], l[2], l[3], trainBatch, evalBatch), 8L << 20));
        pooled = add(pooled, mul(Math.max(0, Math.min(4, w.rnnOps) - 1), rnnEach));
        // the test split's outputs (all of them), their probabilities and what the report makes of them
        long testOut = mul(3, mul(data.test() == null ? 0 : data.test().size(), w.last));
        long evalFloats = add(add(mul(evalBatch, w.widest), pooled), testOut);
        long dataBytes = bytes(train) + bytes(data.validation()) + bytes(data.test());
        // each thread's packed copy of a weight matrix holds at most 8 Mi floats (larger products are split)
        long overhead = 16 * MIB + (Parallel.threads() + 1L) * 4 * Math.min(w.largestWeight, 8L << 20);
        boolean keepsBest = t.earlyStopping() != null && t.earlyStopping().restoreBest();
        return Optional.of(new MemoryEstimate(o.name(), mul(4 * (keepsBest ? 2 : 1), p), mul(4, p), mul(4, stateFloats),
                mul(4, Math.max(trainFloats, evalFloats)), mul(4, add(p, mul(2, stateFloats))), dataBytes, overhead));
    }

    /**
     * Null when the estimate fits in {@link #HEAP_SHARE} of {@code maxHeap}; otherwise the one
     * line that says so: the estimate and its parts, the heap, and the {@code -Xmx} to give.
     */
    public String refusal(long maxHeap) {
        if (total() <= HEAP_SHARE * maxHeap - gcRoom(maxHeap)) return null;
        long xmxGib = Math.max(1, (long) Math.ceil(add(total(), gcRoom(Long.MAX_VALUE)) / HEAP_SHARE / GIB));
        return "training this spec needs about " + size(total()) + " of heap (parameters " + size(parameters) + ", gradients " + size(gradients)
                + ", " + optimizer + " state " + size(optimizerState) + ", activations " + size(activations) + " or checkpoint copies "
                + size(checkpoint) + " at a time, data " + size(data)
                + ", other " + size(overhead) + ") but the JVM's maximum heap is " + size(maxHeap) + ": give it more with MACHINA_JAVA_OPTS=-Xmx"
                + xmxGib + "g ./machina train …" + physicalNote(xmxGib * GIB)
                + ", or make the model, training.batch_size or training.eval_batch_size smaller";
    }

    /**
     * Floats a pooled RNN or GRU workspace ({@code nn.FusedRecurrence.Saved}) holds once it has
     * trained on {@code trainBatch} sequences and evaluated {@code evalBatch} ({@code gru} 1 for a
     * GRU): per sequence, the input projection and gate activations of every step, the states of
     * every step and one more (and a GRU's W_hn·h); from training only, the gate gradients of every
     * step on both sides.
     */
    static long rnnWorkspace(long gates, long hidden, long steps, long gru, long trainBatch, long evalBatch) {
        long g = gates * hidden;
        long forward = add(mul(steps, 2 * g + (gru != 0 ? 2 : 1) * hidden), hidden); // input projection, gate activations, states (and W_hn·h)
        return add(mul(Math.max(trainBatch, evalBatch), forward), mul(trainBatch, mul(steps, 2 * g))); // and the gate gradients, from training
    }

    /**
     * Floats a pooled LSTM workspace ({@code kernel.Recurrence.Workspace}) holds once it has trained
     * on {@code trainBatch} sequences and evaluated {@code evalBatch}: its arrays only grow, so each
     * is the larger of the two uses. Per sequence, z = [x_t | h] for every step and one more (rows
     * padded to whole blocks of 8), gate activations, cell states and their tanh; from training only,
     * the packed gate gradients (steps·batch·4H), dh and dc (3·batch·H), the packed weights
     * [W_ih | W_hh] and W_hh, and the weight gradient (zStride·4H). Packed widths are rounded up to
     * whole panels of 32 (the widest register panel; the biases and their gradient sums too).
     */
    static long lstmWorkspace(long input, long hidden, long steps, long trainBatch, long evalBatch) {
        long g = 4 * hidden, zStride = (input + hidden + 7) / 8 * 8, gPanels = (g + 31) / 32 * 32, hPanels = (hidden + 31) / 32 * 32;
        long perSequence = add(add(mul(steps + 1, zStride), mul(steps, g)), mul(2 * steps + 1, hidden));
        long trainOnly = add(add(mul(mul(steps, trainBatch), gPanels), mul(3 * trainBatch, hidden)),
                add(add(mul(gPanels, input + hidden), mul(hPanels, g)), add(mul(zStride, g), add(gPanels, g))));
        return add(mul(Math.max(trainBatch, evalBatch), perSequence), trainOnly);
    }

    /**
     * The one line for an {@link OutOfMemoryError} while {@code phase} ("evaluating the test
     * split"): the phase, the JVM's maximum heap, and the {@code -Xmx} to run {@code command}
     * with ("./machina eval …"); callers add what else can be made smaller.
     */
    public static String outOfMemory(String phase, String command) {
        return "out of memory while " + phase + ": the JVM's maximum heap is " + size(Runtime.getRuntime().maxMemory()) + "; give it more with "
                + moreHeap(command);
    }

    /** "MACHINA_JAVA_OPTS=-Xmx512m {@code command}": about twice the JVM's maximum heap, for running {@code command} again. */
    public static String moreHeap(String command) {
        long more = moreHeapBytes(Runtime.getRuntime().maxMemory());
        return "MACHINA_JAVA_OPTS=" + xmx(more) + " " + command + physicalNote(more);
    }

    /** The heap to suggest after running out of {@code heap}: about twice as much, in whole 256 MiB below 2 GiB, whole GiB above. */
    static long moreHeapBytes(long heap) {
        long want = 2 * Math.max(heap, 64 * MIB), step = want < 2 * GIB ? 256 * MIB : GIB;
        return (want + step - 1) / step * step;
    }

    /** {@code -Xmx} for a whole number of MiB: "-Xmx768m", or "-Xmx6g" in whole GiB. */
    static String xmx(long bytes) {
        return bytes % GIB == 0 ? "-Xmx" + bytes / GIB + "g" : "-Xmx" + bytes / MIB + "m";
    }

    /** ", more than this machine's N GiB of memory" when the heap asked for is more than there is. */
    private static String physicalNote(long heap) {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long ram = os.getTotalMemorySize();
            if (ram > 0 && heap > ram) return " (more than this machine's " + size(ram) + " of memory)";
        }
        return "";
    }

    /**
     * What the collector needs beside {@link #HEAP_SHARE}: a third of the heap, at most 48 MiB. The
     * launcher's young generation is 64 MiB whatever the heap, so a small heap's old generation is
     * small; measured: fashion-lstm needs a heap 34 to 42 MiB larger than the 190 MiB it holds at
     * its peak; text-lstm (82 MiB estimated, at most 64 MiB live after a full collection) runs out
     * now and then up to -Xmx140m, and trains at the -Xmx155m this room makes the smallest accepted.
     */
    static long gcRoom(long maxHeap) {
        return Math.min(maxHeap / 3, 48 * MIB);
    }

    /** Bytes as "512 MiB" or "7.2 GiB". */
    static String size(long bytes) {
        if (bytes < GIB) return String.format(Locale.ROOT, "%d MiB", Math.max(1, (bytes + MIB / 2) / MIB));
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) GIB);
    }

    private static long bytes(TensorDataset d) {
        if (d == null) return 0;
        long b = d.featureBytes();
        if (d.isClassification()) b += 4L * d.size();
        else if (d.targets() != null) b += 4L * d.targets().size();
        return b;
    }

    private static long elements(int[] dims) {
        long n = 1;
        for (int d : dims) n = mul(n, d);
        return n;
    }

    /** a·b, or Long.MAX_VALUE past long's range: a model too large to count is too large to train. */
    private static long mul(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** a + b (both non-negative), or Long.MAX_VALUE past long's range. */
    private static long add(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }

    /**
     * The spec's layers walked without building them: one example's shape after each, the
     * parameters, what training saves per example, the widest input-plus-output, the largest
     * weight or per-example operand of a matrix product.
     */
    private static final class Walk {
        int[] dims;
        final int vocab;
        final int[] want;
        boolean sequence;
        long params, saved, widest, last, largestWeight;
        /** LSTM layers times directions (each a fused op with a pooled workspace), and the largest workspace per example. */
        long lstmOps, lstmWorkspace, rnnOps;
        /** Each RNN or GRU layer's gates, hidden size, steps and whether it is a GRU (1) (each direction a fused op with a pooled workspace). */
        final java.util.List<long[]> rnns = new java.util.ArrayList<>();
        /** Each LSTM layer's input width, hidden size and steps. */
        final java.util.List<long[]> lstms = new java.util.ArrayList<>();

        Walk(int[] featureShape, int vocab, int[] want) {
            this.dims = featureShape.clone();
            this.vocab = vocab;
            this.want = want;
            this.last = elements(dims);
        }

        /** Adds a layer; false when it cannot take the current shape. */
        boolean layer(Experiment.Layer l) {
            var a = l.args();
            long in = elements(dims);
            switch (l.kind()) {
                case "linear" -> {
                    if (dims.length > 1 && !sequence) dims = new int[] {(int) in};
                    int out = (Integer) a.get("out");
                    if (out == -1) out = want == null ? 1 : want[want.length - 1];
                    long fanIn = dims[dims.length - 1];
                    params = add(params, add(mul(fanIn, out), Boolean.TRUE.equals(a.get("bias")) ? out : 0));
                    largestWeight = Math.max(largestWeight, mul(fanIn, out));
                    dims = dims.clone();
                    dims[dims.length - 1] = out;
                    output(in, 1);
                }
                case "relu", "leaky_relu", "sigmoid", "tanh", "gelu", "softmax", "log_softmax", "identity" -> output(in, 1);
                case "dropout" -> output(in, 2); // the output and the mask
                case "flatten" -> {
                    dims = new int[] {(int) in};
                    output(in, 0); // a view
                }
                case "embedding" -> {
                    if (dims.length != 1) return false;
                    int dim = (Integer) a.get("dim");
                    params = add(params, mul(Math.max(vocab, 1), dim));
                    dims = new int[] {dims[0], dim};
                    sequence = true;
                    output(in, 1);
                }
                case "lstm", "gru", "rnn" -> {
                    if (dims.length != 2) return false;
                    recurrent(l.kind(), a, in);
                }
                case "last_step" -> {
                    if (dims.length != 2) return false;
                    dims = new int[] {dims[dims.length - 1]};
                    sequence = false;
                    output(in, 1);
                }
                default -> throw new IllegalStateException("no memory estimate for the layer " + l.kind());
            }
            return true;
        }

        private void recurrent(String kind, java.util.Map<String, Object> a, long in) {
            int hidden = (Integer) a.get("hidden"), layers = (Integer) a.get("layers");
            int dirs = Boolean.TRUE.equals(a.get("bidirectional")) ? 2 : 1;
            int gates = kind.equals("lstm") ? 4 : kind.equals("gru") ? 3 : 1;
            boolean bias = Boolean.TRUE.equals(a.get("bias"));
            long steps = dims[0];
            long input = dims[1];
            long g = (long) gates * hidden;
            // a GRU or RNN, per direction and step: the input projection and the gate activations (g each), and
            // the states: h (and W_hn·h for a GRU) and the output
            long perStep = 2 * g + hidden * (kind.equals("gru") ? 3L : 2L);
            long layerIn = in;
            for (int layer = 0; layer < layers; layer++) {
                params = add(params, mul(dirs, add(mul(g, input + hidden), bias ? 2 * g : 0)));
                largestWeight = Math.max(largestWeight, mul(g, Math.max(input, hidden)));
                long out = add(mul(dirs, mul(steps, hidden)), mul(2L * dirs, hidden)); // the outputs, h_n and c_n
                if (kind.equals("lstm")) {
                    // the fused time loop's workspace (kernel.Recurrence), one direction at a time: z = [x_t | h] padded to
                    // whole blocks of 8, gate activations and cell states for every step, tanh of the cell states
                    long zStride = (input + hidden + 7) / 8 * 8;
                    long ws = add(add(mul(steps + 1, zStride), mul(steps, g)), mul(2 * steps + 1, hidden));
                    lstmOps += dirs;
                    lstms.add(new long[] {input, hidden, steps, dirs});
                    lstmWorkspace = Math.max(lstmWorkspace, ws);
                    // training, per example (a gradient of each counted beside it): each direction's result [outputs | h_n | c_n]
                    // and the outputs, h_n and c_n cut from it, the final states stacked, the two directions' outputs joined;
                    // its time loop's workspace is counted per op at the training batch
                    saved = add(saved, add(mul(dirs, add(mul(2 * steps, hidden), 6L * hidden)), dirs > 1 ? mul(steps, 2L * hidden) : 0));
                    widest = Math.max(widest, add(add(layerIn, ws), mul(dirs > 1 ? 2 : 1, out)));
                } else {
                    rnnOps += dirs;
                    rnns.add(new long[] {gates, hidden, steps, kind.equals("gru") ? 1 : 0});
                    saved = add(saved, mul(dirs, mul(steps, perStep)));
                    widest = Math.max(widest, add(layerIn, mul(dirs, mul(steps, perStep))));
                }
                if (layer < layers - 1 && ((Number) a.get("dropout")).doubleValue() > 0) saved = add(saved, mul(2 * steps, (long) hidden * dirs));
                input = (long) hidden * dirs;
                layerIn = mul(steps, input);
            }
            dims = new int[] {(int) steps, (int) Math.min(Integer.MAX_VALUE, (long) hidden * dirs)};
            last = elements(dims);
        }

        /** A layer's output as the new current shape: saved {@code copies} times for training. */
        private void output(long in, int copies) {
            long out = elements(dims);
            saved = add(saved, mul(copies, out));
            widest = Math.max(widest, add(in, out));
            last = out;
        }
    }
}
