package dev.machina.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.machina.experiment.TrialExecutor;
import dev.machina.experiment.TrialOutcome;
import dev.machina.experiment.TrialTask;
import dev.machina.train.callbacks.Pruner;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The executor-to-driver link of a trial: its messages reach the sweep, the pruner's answer comes back, strangers are refused. */
class SweepLinkTest {
    static final class Recorder implements TrialExecutor.Remote {
        final List<String> heard = new ArrayList<>();
        volatile boolean stopping;

        @Override
        public TrialTask task() {
            return null;
        }

        @Override
        public synchronized boolean begin() {
            heard.add("begin");
            return true;
        }

        @Override
        public synchronized void started(int epochs) {
            heard.add("started " + epochs);
        }

        @Override
        public synchronized Pruner.Decision report(int epoch, double value) {
            heard.add("epoch " + epoch + " " + value);
            return epoch >= 2 ? Pruner.Decision.prune("rung " + epoch) : Pruner.Decision.CONTINUE;
        }

        @Override
        public boolean stopping() {
            return stopping;
        }

        @Override
        public void finish(TrialOutcome outcome) {}

        @Override
        public void fail(String reason) {}
    }

    @Test
    void reportsReachTheSweepAndDecisionsComeBack() throws Exception {
        Recorder r = new Recorder();
        try (SweepLink link = new SweepLink("127.0.0.1", Map.of(7, r));
             SweepLink.Client c = new SweepLink.Client("127.0.0.1", link.port(), link.token(), 7)) {
            assertThat(c.begin()).isTrue();
            c.started(9);
            assertThat(c.report(1, 0.5).prune()).isFalse();
            assertThat(c.stopping()).isFalse();
            r.stopping = true;
            Pruner.Decision d = c.report(2, 0.25);
            assertThat(d.prune()).isTrue();
            assertThat(d.reason()).isEqualTo("rung 2");
            assertThat(c.stopping()).isTrue();
        }
        assertThat(r.heard).containsExactly("begin", "started 9", "epoch 1 0.5", "epoch 2 0.25");
    }

    @Test
    void aWrongTokenOrTrialIsClosedUnanswered() throws Exception {
        Recorder r = new Recorder();
        try (SweepLink link = new SweepLink("127.0.0.1", Map.of(7, r))) {
            try (SweepLink.Client wrongToken = new SweepLink.Client("127.0.0.1", link.port(), "0".repeat(32), 7)) {
                assertThatThrownBy(wrongToken::begin).isInstanceOf(UncheckedIOException.class).hasMessageContaining("cannot reach the sweep's driver");
            }
            try (SweepLink.Client wrongTrial = new SweepLink.Client("127.0.0.1", link.port(), link.token(), 8)) {
                assertThatThrownBy(wrongTrial::begin).isInstanceOf(UncheckedIOException.class);
            }
        }
        assertThat(r.heard).isEmpty();
    }
}
