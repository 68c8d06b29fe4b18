package dev.machina.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class WriteBehindTest {
    @Test
    void writesRunInTheOrderSubmittedOnAnotherThread() throws Exception {
        List<Integer> done = Collections.synchronizedList(new ArrayList<>());
        List<String> threads = Collections.synchronizedList(new ArrayList<>());
        try (WriteBehind w = WriteBehind.background()) {
            for (int i = 0; i < 200; i++) {
                int n = i;
                w.submit(() -> {
                    if (n % 50 == 0) sleep(5); // a slow write does not let later ones pass it
                    done.add(n);
                    threads.add(Thread.currentThread().getName());
                });
            }
            w.flush();
            assertThat(done).hasSize(200).isSorted();
            assertThat(threads).containsOnly("machina-writer");
        }
    }

    @Test
    void afterAFailedWriteTheLaterOnesAreSkippedAndTheFailureIsThrownOnce() throws Exception {
        List<Integer> done = Collections.synchronizedList(new ArrayList<>());
        WriteBehind w = WriteBehind.background();
        java.util.concurrent.CountDownLatch submitted = new java.util.concurrent.CountDownLatch(1);
        w.submit(() -> {
            try {
                submitted.await(); // the three writes are queued before any runs
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            done.add(1);
        });
        w.submit(() -> {
            throw new IOException("No space left on device");
        });
        w.submit(() -> done.add(3));
        submitted.countDown();
        assertThatThrownBy(w::flush).isInstanceOf(IOException.class).hasMessage("No space left on device");
        assertThat(done).as("what was submitted before the failure is written, nothing after it").containsExactly(1);
        w.flush(); // thrown once
        w.close();
    }

    @Test
    void aFailureIsThrownByALaterSubmit() throws Exception {
        WriteBehind w = WriteBehind.background();
        w.submit(() -> {
            throw new java.io.UncheckedIOException("cannot write run.json", new IOException("disk"));
        });
        RuntimeException thrown = null;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (thrown == null && System.nanoTime() < deadline) { // the submits that come before the failed write has run are accepted (and skipped)
            try {
                w.submit(() -> {});
            } catch (java.io.UncheckedIOException e) {
                thrown = e;
            }
        }
        assertThat(thrown).hasMessage("cannot write run.json");
        w.close();
    }

    @Test
    void synchronousWritesRunAtOnceOnTheCallingThread() throws Exception {
        List<String> threads = new ArrayList<>();
        try (WriteBehind w = WriteBehind.synchronous()) {
            w.submit(() -> threads.add(Thread.currentThread().getName()));
            assertThat(threads).containsExactly(Thread.currentThread().getName());
            assertThatThrownBy(() -> w.submit(() -> {
                throw new IOException("full");
            })).hasMessage("full");
        }
    }

    @Test
    void aCheckedExceptionThrownSneakilyByAWriteIsThrownByFlush() throws Exception {
        WriteBehind w = WriteBehind.background();
        w.submit(() -> sneaky(new Exception("not an IOException")));
        assertThatThrownBy(w::flush).isInstanceOf(IllegalStateException.class).hasRootCauseMessage("not an IOException");
        w.close();
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneaky(Throwable t) throws T {
        throw (T) t;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
