package dev.machina.train.callbacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.machina.nn.Module;
import dev.machina.optim.Adam;
import dev.machina.train.History;
import dev.machina.train.Trainer;
import dev.machina.train.TrainerConfig;
import dev.machina.train.TrainerTest;
import dev.machina.tune.Asha;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pruning hook: reports every epoch, stops with status pruned, never prunes the last epoch. */
class PruningCallbackTest {

    static History fit(Pruner pruner, int epochs, String metric) {
        TrainerTest.Data d = TrainerTest.digits();
        Module m = TrainerTest.mlp(3, 0f);
        TrainerConfig cfg = TrainerConfig.builder().epochs(epochs).optimizer(new Adam(m.parameters(), Adam.Config.defaults().withLr(1e-3))).seed(1)
                .callback(new PruningCallback(pruner, 7, metric)).build();
        return new Trainer(cfg).fit(m, TrainerTest.loader(d.train(), 64, true), TrainerTest.loader(d.test(), 500, false));
    }

    @Test
    void stopsWithStatusPrunedAfterTheReportedEpoch() {
        List<String> reports = new ArrayList<>();
        History h = fit((trial, epoch, value) -> {
            reports.add(trial + "@" + epoch);
            return epoch == 2 ? Pruner.Decision.prune("not promising") : Pruner.Decision.CONTINUE;
        }, 5, "val_accuracy");
        assertThat(reports).containsExactly("7@1", "7@2");
        assertThat(h.size()).isEqualTo(2);
        assertThat(h.status()).isEqualTo(Trainer.Status.PRUNED);
        assertThat(h.status().label()).isEqualTo("pruned");
        assertThat(h.reason()).isEqualTo("not promising");
    }

    @Test
    void theLastEpochIsReportedButNeverPruned() {
        List<Integer> epochs = new ArrayList<>();
        History h = fit((trial, epoch, value) -> {
            epochs.add(epoch);
            return Pruner.Decision.prune("always");
        }, 1, "val_loss");
        assertThat(epochs).containsExactly(1);
        assertThat(h.status()).isEqualTo(Trainer.Status.COMPLETED);
    }

    @Test
    void ashaAsThePrunerOfTwoTrials() {
        Asha asha = new Asha(1, 2, 4, true);
        // a trial that reaches high accuracy first, then a sabotaged one (lr so low it learns nothing)
        History good = fit(asha, 4, "val_accuracy");
        assertThat(good.status()).isEqualTo(Trainer.Status.COMPLETED);
        TrainerTest.Data d = TrainerTest.digits();
        Module m = TrainerTest.mlp(4, 0f);
        TrainerConfig cfg = TrainerConfig.builder().epochs(4).optimizer(new Adam(m.parameters(), Adam.Config.defaults().withLr(1e-7))).seed(1)
                .callback(new PruningCallback(asha, 8, "val_accuracy")).build();
        History bad = new Trainer(cfg).fit(m, TrainerTest.loader(d.train(), 64, true), TrainerTest.loader(d.test(), 500, false));
        assertThat(bad.status()).isEqualTo(Trainer.Status.PRUNED);
        assertThat(bad.size()).isEqualTo(1);
    }

    @Test
    void anObjectiveThatIsNotLoggedIsAnError() {
        assertThatThrownBy(() -> fit(Pruner.NONE, 2, "val_f1")).hasMessageContaining("'val_f1' is not logged");
    }
}
