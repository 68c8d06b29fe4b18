package dev.machina.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Parallel#wake}: a parked hot worker runs again, and jobs after a wake finish, share and rethrow as before. */
class ParallelWakeTest {
    private int saved;

    @BeforeEach
    void twoThreads() {
        Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() > 1, "no hot workers on one core");
        saved = Parallel.threads();
        Parallel.setThreads(2);
        Parallel.forEach(2, t -> { }); // the hot workers exist from the first parallel region
    }

    @AfterEach
    void restore() {
        if (saved > 0) Parallel.setThreads(saved);
    }

    private static Thread hotWorker() {
        for (Thread t : Thread.getAllStackTraces().keySet()) if (t.getName().equals("machina-hot-1")) return t;
        throw new AssertionError("no hot worker thread");
    }

    @Test
    void aParkedWorkerRunsAgainWhenWoken() throws Exception {
        Thread w = hotWorker();
        boolean ran = false;
        for (int attempt = 0; attempt < 200 && !ran; attempt++) {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (w.getState() != Thread.State.WAITING && System.nanoTime() < until) Thread.sleep(1); // parked after its spin
            assertThat(w.getState()).isEqualTo(Thread.State.WAITING);
            Parallel.wake();
            long look = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            while (!ran && System.nanoTime() < look) ran = w.getState() != Thread.State.WAITING;
        }
        assertThat(ran).as("the parked worker left its park after wake()").isTrue();
    }

    @Test
    void jobsAfterAWakeRunEveryTaskOnceOnBothThreadsAndRethrow() throws Exception {
        for (int round = 0; round < 50; round++) {
            Parallel.wake();
            if (round % 3 == 1) Thread.sleep(1); // the worker parked again by then
            AtomicIntegerArray runs = new AtomicIntegerArray(8);
            Set<String> threads = ConcurrentHashMap.newKeySet();
            CountDownLatch both = new CountDownLatch(2);
            Parallel.forEach(8, t -> {
                runs.incrementAndGet(t);
                if (threads.add(Thread.currentThread().getName())) both.countDown();
                if (t == 0) { // the first task waits for a second thread to take one
                    try {
                        both.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            for (int t = 0; t < 8; t++) assertThat(runs.get(t)).as("task %d, round %d", t, round).isEqualTo(1);
            assertThat(threads).as("round %d", round).hasSize(2);
        }
        Parallel.wake();
        assertThatThrownBy(() -> Parallel.forEach(8, t -> {
            if (t == 5) throw new IllegalStateException("task 5");
        })).hasMessage("task 5");
    }
}
