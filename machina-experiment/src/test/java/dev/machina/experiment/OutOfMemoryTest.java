package dev.machina.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.machina.io.SafeTensors;
import dev.machina.run.RunDirectory;
import dev.machina.tune.TrialResult;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An OutOfMemoryError in each phase after training (thrown where a real one would land) is one
 * line naming the phase, the heap and what to do, and leaves what was saved usable.
 */
public class OutOfMemoryTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SPEC = "name: oom\nseed: 3\ndata: digits\nmodel: [{linear: 16}, relu, {linear: 10}]\ntraining: {epochs: 2, batch_size: 32}\n";

    private static Experiment spec(String text) {
        return Experiment.parse("spec.yaml", text, List.of());
    }

    private static Path onlyRun(Path runs) throws IOException {
        try (var ids = Files.list(runs.resolve("oom"))) {
            return ids.findFirst().orElseThrow();
        }
    }

    /** The weights in a run's model file, bit for bit, as text. */
    private static String weights(Path run) throws IOException {
        StringBuilder b = new StringBuilder();
        new java.util.TreeMap<>(SafeTensors.read(run.resolve(RunDirectory.MODEL)).tensors())
                .forEach((k, t) -> b.append(k).append(java.util.Arrays.hashCode(t.data())).append(java.util.Arrays.toString(t.data())));
        return b.toString();
    }

    @Test
    void runningOutWhileEvaluatingTheTestSplitKeepsTheTrainedRunAndResumeEvaluatesItAgain(@TempDir Path dir) throws Exception {
        SpecRunner.Listener oom = new SpecRunner.Listener() {
            @Override
            public void evaluating(RunDirectory run, Setup setup) {
                throw new OutOfMemoryError("Java heap space");
            }
        };
        int testSize = Prepared.of(spec(SPEC)).test().size();
        assertThatThrownBy(() -> SpecRunner.of(spec(SPEC)).runsDir(dir.resolve("a")).report(false).listener(oom).run())
                .isInstanceOf(TestEvaluationError.class)
                .hasMessageStartingWith("out of memory while evaluating the test split after training (")
                .hasMessageContaining("the JVM's maximum heap is ").hasMessageContaining("MACHINA_JAVA_OPTS=-Xmx")
                .hasMessageContaining("--set training.eval_batch_size=" + Math.min(1000, testSize) / 4)
                .hasMessageNotContaining("\n");
        Path run = onlyRun(dir.resolve("a"));
        assertThat(run.resolve(RunDirectory.TEST_RESULTS)).doesNotExist();
        JsonNode rec = JSON.readTree(run.resolve(RunDirectory.RUN_JSON).toFile());
        assertThat(rec.get("status").asText()).as("training completed; only the test split is missing").isEqualTo("completed");
        assertThat(rec.get(SpecRunner.TEST_ERROR).asText()).contains("./machina train --resume " + run);
        assertThat(Files.readString(run.resolve(RunDirectory.LOG))).contains("test evaluation failed: out of memory");
        String weights = weights(run);

        // what the message says to do: resume the run (here with a smaller evaluation batch); it trains no more and evaluates
        SpecRunner.Result again = SpecRunner.resume(run, List.of("training.eval_batch_size=250")).report(false).run();
        assertThat(again.finished()).isTrue();
        assertThat(again.history().size()).isEqualTo(2);
        assertThat(weights(run)).as("the saved weights are the ones evaluated").isEqualTo(weights);
        assertThat(JSON.readTree(run.resolve(RunDirectory.RUN_JSON).toFile()).has(SpecRunner.TEST_ERROR)).isFalse();
        // the same test results as a run that never ran out
        Path whole = SpecRunner.of(spec(SPEC)).runsDir(dir.resolve("b")).report(false).run().dir();
        assertThat(weights(whole)).isEqualTo(weights);
        assertThat(JSON.readTree(run.resolve(RunDirectory.TEST_RESULTS).toFile()).get("accuracy").asDouble())
                .isEqualTo(JSON.readTree(whole.resolve(RunDirectory.TEST_RESULTS).toFile()).get("accuracy").asDouble());
    }

    /** Stops training after {@code epochs} epochs, as a time budget or early stopping does. */
    private static dev.machina.train.Callback stopAfter(int epochs, dev.machina.train.Trainer.Status status) {
        return new dev.machina.train.Callback() {
            @Override
            public void onEpochEnd(dev.machina.train.TrainContext ctx, int epoch, Map<String, Double> logs) {
                if (epoch + 1 == epochs) ctx.requestStop(status, "stopped by the test");
            }
        };
    }

    private static final SpecRunner.Listener OOM_IN_EVALUATION = new SpecRunner.Listener() {
        @Override
        public void evaluating(RunDirectory run, Setup setup) {
            throw new OutOfMemoryError("Java heap space");
        }
    };

    private static String file(Path run, String name) throws IOException {
        return Files.readString(run.resolve(name));
    }

    @Test
    void resumingARunThatStoppedEarlyOnlyEvaluatesItAndNeverChangesItsStatusOrWeights(@TempDir Path dir) throws Exception {
        String spec = SPEC.replace("epochs: 2", "epochs: 6");
        Path run = SpecRunner.of(spec(spec)).runsDir(dir).report(false).callback(stopAfter(2, dev.machina.train.Trainer.Status.STOPPED_EARLY))
                .run().dir();
        JsonNode before = JSON.readTree(run.resolve(RunDirectory.RUN_JSON).toFile());
        assertThat(before.get("status").asText()).isEqualTo("stopped-early");
        String weights = weights(run), history = file(run, RunDirectory.HISTORY), metrics = file(run, RunDirectory.METRICS);
        String results = file(run, RunDirectory.TEST_RESULTS);

        // a re-evaluation that runs out of memory: the run keeps its status, loses the earlier results, gets test_error
        assertThatThrownBy(() -> SpecRunner.resume(run, List.of()).report(false).listener(OOM_IN_EVALUATION).run())
                .isInstanceOf(TestEvaluationError.class).hasMessageStartingWith("out of memory while evaluating the test split");
        JsonNode failed = JSON.readTree(run.resolve(RunDirectory.RUN_JSON).toFile());
        assertThat(failed.get("status").asText()).isEqualTo("stopped-early");
        assertThat(failed.has("error")).isFalse();
        assertThat(failed.has(SpecRunner.TEST_ERROR)).isTrue();
        assertThat(failed.path("final_metrics").has("test_accuracy")).as("the earlier evaluation's metric goes with its file").isFalse();
        assertThat(run.resolve(RunDirectory.TEST_RESULTS)).doesNotExist();

        // evaluated again (with another evaluation batch): nothing trains, nothing of the training is rewritten
        SpecRunner.Result again = SpecRunner.resume(run, List.of("training.eval_batch_size=100")).report(false).run();
        assertThat(again.history().status()).isEqualTo(dev.machina.train.Trainer.Status.STOPPED_EARLY);
        assertThat(again.history().size()).isEqualTo(2);
        assertThat(weights(run)).isEqualTo(weights);
        assertThat(file(run, RunDirectory.HISTORY)).isEqualTo(history);
        assertThat(file(run, RunDirectory.METRICS)).isEqualTo(metrics);
        assertThat(file(run, RunDirectory.TEST_RESULTS)).isEqualTo(results);
        JsonNode after = JSON.readTree(run.resolve(RunDirectory.RUN_JSON).toFile());
        assertThat(after.get("status").asText()).isEqualTo("stopped-early");
        assertThat(after.has(SpecRunner.TEST_ERROR)).isFalse();
        assertThat(after.get("config")).as("run.json keeps the settings it was trained with").isEqualTo(before.get("config"));
        assertThat(after.get("final_metrics")).isEqualTo(before.get("final_metrics"));
        assertThat(after.get("epochs_completed")).isEqualTo(before.get("epochs_completed"));
    }

    @Test
    void theTestEvaluationHoldsTheRunLock(@TempDir Path dir) throws Exception {
        Path run = SpecRunner.of(spec(SPEC)).runsDir(dir).report(false).run().dir();
        String[] other = new String[1];
        SpecRunner.resume(run, List.of()).report(false).listener(new SpecRunner.Listener() {
            @Override
            public void evaluating(RunDirectory r, Setup setup) {
                try (var lock = RunDirectory.open(run).lock()) {
                    other[0] = "taken";
                } catch (IllegalStateException e) {
                    other[0] = e.getMessage();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }).run();
        assertThat(other[0]).as("a second process cannot evaluate (or train) the run meanwhile").contains("is being trained by another process");
    }

    @Test
    void theEvaluationBatchChangesOnlyWhenAFinishedRunIsEvaluatedAgain(@TempDir Path dir) throws Exception {
        String spec = SPEC.replace("epochs: 2", "epochs: 4");
        Path interrupted = SpecRunner.of(spec(spec)).runsDir(dir.resolve("a")).report(false)
                .callback(stopAfter(1, dev.machina.train.Trainer.Status.INTERRUPTED)).run().dir();
        assertThatThrownBy(() -> SpecRunner.resume(interrupted, List.of("training.eval_batch_size=100"))).isInstanceOf(UserError.class)
                .hasMessageStartingWith("--set training.eval_batch_size=100: training.eval_batch_size may change only when a run whose training "
                        + "has ended is evaluated again").hasMessageContaining("is interrupted").hasMessageContaining("bit for bit");
        Path finished = SpecRunner.of(spec(spec)).runsDir(dir.resolve("b")).report(false).run().dir();
        assertThatThrownBy(() -> SpecRunner.resume(finished, List.of("training.epochs=5", "training.eval_batch_size=100")))
                .isInstanceOf(UserError.class).hasMessageContaining("is completed and is to train more");
    }

    @Test
    void aRunWhoseDataFileChangedIsNotEvaluatedAgainOnTheNewData(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder("a,b,y\n");
        java.util.Random rnd = new java.util.Random(2);
        for (int i = 0; i < 120; i++) {
            double a = rnd.nextDouble(), b = rnd.nextDouble();
            csv.append(String.format(java.util.Locale.ROOT, "%.4f,%.4f,%d%n", a, b, a + b > 1 ? 1 : 0));
        }
        Path data = Files.writeString(dir.resolve("data.csv"), csv);
        String spec = "name: oom\nseed: 3\ndata: {dataset: csv, path: " + data + ", label: y}\nmodel: [{linear: 8}, relu, {linear: 2}]\n"
                + "training: {epochs: 2, batch_size: 16}\n";
        Path run = SpecRunner.of(spec(spec)).runsDir(dir.resolve("runs")).report(false).run().dir();
        String record = file(run, RunDirectory.RUN_JSON), results = file(run, RunDirectory.TEST_RESULTS);
        SpecRunner.resume(run, List.of()).report(false).run(); // the same data: evaluated again
        assertThat(file(run, RunDirectory.TEST_RESULTS)).isEqualTo(results);

        Files.writeString(data, csv.toString().replace("0.1", "0.9")); // the same rows and columns, other values
        String before = file(run, RunDirectory.RUN_JSON);
        assertThatThrownBy(() -> SpecRunner.resume(run, List.of()).report(false).run()).isInstanceOf(UserError.class)
                .hasMessageStartingWith("cannot evaluate " + run + " again: its dataset csv (" + data.toAbsolutePath() + ") has changed")
                .hasMessageContaining("sha256, sha256_data differ from run.json's").hasMessageNotContaining("\n");
        assertThat(file(run, RunDirectory.RUN_JSON)).as("nothing of the run is touched").isEqualTo(before);
        assertThat(file(run, RunDirectory.TEST_RESULTS)).isEqualTo(results);
        assertThat(JSON.readTree(record).get("dataset")).isEqualTo(JSON.readTree(before).get("dataset"));
    }

    @Test
    void anEvaluationReadsRunJsonAgainOnceItHoldsTheRun(@TempDir Path dir) throws Exception {
        Path run = SpecRunner.of(spec(SPEC)).runsDir(dir).report(false).run().dir();
        SpecRunner waiting = SpecRunner.resume(run, List.of()).report(false); // read run.json: completed after 2 epochs
        // meanwhile another process trains the run 1 epoch more
        SpecRunner.resume(run, List.of("training.epochs=3")).report(false).run();
        String trainedMore = weights(run);
        SpecRunner.Result again = waiting.run();
        assertThat(again.history().size()).isEqualTo(3);
        JsonNode rec = JSON.readTree(run.resolve(RunDirectory.RUN_JSON).toFile());
        assertThat(rec.get("epochs_completed").asInt()).as("the newer run.json is kept, not the one read first").isEqualTo(3);
        assertThat(rec.get("config").path("training").path("epochs").asInt()).isEqualTo(3);
        assertThat(weights(run)).isEqualTo(trainedMore);
    }

    @Test
    void runningOutWhileTrainingSaysHowToContinueFromTheLastCheckpoint(@TempDir Path dir) {
        dev.machina.train.Callback oom = new dev.machina.train.Callback() {
            @Override
            public void onEpochBegin(dev.machina.train.TrainContext ctx, int epoch) {
                if (epoch == 1) throw new OutOfMemoryError("Java heap space");
            }
        };
        assertThatThrownBy(() -> SpecRunner.of(spec(SPEC)).runsDir(dir).report(false).callback(oom).run()).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("out of memory while training (the model, its optimizer state and its activations at training.batch_size 32, "
                        + "and validation at training.eval_batch_size 1000)")
                .hasMessageContaining("./machina train --resume " + dir.resolve("oom")).hasMessageContaining("continues from its last checkpoint");
    }

    /** A reporter that runs out of memory (registered for one test through the context class loader). */
    public static final class OomReporter implements RunReporter {
        @Override
        public Path write(Path runDir) {
            throw new OutOfMemoryError("Java heap space");
        }
    }

    @Test
    void runningOutWhileDrawingTheReportKeepsTheRunAndSaysHowToWriteItAgain(@TempDir Path dir) throws Exception {
        Path services = Files.createDirectories(dir.resolve("cp/META-INF/services"));
        Files.writeString(services.resolve(RunReporter.class.getName()), OomReporter.class.getName() + "\n");
        ClassLoader before = Thread.currentThread().getContextClassLoader();
        SpecRunner.Result r;
        try (URLClassLoader cl = new URLClassLoader(new URL[] {dir.resolve("cp").toUri().toURL()}, before)) {
            Thread.currentThread().setContextClassLoader(cl);
            r = SpecRunner.of(spec(SPEC)).runsDir(dir.resolve("runs")).run();
        } finally {
            Thread.currentThread().setContextClassLoader(before);
        }
        assertThat(r.finished()).isTrue();
        assertThat(r.reportFile()).isNull();
        assertThat(r.reportError()).startsWith("out of memory while drawing the report: the JVM's maximum heap is ")
                .contains("./machina report " + r.dir());
        assertThat(r.dir().resolve(RunDirectory.TEST_RESULTS)).exists();
    }

    @Test
    void aSweepTrialThatRunsOutOfMemoryFailsAndTheSweepGoesOn(@TempDir Path dir) throws Exception {
        SweepSpec s = SweepSpec.parse("sweep.yaml", """
                base:
                  name: oom-sweep
                  data: digits
                  model: [{linear: 16}, relu, {linear: 10}]
                  training: {epochs: 1}
                space:
                  optimizer.lr: [1.0e-3, 2.0e-3, 3.0e-3]
                """, null, List.of());
        SweepRunner.Listener oomInTrial1 = new SweepRunner.Listener() {
            @Override
            public void started(int trial, Map<String, Object> params, int epochs) {
                if (trial == 1) throw new OutOfMemoryError("Java heap space");
            }
        };
        SweepRunner.Outcome o = new SweepRunner(s, SweepRunner.createDir(dir, "oom-sweep"), 1, oomInTrial1).run();
        List<TrialResult> trials = o.leaderboard().ranked();
        assertThat(trials).hasSize(3);
        TrialResult failed = trials.stream().filter(t -> t.trial() == 1).findFirst().orElseThrow();
        assertThat(failed.status()).isEqualTo(TrialResult.FAILED);
        assertThat(failed.error()).startsWith("out of memory while training this trial: the JVM's maximum heap is ").doesNotContain("\n");
        assertThat(trials.stream().filter(t -> t.trial() != 1)).allMatch(t -> t.status().equals(TrialResult.DONE));
        JsonNode rec = JSON.readTree(o.dir().resolve("trials").resolve(SweepRunner.trialDirName(1)).resolve(RunDirectory.RUN_JSON).toFile());
        assertThat(rec.get("status").asText()).isEqualTo("failed");
        assertThat(rec.get("error").asText()).startsWith("out of memory while training this trial");
    }

    @Test
    void theHeapToGiveIsAboutTwiceTheHeapInWholeSteps() {
        long mib = 1L << 20;
        assertThat(MemoryEstimate.xmx(MemoryEstimate.moreHeapBytes(252 * mib))).isEqualTo("-Xmx512m");
        assertThat(MemoryEstimate.xmx(MemoryEstimate.moreHeapBytes(300 * mib))).isEqualTo("-Xmx768m");
        assertThat(MemoryEstimate.xmx(MemoryEstimate.moreHeapBytes(10 * mib))).isEqualTo("-Xmx256m");
        assertThat(MemoryEstimate.xmx(MemoryEstimate.moreHeapBytes(3900 * mib))).isEqualTo("-Xmx8g");
        assertThat(MemoryEstimate.outOfMemory("doing this", "./machina x …")).startsWith("out of memory while doing this: the JVM's maximum heap is ")
                .contains("; give it more with MACHINA_JAVA_OPTS=-Xmx").contains(" ./machina x …");
    }
}
