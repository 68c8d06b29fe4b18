package dev.machina.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.machina.experiment.SweepRunner;
import dev.machina.experiment.SweepSpec;
import dev.machina.experiment.TrialExecutor;
import dev.machina.tune.TrialResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Sweeps on Spark in local[2] (one context for the class) against the same sweeps on the threads of this JVM. */
@Timeout(300)
class LocalSparkSweepTest {
    static JavaSparkContext jsc;

    @BeforeAll
    static void start() {
        // local[2,2]: two task slots, and a failed task gets a second attempt (what --spark local[2] sets up)
        jsc = new JavaSparkContext(ClusterTests.driverConf(new SparkConf().setMaster("local[2,2]").setAppName("local-sweeps")));
    }

    @AfterAll
    static void stop() {
        if (jsc != null) jsc.stop();
    }

    @Test
    void aGridSweepOnSparkIsTheLocalSweep(@TempDir Path tmp) throws Exception {
        SweepSpec spec = SweepFixtures.grid();
        SweepRunner.Outcome local = SweepFixtures.run(spec, tmp.resolve("local"), TrialExecutor.threads(1));
        SweepRunner.Outcome spark = SparkSweeps.run(jsc, spec, SweepRunner.createDir(tmp.resolve("spark"), spec.name()));
        assertThat(spark.leaderboard().ranked()).hasSize(8);
        SweepFixtures.assertSameSweep(local.dir(), spark.dir());
        assertThat(Files.readString(spark.dir().resolve("best.yaml"))).contains("trial " + local.leaderboard().best().trial());
    }

    @Test
    void aRandomSweepOnSparkIsTheLocalSweep(@TempDir Path tmp) throws Exception {
        SweepSpec spec = SweepFixtures.random();
        SweepRunner.Outcome local = SweepFixtures.run(spec, tmp.resolve("local"), TrialExecutor.threads(2));
        SweepRunner.Outcome spark = SweepFixtures.run(spec, tmp.resolve("spark"), SparkTrials.on(jsc));
        SweepFixtures.assertSameSweep(local.dir(), spark.dir());
    }

    @Test
    void ashaOnSparkPrunesAtTheRungsByTheAshaRule(@TempDir Path tmp) throws Exception {
        SweepSpec spec = SweepFixtures.asha();
        SweepRunner.Outcome o = SweepFixtures.run(spec, tmp.resolve("spark"), SparkTrials.on(jsc));
        List<TrialResult> ranked = o.leaderboard().ranked();
        assertThat(ranked).hasSize(12);
        Pattern rule = Pattern.compile("ASHA rung (\\d+) epochs: \\S+ ranks (\\d+) of (\\d+); only the best (\\d+) \\(1/3\\) go on");
        int done = 0, pruned = 0;
        for (TrialResult t : ranked) {
            if (t.status().equals(TrialResult.DONE)) {
                done++;
                assertThat(t.epochs()).isEqualTo(9);
                continue;
            }
            assertThat(t.status()).as(t.toString()).isEqualTo(TrialResult.PRUNED);
            pruned++;
            Matcher m = rule.matcher(t.error());
            assertThat(m.find()).as(t.error()).isTrue();
            int rung = Integer.parseInt(m.group(1)), rank = Integer.parseInt(m.group(2)), n = Integer.parseInt(m.group(3)), keep = Integer.parseInt(m.group(4));
            assertThat(rung).isIn(1, 3);
            assertThat(t.epochs()).isEqualTo(rung);
            assertThat(keep).isEqualTo(Math.max(1, n / 3));
            assertThat(rank).isGreaterThan(keep);
            // its run directory holds exactly the epochs it ran
            assertThat(Files.readAllLines(o.dir().resolve(t.runDir()).resolve("metrics.jsonl"))).hasSize(rung);
        }
        assertThat(done).isPositive();
        // how many pass a rung depends on the order trials reach it (the asynchronous rule), but not all of them do
        assertThat(pruned).isPositive();
        assertThat(o.leaderboard().totalEpochs()).isLessThan(12 * 9);
        assertThat(o.leaderboard().best().epochs()).isEqualTo(9);
        assertThat(o.plannedEpochs()).isEqualTo(12 * 9);
        // whatever the arrival order, the best value at a rung ranks first there and goes on
        for (int rung : List.of(1, 3)) {
            TrialResult top = null;
            double best = Double.NEGATIVE_INFINITY;
            for (TrialResult t : ranked) {
                if (t.epochs() < rung) continue;
                List<String> lines = Files.readAllLines(o.dir().resolve(t.runDir()).resolve("metrics.jsonl"));
                double v = SweepFixtures.JSON.readTree(lines.get(rung - 1)).get("val_accuracy").asDouble();
                if (v > best) {
                    best = v;
                    top = t;
                }
            }
            assertThat(top.epochs()).as("the best at rung " + rung + ": " + top).isGreaterThan(rung);
        }
        JsonNode sweep = SweepFixtures.JSON.readTree(o.dir().resolve("sweep.json").toFile());
        assertThat(sweep.get("pruner").asText()).isEqualTo("asha");
        assertThat(sweep.get("parallel").asInt()).isEqualTo(2);
    }

    @Test
    void aFailingTaskIsRetriedOnceThenReportedAsAFailedTrial(@TempDir Path tmp) throws Exception {
        SweepSpec spec = SweepFixtures.grid();
        SweepRunner.Outcome local = SweepFixtures.run(spec, tmp.resolve("local"), TrialExecutor.threads(1));
        // trial 1 fails its first attempt only; trial 2 fails both
        SweepRunner.Outcome o = SweepFixtures.run(spec, tmp.resolve("spark"), SparkTrials.on(jsc).failing("1@1,2"));
        Map<Integer, String> rows = SweepFixtures.rows(o.dir()), expected = SweepFixtures.rows(local.dir());
        assertThat(rows.get(1)).as("retried: the same result").isEqualTo(expected.get(1));
        TrialResult two = o.leaderboard().ranked().stream().filter(t -> t.trial() == 2).findFirst().orElseThrow();
        assertThat(two.status()).isEqualTo(TrialResult.FAILED);
        assertThat(two.error()).startsWith("Spark task failed 2 time(s); last: java.lang.IllegalStateException: trial 2 attempt 2 failed on purpose");
        JsonNode run = SweepFixtures.JSON.readTree(o.dir().resolve("trials/002/run.json").toFile());
        assertThat(run.get("status").asText()).isEqualTo("failed");
        assertThat(run.get("run_id").asText()).isEqualTo("002");
        assertThat(run.get("error").asText()).isEqualTo(two.error());
        assertThat(run.get("sweep").get("trial").asInt()).isEqualTo(2);
        assertThat(o.dir().resolve("trials/002/spec.yaml")).exists();
        for (int i : rows.keySet()) if (i != 2) assertThat(rows.get(i)).isEqualTo(expected.get(i));
        try (var s = Files.list(o.dir().resolve("trials"))) {
            assertThat(s.count()).isEqualTo(8);
        }
        // a failed trial is finished: resuming runs nothing again (and clears what a killed driver left half unpacked)
        Files.createDirectories(o.dir().resolve(".incoming/0b5e/003"));
        Files.writeString(o.dir().resolve(".incoming/0b5e/003/run.json"), "{");
        SweepRunner.Outcome resumed = new SweepRunner(spec, o.dir(), SparkTrials.on(jsc), null).run();
        assertThat(SweepFixtures.rows(resumed.dir())).isEqualTo(rows);
        assertThat(o.dir().resolve(".incoming")).doesNotExist();
    }
}
