package dev.machina.tune;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.train.callbacks.Pruner.Decision;
import org.junit.jupiter.api.Test;

/** ASHA and the median rule on hand-made reports. */
class PrunerTest {

    @Test
    void ashaRungsAreMinTimesEtaPowersBelowTheMaximum() {
        assertThat(new Asha(1, 3, 27, true).rungs()).containsExactly(1, 3, 9);
        assertThat(new Asha(2, 2, 20, false).rungs()).containsExactly(2, 4, 8, 16);
        assertThat(new Asha(5, 3, 5, true).rungs()).isEmpty();
    }

    @Test
    void ashaPromotesOnlyTheTopThirdOfThoseThatReportedAtTheRung() {
        Asha a = new Asha(1, 3, 9, true);
        // not a rung: always continue
        assertThat(a.report(0, 2, 0.0).prune()).isFalse();
        // rung 1, arrivals in order; keep = max(1, n/3)
        assertThat(a.report(0, 1, 0.50).prune()).as("first at the rung").isFalse();
        assertThat(a.report(1, 1, 0.40).prune()).as("n=2, keep 1, second best").isTrue();
        assertThat(a.report(2, 1, 0.60).prune()).as("n=3, keep 1, best").isFalse();
        assertThat(a.report(3, 1, 0.55).prune()).as("n=4, keep 1, second").isTrue();
        assertThat(a.report(4, 1, 0.30).prune()).isTrue();
        assertThat(a.report(5, 1, 0.58).prune()).as("n=6, keep 2, second best (0.60 above)").isFalse();
        assertThat(a.recorded(1)).hasSize(6);
        // rung 3 is independent of rung 1
        assertThat(a.report(2, 3, 0.70).prune()).isFalse();
        Decision d = a.report(5, 3, 0.65);
        assertThat(d.prune()).isTrue();
        assertThat(d.reason()).contains("rung 3", "ranks 2 of 2");
    }

    @Test
    void ashaMinimisesLossesAndTreatsNanAsWorst() {
        Asha a = new Asha(1, 2, 4, false);
        assertThat(a.report(0, 1, 0.9).prune()).isFalse();
        assertThat(a.report(1, 1, 0.3).prune()).as("lower loss is better").isFalse();
        assertThat(a.report(2, 1, Double.NaN).prune()).isTrue();
        assertThat(a.report(3, 1, 0.8).prune()).as("n=4, keep 2: 0.3 and 0.8").isFalse();
    }

    @Test
    void ashaRecordedValuesFromAResumeCountButDoNotDecide() {
        Asha a = new Asha(1, 3, 9, true);
        a.record(0, 1, 0.9);
        a.record(1, 1, 0.8);
        a.record(2, 1, 0.7);
        assertThat(a.report(3, 1, 0.85).prune()).as("n=4, keep 1, 0.9 is better").isTrue();
    }

    @Test
    void medianRuleWaitsForWarmupAndComparesBestSoFarWithTheOthersMedian() {
        MedianPruner m = new MedianPruner(1, 1, true);
        // trial 0 alone: nothing to compare with
        assertThat(m.report(0, 1, 0.5).prune()).isFalse();
        assertThat(m.report(0, 2, 0.6).prune()).isFalse();
        m.report(1, 1, 0.7);
        m.report(1, 2, 0.8);
        m.report(2, 1, 0.2);
        // epoch 1 is warm-up: never pruned
        assertThat(m.report(3, 1, 0.1).prune()).isFalse();
        // epoch 2: others 0.6 and 0.8 → median 0.7; trial 3's best 0.65 < 0.7
        Decision d = m.report(3, 2, 0.65);
        assertThat(d.prune()).isTrue();
        assertThat(d.reason()).contains("median", "0.7");
        // trial 4 reached 0.75 at epoch 1 and dips at epoch 2: best so far counts
        m.report(4, 1, 0.75);
        assertThat(m.report(4, 2, 0.5).prune()).as("best 0.75 >= median of 0.6, 0.8, 0.65 = 0.65").isFalse();
    }

    @Test
    void medianRuleForLossesAndMinTrials() {
        MedianPruner m = new MedianPruner(0, 2, false);
        m.report(0, 1, 0.5);
        assertThat(m.report(1, 1, 0.9).prune()).as("only one other trial").isFalse();
        assertThat(m.report(2, 1, 0.8).prune()).as("others 0.5, 0.9 → 0.7; 0.8 is worse").isTrue();
        assertThat(m.report(3, 1, 0.6).prune()).as("others 0.5, 0.9, 0.8 → 0.8").isFalse();
        assertThat(MedianPruner.median(java.util.List.of(3.0, 1.0, 2.0, 10.0))).isEqualTo(2.5);
    }
}
