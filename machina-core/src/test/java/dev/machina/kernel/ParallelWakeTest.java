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

    /** Waits until the worker is parked (after its spin). */
    private static void awaitParked(Thread w) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (w.getState() != Thread.State.WAITING && System.nanoTime() < until) Thread.sleep(1);
        assertThat(w.getState()).as("the hot worker parked").isEqualTo(Thread.State.WAITING);
    }

    /** Calls {@code action} 30 times, each after the worker parked, and says whether the worker ever left its park within 5 ms. */
    private static boolean leavesItsPark(Thread w, Runnable action) throws InterruptedException {
        for (int attempt = 0; attempt < 30; attempt++) {
            awaitParked(w);
            action.run();
            long look = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
            while (System.nanoTime() < look) if (w.getState() != Thread.State.WAITING) return true;
        }
        return false;
    }

    @Test
    void aWokenWorkerParksAgainAfterItsSpin() throws Exception {
        Thread w = hotWorker();
        for (int round = 0; round < 5; round++) {
            awaitParked(w);
            Parallel.wake();
            Thread.sleep(1);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (w.getState() != Thread.State.WAITING && System.nanoTime() < until) Thread.sleep(1);
            assertThat(w.getState()).as("round %d: parked again within 1 s of wake()", round).isEqualTo(Thread.State.WAITING);
        }
    }

    @Test
    void wakeLeavesTheWorkersOfAnotherThreadsRegionParked() throws Exception {
        Thread w = hotWorker();
        CountDownLatch holding = new CountDownLatch(1), done = new CountDownLatch(1), othersRan = new CountDownLatch(999);
        Thread other = new Thread(() -> Parallel.forEach(1000, t -> { // its caller blocks in its first task, holding the hot workers
            try {
                if (Thread.currentThread().getName().equals("region-owner")) {
                    holding.countDown();
                    done.await(30, TimeUnit.SECONDS);
                } else {
                    holding.await(30, TimeUnit.SECONDS); // the worker takes no task before the caller has one
                    othersRan.countDown();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }), "region-owner");
        other.start();
        try {
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            // the worker has run every other task: a WAITING state seen from now on is its park, not the latch above
            assertThat(othersRan.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(leavesItsPark(w, Parallel::wake)).as("a worker of another thread's region was woken").isFalse();
        } finally {
            done.countDown();
            other.join(10_000);
        }
    }

    @Test
    void anLstmForwardOfOneChunkOfRowsLeavesTheWorkersParked() throws Exception {
        int bsz = Recurrence.CHUNK, tLen = 28, in = 28, hid = 128, g = 4 * hid;
        assertThat((long) tLen * bsz * g * (in + hid)).as("enough work to go parallel with more rows").isGreaterThanOrEqualTo(Recurrence.PARALLEL_MIN);
        Kernels k = KernelProvider.get();
        float[] x = new float[bsz * tLen * in], wih = new float[g * in], whh = new float[g * hid], bsum = new float[g];
        float[] out = new float[bsz * tLen * hid], hn = new float[bsz * hid], cn = new float[bsz * hid];
        int[] len = new int[bsz];
        java.util.Arrays.fill(len, tLen);
        Recurrence.Workspace ws = new Recurrence.Workspace();
        Thread w = hotWorker();
        assertThat(leavesItsPark(w, () -> Recurrence.lstmForward(k, ws, bsz, tLen, in, hid, len, tLen, false, x, null, null, wih, whh, bsum, out, hn, cn)))
                .as("a one-chunk forward woke the worker or handed it work").isFalse();
        assertThat(Recurrence.parallelSteps(bsz + 1, in, hid, tLen)).isTrue();
        assertThat(Recurrence.parallelPack(bsz + 1, in, hid, tLen)).isTrue();
        assertThat(Recurrence.parallelPack(4096, 1, 8, tLen)).as("LSTM(1→8): 288 floats of weights").isFalse();
    }
}
