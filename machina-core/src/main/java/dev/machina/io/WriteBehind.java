package dev.machina.io;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * File writes done in order on one background thread, so that the thread which asks for them
 * (a training loop, after each epoch) does not wait for the disk: the content is made by the
 * caller (bytes, strings, copies), the writing, {@code fsync} and renaming happen here. The
 * writes run one at a time in the order they were submitted, so what is on disk at any moment
 * (a killed process included) is what a synchronous writer would have left at some earlier
 * moment. After a write fails, the writes submitted after it are skipped and the failure is
 * thrown, once, by the next {@link #submit}, {@link #flush} or {@link #close}. {@link #close}
 * waits for the writes.
 *
 * <p>{@link #synchronous()} gives one that runs each write on the calling thread.
 */
public final class WriteBehind implements AutoCloseable {
    /** One write; it may throw an IOException or an unchecked exception (any other is thrown as an IllegalStateException). */
    @FunctionalInterface
    public interface Write {
        void run() throws IOException;
    }

    private final boolean async;
    private ExecutorService thread;
    private Future<?> last;
    private volatile Throwable failure;
    private boolean reported;

    private WriteBehind(boolean async) {
        this.async = async;
    }

    /** Writes on a background thread (a daemon named {@code machina-writer}, started on the first write). */
    public static WriteBehind background() {
        return new WriteBehind(true);
    }

    /** Writes on the calling thread, as they are submitted. */
    public static WriteBehind synchronous() {
        return new WriteBehind(false);
    }

    /**
     * Queues {@code write} after the writes already submitted; throws the failure of an earlier
     * one. The future completes when the write has run, been skipped or failed.
     */
    public synchronized Future<?> submit(Write write) throws IOException {
        rethrow();
        if (!async) {
            write.run();
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
        if (thread == null) thread = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("machina-writer").daemon().factory());
        last = thread.submit(() -> {
            if (failure != null) return; // a write after a failed one is skipped
            try {
                write.run();
            } catch (Throwable e) { // a checked exception thrown sneakily too: kept, not lost in the Future
                failure = e;
            }
        });
        return last;
    }

    /**
     * Throws the failure of a write that has already failed (one volatile read when none has),
     * without waiting for the writes: cheap enough to call once per training step.
     */
    public void check() throws IOException {
        if (failure != null) {
            synchronized (this) {
                rethrow();
            }
        }
    }

    /** Waits until every submitted write has run; throws the first failure. */
    public synchronized void flush() throws IOException {
        if (last != null) await(last);
        rethrow();
    }

    /**
     * Waits until {@code write} (one that {@link #submit} returned) has run, even when interrupted
     * (the write finishes anyway; the interrupt is kept); its failure is thrown by the next submit,
     * {@link #flush} or {@link #close}, not here.
     */
    public static void await(Future<?> write) {
        boolean interrupted = false;
        while (true) {
            try {
                write.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (java.util.concurrent.ExecutionException e) {
                break; // cannot happen: the task catches what it throws
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Waits for the writes and stops the thread; a failure not yet thrown is thrown here. */
    @Override
    public synchronized void close() throws IOException {
        try {
            flush();
        } finally {
            if (thread != null) {
                thread.shutdown();
                try {
                    thread.awaitTermination(1, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                thread = null;
            }
        }
    }

    private void rethrow() throws IOException {
        Throwable f = failure;
        if (f == null || reported) return;
        reported = true;
        if (f instanceof IOException e) throw e;
        if (f instanceof RuntimeException e) throw e;
        if (f instanceof Error e) throw e;
        throw new IllegalStateException("a write failed: " + f, f);
    }
}
