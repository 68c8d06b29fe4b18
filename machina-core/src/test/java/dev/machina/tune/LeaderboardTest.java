package dev.machina.tune;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.train.callbacks.Monitor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeaderboardTest {
    static TrialResult t(int i, String status, double obj) {
        return new TrialResult(i, Map.of("optimizer.lr", 0.1 * (i + 1)), status, obj, Double.isNaN(obj) ? 0 : 3, 3, 1.5, "", "trials/" + i);
    }

    @Test
    void ranksByObjectiveInItsDirectionWithMissingValuesLast() {
        List<TrialResult> ts = List.of(t(0, "done", 0.8), t(1, "failed", Double.NaN), t(2, "pruned", 0.9), t(3, "done", 0.8), t(4, "done", 0.7));
        Leaderboard max = Leaderboard.of(Monitor.of("val_accuracy", "max"), ts);
        assertThat(max.ranked()).extracting(TrialResult::trial).containsExactly(2, 0, 3, 4, 1);
        assertThat(max.best().trial()).isEqualTo(2);
        Leaderboard min = Leaderboard.of(Monitor.of("val_loss", "min"), ts);
        assertThat(min.ranked()).extracting(TrialResult::trial).containsExactly(4, 0, 3, 2, 1);
        assertThat(min.totalEpochs()).isEqualTo(15);
    }

    @Test
    void csvHasAHeaderAndOneRowPerTrialInRankOrder() {
        Leaderboard lb = Leaderboard.of(Monitor.of("val_accuracy", "max"),
                List.of(t(0, "done", 0.5), new TrialResult(1, Map.of("optimizer.lr", 0.2), "failed", Double.NaN, 0, 0, 0.1, "diverged, loss NaN", "trials/1"),
                        new TrialResult(2, Map.of("optimizer.lr", 0.3), "pruned", 0.2, 1, 1, 0.2, "below the rung's cut at epoch 1", "trials/2")));
        String[] lines = lb.csv().split("\n");
        assertThat(lines[0]).isEqualTo("rank,trial,status,val_accuracy,best_epoch,epochs,seconds,optimizer.lr,reason,error,run_dir");
        assertThat(lines[1]).startsWith("1,0,done,0.5,3,3,1.500,0.1,,,trials/0");
        assertThat(lines[2]).as("a pruning reason is not an error").isEqualTo("2,2,pruned,0.2,1,1,0.200,0.3,below the rung's cut at epoch 1,,trials/2");
        assertThat(lines[3]).isEqualTo("3,1,failed,,0,0,0.100,0.2,,\"diverged, loss NaN\",trials/1");
        @SuppressWarnings("unchecked")
        var rows = (List<Map<String, Object>>) lb.describe().get("trials");
        assertThat(rows.get(1)).containsKey("reason").doesNotContainKey("error");
        assertThat(rows.get(2)).containsKey("error").doesNotContainKey("reason");
        assertThat(Leaderboard.of(Monitor.of("val_accuracy", "max"), List.of(t(1, "failed", Double.NaN))).best()).isNull();
    }
}
