package dev.machina.kernel;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The one shared thread pool. Work is handed out as numbered tasks; a task's result must
 * depend only on its number, never on which thread ran it, so results are bit-identical
 * whatever the thread count.
 *
 * <p>The count defaults to the number of cores and is set by {@code -Dmachina.threads=N}
 * or {@link #setThreads(int)}.
 */
public final class Parallel {
    private static volatile int threads = initialThreads();
    private static volatile ExecutorService pool;

    private Parallel() {}

    private static int initialThreads() {
        String p = System.getProperty("machina.threads");
        int cores = Runtime.getRuntime().availableProcessors();
        if (p == null || p.isBlank()) return cores;
        try {
            int n = Integer.parseInt(p.trim());
            if (n < 1) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-Dmachina.threads must be a whole number >= 1, got '" + p + "'");
        }
    }

    /** Threads used by kernels. */
    public static int threads() {
        return threads;
    }

    /** Sets the thread count (1 or more) for all later kernel calls. */
    public static synchronized void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("thread count must be >= 1, got " + n);
        threads = n;
    }

    private static ExecutorService pool() {
        ExecutorService p = pool;
        if (p == null) {
            synchronized (Parallel.class) {
                p = pool;
                if (p == null) {
                    AtomicInteger id = new AtomicInteger();
                    p = Executors.newCachedThreadPool(r -> {
                        Thread t = new Thread(r, "machina-kernel-" + id.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
                    pool = p;
                }
            }
        }
        return p;
    }

    /**
     * Runs {@code body.accept(t)} for every t in [0, tasks), spread over at most
     * {@link #threads()} threads (the caller is one of them). Tasks are taken dynamically,
     * so a slow core does not hold the others back.
     */
    public static void forEach(int tasks, IntConsumer body) {
        forEach(tasks, threads, body);
    }

    /** As {@link #forEach(int, IntConsumer)} with an explicit upper bound on threads. */
    public static void forEach(int tasks, int maxThreads, IntConsumer body) {
        int workers = Math.min(Math.min(maxThreads, threads), tasks);
        if (workers <= 1) {
            for (int t = 0; t < tasks; t++) body.accept(t);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        AtomicInteger pending = new AtomicInteger(workers - 1);
        Throwable[] failure = new Throwable[1];
        Thread caller = Thread.currentThread();
        Runnable worker = () -> {
            try {
                for (int t; (t = next.getAndIncrement()) < tasks; ) body.accept(t);
            } catch (Throwable e) {
                synchronized (failure) {
                    if (failure[0] == null) failure[0] = e;
                }
                next.set(tasks);
            } finally {
                if (pending.decrementAndGet() == 0) LockSupport.unpark(caller);
            }
        };
        ExecutorService p = pool();
        for (int w = 1; w < workers; w++) p.execute(worker);
        try {
            for (int t; (t = next.getAndIncrement()) < tasks; ) body.accept(t);
        } catch (Throwable e) {
            next.set(tasks);
            while (pending.get() > 0) LockSupport.park(Parallel.class);
            throw e;
        }
        while (pending.get() > 0) LockSupport.park(Parallel.class);
        if (failure[0] instanceof RuntimeException re) throw re;
        if (failure[0] instanceof Error err) throw err;
        if (failure[0] != null) throw new RuntimeException(failure[0]);
    }
}
