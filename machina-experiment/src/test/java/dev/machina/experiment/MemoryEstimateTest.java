package dev.machina.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.machina.nn.Module;
import dev.machina.run.RunDirectory;
import dev.machina.train.Callback;
import dev.machina.train.TrainContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The memory estimate walks a spec's layers without building them, and refuses what cannot fit before anything is allocated. */
class MemoryEstimateTest {
    private static final long MIB = 1L << 20, GIB = 1L << 30;

    private static Experiment spec(String text, String... sets) {
        return Experiment.parse("spec.yaml", text, List.of(sets));
    }

    /** The parameters the spec's model has when it is built. */
    private static long builtParameters(Experiment e, Prepared d) {
        Module m = Build.model(e, d.train().featureShape(), d.train().isClassification() ? d.train().numClasses() : 0,
                d.vocabulary() == null ? 0 : d.vocabulary().size(), Setup.outputShape(d.train(), d));
        return m.parameterCount();
    }

    @Test
    void theParametersAreTheBuiltModelsForEveryLayerKind(@TempDir Path dir) throws Exception {
        Set<String> covered = new TreeSet<>();
        Path text = Files.writeString(dir.resolve("t.txt"), "the quick brown fox jumps over the lazy dog. ".repeat(40));
        List<Experiment> specs = List.of(
                spec("data: digits\nmodel: [{linear: 32}, relu, {dropout: 0.1}, {linear: {out: 16, bias: false}}, {leaky_relu: 0.1}, sigmoid, tanh, gelu,"
                        + " identity, flatten, {linear: 10}, {softmax: -1}, {log_softmax: -1}]\n"),
                spec("data: {dataset: text, path: " + text + ", seq_len: 20}\nmodel: [{embedding: 8}, {lstm: {hidden: 12, layers: 2, bidirectional: true}},"
                        + " {gru: {hidden: 6, bias: false}}, {rnn: {hidden: 5, nonlinearity: relu}}, {linear: auto}]\n"),
                spec("data: {dataset: sine, length: 400, window: 10}\nmodel: [{lstm: 7}, last_step, {linear: auto}]\n"));
        for (Experiment e : specs) {
            Prepared d = Prepared.of(e);
            assertThat(MemoryEstimate.of(e, d).orElseThrow().parameters()).as(e.model().toString()).isEqualTo(4 * builtParameters(e, d));
            e.model().forEach(l -> covered.add(l.kind()));
        }
        assertThat(covered).as("every layer a spec can hold").isEqualTo(new TreeSet<>(LayerRegistry.LAYERS.names()));
    }

    @Test
    void optimizerStateIsWhatEachOptimizerKeepsPerParameter() {
        String base = "data: digits\nmodel: [{linear: 10}]\n";
        Prepared d = Prepared.of(spec(base));
        long p = MemoryEstimate.of(spec(base), d).orElseThrow().parameters();
        assertThat(p).isEqualTo(4 * 650);
        assertThat(MemoryEstimate.of(spec(base, "optimizer.name=adam"), d).orElseThrow().optimizerState()).isEqualTo(2 * p);
        assertThat(MemoryEstimate.of(spec(base, "optimizer.name=adamw", "optimizer.amsgrad=true"), d).orElseThrow().optimizerState()).isEqualTo(3 * p);
        assertThat(MemoryEstimate.of(spec(base, "optimizer.name=sgd"), d).orElseThrow().optimizerState()).isZero();
        assertThat(MemoryEstimate.of(spec(base, "optimizer.name=sgd", "optimizer.momentum=0.9"), d).orElseThrow().optimizerState()).isEqualTo(p);
        assertThat(MemoryEstimate.of(spec(base, "optimizer.name=rmsprop", "optimizer.centered=true"), d).orElseThrow().optimizerState()).isEqualTo(2 * p);
        assertThat(MemoryEstimate.of(spec(base, "optimizer.name=adagrad"), d).orElseThrow().optimizerState()).isEqualTo(p);
        // a checkpoint copies the weights once and the optimizer state twice
        assertThat(MemoryEstimate.of(spec(base, "optimizer.name=adam"), d).orElseThrow().checkpoint()).isEqualTo(p + 2 * 2 * p);
        MemoryEstimate keepsBest = MemoryEstimate.of(spec(base + "training: {early_stopping: {patience: 3}}\n"), d).orElseThrow();
        assertThat(keepsBest.parameters()).as("early stopping keeps the best weights to restore").isEqualTo(2 * p);
    }

    @Test
    void activationsGrowWithTheBatchUpToTheExamplesThereAre() {
        String base = "data: digits\nmodel: [{linear: 1000}, relu, {linear: 10}]\n";
        Prepared d = Prepared.of(spec(base));
        // evaluation (1,000 at a time, so all the test examples at once) holds a layer's input and output: 2,000 floats each
        MemoryEstimate small = MemoryEstimate.of(spec(base, "training.batch_size=16"), d).orElseThrow();
        assertThat(d.test().size()).isLessThan(1000).isGreaterThan(d.validation() == null ? 0 : d.validation().size());
        // and the test split's 10 outputs each, kept with their probabilities and the report's copy
        assertThat(small.activations()).isEqualTo(4L * d.test().size() * 2000 + 4L * 3 * d.test().size() * 10);
        // training 1,024 at a time: the input, and each layer's output and its gradient, and the loss's copy of the logits
        MemoryEstimate big = MemoryEstimate.of(spec(base, "training.batch_size=1024"), d).orElseThrow();
        assertThat(big.activations()).isEqualTo(4L * 1024 * (64 + 2 * (1000 + 1000 + 10 + 10)));
        assertThat(MemoryEstimate.of(spec(base, "training.batch_size=100000"), d).orElseThrow().activations())
                .as("a batch is at most the training set").isEqualTo(4L * d.train().size() * (64 + 2 * 2020));
        assertThat(small.data()).isEqualTo(4L * 1797 * (64 + 1));
    }

    @Test
    void anLstmsEvaluationCountsItsTimeLoopWorkspaceAndTheTestOutputs() {
        Experiment e = spec("data: {dataset: sine, length: 400, window: 10}\nmodel: [{lstm: 7}, last_step, {linear: auto}]\n"
                + "training: {batch_size: 2}\n");
        Prepared d = Prepared.of(e);
        int examples = Math.max(d.validation().size(), d.test().size());
        // 10 steps of 1 input, hidden 7 (4 gates: 28): z [11, 8] (x and h padded to 8), gate activations [10, 28], cell states [11, 7]
        // and their tanh [10, 7]; the input (10), the outputs (70) with h_n and c_n (14); and every test output three times
        long perExample = 10 + (11 * 8 + 10 * 28 + 11 * 7 + 10 * 7) + (70 + 14);
        assertThat(MemoryEstimate.of(e, d).orElseThrow().activations()).isEqualTo(4L * (examples * perExample + 3L * d.test().size()));
        // two layers, both directions: four fused ops, so three training workspaces stay pooled while one is grown for evaluation
        Experiment deep = spec("data: {dataset: sine, length: 400, window: 10}\nmodel: [{lstm: {hidden: 7, layers: 2, bidirectional: true}}, last_step,"
                + " {linear: auto}]\ntraining: {batch_size: 2}\n");
        long ws2 = 11 * 24 + 10 * 28 + 11 * 7 + 10 * 7; // the second layer reads 14 inputs: z rows of 14 + 7, padded to 24
        long perExample2 = 140 + ws2 + 2 * (140 + 28);
        long evalBatch = Math.min(1000, examples);
        long pooled = Math.max(MemoryEstimate.lstmWorkspace(1, 7, 10, 2, evalBatch), MemoryEstimate.lstmWorkspace(14, 7, 10, 2, evalBatch));
        assertThat(MemoryEstimate.of(deep, d).orElseThrow().activations())
                .isEqualTo(4L * (examples * perExample2 + 3L * pooled + 3L * d.test().size()));
    }

    @Test
    void aGrusEvaluationCountsTheWorkspacesPooledFromTraining() {
        // two layers, both directions: four fused ops, so three training workspaces stay pooled while one is used for evaluation
        Experiment deep = spec("data: {dataset: sine, length: 400, window: 10}\nmodel: [{gru: {hidden: 7, layers: 2, bidirectional: true}}, last_step,"
                + " {linear: auto}]\ntraining: {batch_size: 2}\n");
        Prepared d = Prepared.of(deep);
        int examples = Math.max(d.validation().size(), d.test().size());
        long evalBatch = Math.min(1000, examples);
        // the widest layer in evaluation: the second, reading 10 steps of 14 and saving per direction and step the input
        // projection and gate activations (21 each) and h and W_hn·h (7 each)
        long widest = 10 * 14 + 2 * 10 * (2 * 21 + 3 * 7);
        // a pooled workspace: per sequence and step the projection, activations, h and W_hn·h (one more h), and from training
        // (batch 2) the gate gradients on both sides
        long pooled = evalBatch * (10 * (2 * 21 + 2 * 7) + 7) + 2 * 10 * 2 * 21;
        assertThat(MemoryEstimate.rnnWorkspace(3, 7, 10, 1, 2, evalBatch)).isEqualTo(pooled);
        assertThat(MemoryEstimate.of(deep, d).orElseThrow().activations())
                .isEqualTo(4L * (examples * widest + 3L * pooled + 3L * d.test().size()));
    }

    /** A pooled LSTM workspace as the kernel grows it: trained on one batch, then evaluated on another. */
    private static long realWorkspace(int in, int hid, int steps, int trainBatch, int evalBatch) {
        var k = dev.machina.kernel.KernelProvider.get();
        var w = new dev.machina.kernel.Recurrence.Workspace();
        int g = 4 * hid;
        float[] wih = new float[g * in], whh = new float[g * hid], bsum = new float[g];
        for (int b : new int[] {trainBatch, evalBatch}) {
            int[] lengths = new int[b];
            java.util.Arrays.fill(lengths, steps);
            float[] x = new float[b * steps * in], out = new float[b * steps * hid];
            dev.machina.kernel.Recurrence.lstmForward(k, w, b, steps, in, hid, lengths, steps, false, x, null, null, wih, whh, bsum, out, null, null);
            if (b == trainBatch) {
                dev.machina.kernel.Recurrence.lstmBackward(k, w, b, steps, in, hid, lengths, steps, false, new float[out.length], null, null, wih, whh,
                        new float[x.length], null, null, new float[wih.length], new float[whh.length], new float[g], new float[g]);
            }
        }
        return w.floats();
    }

    @Test
    void aPooledLstmWorkspaceIsWhatTheKernelHolds() {
        for (int[] c : new int[][] {{1, 7, 10, 2, 100}, {1024, 4, 32, 4, 50}, {28, 128, 28, 64, 200}, {14, 7, 10, 64, 8}}) {
            long real = realWorkspace(c[0], c[1], c[2], c[3], c[4]);
            long estimated = MemoryEstimate.lstmWorkspace(c[0], c[1], c[2], c[3], c[4]);
            assertThat(estimated).as(java.util.Arrays.toString(c)).isGreaterThanOrEqualTo(real).isLessThanOrEqualTo(real + real / 10);
        }
    }

    /**
     * The most one training step of a spec's model holds on the heap beyond the model, its data and
     * its parameters' gradients: the live heap after a full collection, measured after the forward
     * and the loss and at every layer's boundary in the backward (an identity op after each layer
     * whose backward rule measures), less the heap before the step (after a warm-up step, so the
     * pooled LSTM time-loop workspaces are in it: they are added as the kernel grows them, which
     * {@link #aPooledLstmWorkspaceIsWhatTheKernelHolds} checks), plus the batch's input.
     */
    private static long[] trainingStep(Experiment e, Path dir) throws Exception {
        Prepared d = Prepared.of(e);
        Setup s = Setup.of(e, d, RunDirectory.create(dir, "m"));
        var model = (dev.machina.nn.Sequential) s.model();
        model.train();
        dev.machina.data.Batch b = s.train().epoch(0).iterator().next();
        dev.machina.tensor.Tensor dummy = dev.machina.tensor.Tensor.zeros(1).requiresGrad(true); // keeps every probe in the graph
        long[] base = {0}, peak = {0};
        java.util.function.LongSupplier held = () -> {
            long grads = 0;
            for (var p : model.parameters()) if (p.grad() != null) grads += p.grad().size();
            return live() - base[0] - 4 * grads;
        };
        Runnable step = () -> {
            s.optimizer().zeroGrad();
            var x = b.features();
            for (int i = 0; i < model.size(); i++) {
                var y = model.get(i).forward(x);
                x = dev.machina.tensor.Tensor.fromOp("probe", y.data(), y.shape(), new dev.machina.tensor.Tensor[] {y, dummy}, g -> {
                    peak[0] = Math.max(peak[0], held.getAsLong()); // before the gradient's copy below, which training does not make
                    if (y.requiresGrad()) {
                        float[] into = y.gradBuffer();
                        for (int j = 0; j < g.length; j++) into[j] += g[j];
                    }
                });
            }
            var loss = s.loss().compute(x, b);
            peak[0] = Math.max(peak[0], held.getAsLong());
            loss.backward();
        };
        dev.machina.kernel.Parallel.withThreads(1, () -> {
            step.run(); // the pool now holds this model's workspaces
            s.optimizer().zeroGrad();
            base[0] = live();
            peak[0] = 0;
            step.run();
        });
        long workspaces = 0;
        int steps = b.features().shape(1);
        for (var l : e.model()) {
            if (!l.kind().equals("lstm")) continue;
            int hidden = (Integer) l.args().get("hidden"), layers = (Integer) l.args().get("layers");
            int dirs = Boolean.TRUE.equals(l.args().get("bidirectional")) ? 2 : 1;
            int in = model.parameters().stream().filter(p -> p.rank() == 2 && p.shape(0) == 4 * hidden).findFirst().orElseThrow().shape(1);
            for (int layer = 0; layer < layers; layer++, in = hidden * dirs) {
                workspaces += dirs * MemoryEstimate.lstmWorkspace(in, hidden, steps, b.size(), b.size());
            }
        }
        return new long[] {MemoryEstimate.of(e, d).orElseThrow().activations(), peak[0] + 4L * b.features().size() + 4 * workspaces};
    }

    /** The live heap after a full collection. */
    private static long live() {
        System.gc();
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void anLstmsTrainingCountsWhatATrainingStepHolds(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("t.txt"), "the quick brown fox jumps over the lazy dog. ".repeat(40));
        String small = "training: {batch_size: 16, eval_batch_size: 1}\n"; // arrays under 1 MiB: G1 counts a larger one as whole regions
        List<Experiment> specs = List.of(
                spec("data: {dataset: sine, length: 400, window: 10}\nmodel: [{lstm: 7}, last_step, {linear: auto}]\n" + small),
                spec("data: {dataset: sine, length: 2000, window: 50}\nmodel: [{lstm: 64}, last_step, {linear: auto}]\n" + small),
                spec("data: {dataset: text, path: " + text + ", seq_len: 20}\nmodel: [{embedding: 48}, {lstm: {hidden: 24, layers: 2,"
                        + " bidirectional: true, dropout: 0.2}}, {linear: auto}]\n" + small),
                // a wide input and a small state: the copy of the input in the time loop's workspace is most of it
                spec("data: {dataset: text, path: " + text + ", seq_len: 20}\nmodel: [{embedding: 512}, {lstm: 4}, {linear: auto}]\n" + small));
        int i = 0;
        for (Experiment e : specs) {
            long[] r = trainingStep(e, dir.resolve("s" + i++));
            // the estimates are 1.10, 1.08, 1.25 and 1.05 times what the steps hold (the training part is the larger here)
            assertThat(r[0]).as(e.model() + ": estimated against held").isGreaterThanOrEqualTo(r[1]).isLessThanOrEqualTo(r[1] * 3 / 2);
        }
    }

    /**
     * A regression's test-predictions.csv is streamed: when its first bytes reach the file, the heap
     * holds a buffer, not the file's text (200,000 values: about 6 MB of CSV), so the estimate needs
     * nothing for it beyond the test outputs it counts. Its text is what a series' rows have always been.
     */
    @Test
    void aRegressionsTestPredictionsAreStreamedNotHeldInMemory() throws Exception {
        int n = 200_000;
        int[] examples = new int[n];
        float[] actual = new float[n], predicted = new float[n];
        for (int i = 0; i < n; i++) {
            examples[i] = i;
            actual[i] = (float) Math.sin(i * 0.01) / 3;
            predicted[i] = actual[i] + i * 1e-7f;
        }
        long before = live();
        long[] atFirstWrite = {-1};
        long[] written = {0};
        var sink = new java.io.OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (atFirstWrite[0] < 0) atFirstWrite[0] = live() - before;
                written[0] += len;
            }
        };
        SpecRunner.writePredictions(sink, examples, actual, predicted, 1, true, 1000, 2, 50, 1);
        assertThat(written[0]).isGreaterThan(5_000_000);
        assertThat(atFirstWrite[0]).as("heap held when the first bytes are written").isLessThan(1L << 20);

        var small = new java.io.ByteArrayOutputStream();
        SpecRunner.writePredictions(small, new int[] {3, 7}, new float[] {0.5f, -1.25f, 2f, 1e-8f}, new float[] {0.25f, -1f, 2.5f, 3f}, 2, true, 100, 2, 10, 1);
        assertThat(small.toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("example,output,step,actual,predicted\n"
                + "3,0,216,0.5,0.25\n3,1,217,-1.25,-1.0\n7,0,224,2.0,2.5\n7,1,225,1.0E-8,3.0\n");
    }

    @Test
    void theCollectorsRoomIsLeftBesideTheEstimate() {
        Experiment digits = Experiment.load(Path.of("..", "examples", "digits-mlp.yaml"));
        MemoryEstimate m = MemoryEstimate.of(digits, Prepared.of(digits)).orElseThrow();
        long justEnoughBefore = (long) Math.ceil(m.total() / 0.9) + MIB; // what 90% of the heap alone accepted
        assertThat(m.refusal(justEnoughBefore)).as("the young generation cannot hold the large arrays").isNotNull();
        assertThat(m.refusal((long) Math.ceil((m.total() + 48 * MIB) / 0.9) + MIB)).isNull();
        assertThat(MemoryEstimate.gcRoom(4 * GIB)).isEqualTo(48 * MIB);
        assertThat(MemoryEstimate.gcRoom(60 * MIB)).isEqualTo(20 * MIB);
    }

    @Test
    void aModelThatCannotFitIsRefusedInOneLineWithTheHeapToGive() {
        Experiment e = spec("data: digits\nmodel: [{linear: 30000000}, {linear: 10}]\noptimizer: {name: adam}\n");
        MemoryEstimate m = MemoryEstimate.of(e, Prepared.of(e)).orElseThrow();
        // 64 × 30,000,000 + 30,000,000 × 10 weights (and biases), as many gradients, Adam's two moments: 8.4 GiB, 8.4 GiB, 16.8 GiB
        assertThat(m.parameters()).isEqualTo(4L * (64L * 30_000_000 + 30_000_000 + 30_000_000L * 10 + 10));
        String line = m.refusal(6 * GIB);
        assertThat(line).doesNotContain("\n").startsWith("training this spec needs about ").contains("parameters 8.4 GiB, gradients 8.4 GiB, adam state 16.8 GiB")
                .contains("maximum heap is 6.0 GiB").contains("MACHINA_JAVA_OPTS=-Xmx" + (long) Math.ceil((m.total() + 32 * MIB) / 0.9 / GIB) + "g ./machina train");
        assertThat(m.refusal(Long.MAX_VALUE)).isNull();
        // sizes past long's range count as the largest, not as a wrapped-around negative number
        Experiment vast = spec("data: digits\nmodel: [{linear: 2000000000}, {linear: 2000000000}, {linear: 2000000000}, {linear: 10}]\n");
        MemoryEstimate v = MemoryEstimate.of(vast, Prepared.of(vast)).orElseThrow();
        assertThat(v.total()).isEqualTo(Long.MAX_VALUE);
        assertThat(v.refusal(64 * GIB)).startsWith("training this spec needs about ");
        Experiment digits = Experiment.load(Path.of("..", "examples", "digits-mlp.yaml"));
        MemoryEstimate small = MemoryEstimate.of(digits, Prepared.of(digits)).orElseThrow();
        assertThat(small.total()).isBetween(16 * MIB, 32 * MIB);
        assertThat(small.refusal(256 * MIB)).isNull();
    }

    @Test
    void aModelThatDoesNotFitItsDataHasNoEstimateSoThatBuildingItSaysWhy(@TempDir Path dir) {
        assertThat(MemoryEstimate.of(spec("data: digits\nmodel: [{lstm: 8}, {linear: 10}]\n"), Prepared.of(spec("data: digits\nmodel: [{linear: 10}]\n"))))
                .isEmpty();
        Experiment e = spec("data: digits\nmodel: [{lstm: 8}, {linear: 10}]\n");
        assertThatThrownBy(() -> SpecRunner.of(e).runsDir(dir).report(false).run()).isInstanceOf(UserError.class)
                .hasMessageContaining("a recurrent layer needs sequences");
    }

    @Test
    void specRunnerRefusesBeforeCreatingTheRunDirectory(@TempDir Path dir) {
        Experiment e = spec("name: huge\ndata: digits\nmodel: [{linear: 30000000}, {linear: 10}]\n");
        assertThatThrownBy(() -> SpecRunner.of(e).runsDir(dir).report(false).run()).isInstanceOf(UserError.class)
                .hasMessageContaining("training this spec needs about").hasMessageContaining("-Xmx");
        assertThat(dir.resolve("huge")).doesNotExist();
    }

    /** What the estimate misses still ends as one line and a failed run: an OutOfMemoryError thrown while training. */
    @Test
    void anOutOfMemoryErrorDuringTrainingIsOneLineAndAFailedRun(@TempDir Path dir) throws Exception {
        Experiment e = spec("name: oom\ndata: digits\nmodel: [{linear: 10}]\ntraining: {epochs: 2}\n");
        Callback oom = new Callback() {
            @Override
            public void onEpochBegin(TrainContext ctx, int epoch) {
                throw new OutOfMemoryError("Java heap space");
            }
        };
        assertThatThrownBy(() -> SpecRunner.of(e).runsDir(dir).report(false).callback(oom).run()).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("out of memory while training (the model, its optimizer state and its activations").hasMessageContaining("-Xmx");
        Path run;
        try (var ids = Files.list(dir.resolve("oom"))) {
            run = ids.findFirst().orElseThrow();
        }
        String rec = Files.readString(run.resolve(RunDirectory.RUN_JSON));
        assertThat(rec).contains("\"status\" : \"failed\"").contains("out of memory");
    }
}
