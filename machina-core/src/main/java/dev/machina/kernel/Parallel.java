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
 * or {@link #setThreads(int)}. A thread can run code under a smaller budget with
 * {@link #withThreads(int, Runnable)}: kernels called from that thread then use at most that
 * many threads (the caller included). Sweeps use it so that trials running side by side do not
 * oversubscribe the cores. Results do not depend on the budget.
 */
public final class Parallel {
    private static volatile int threads = initialThreads();
    private static volatile ExecutorService pool;
    /** The calling thread's budget (0 = none: the global count applies). */
    private static final ThreadLocal<int[]> BUDGET = ThreadLocal.withInitial(() -> new int[1]);

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

    /** Threads kernels called from this thread use: the global count, or this thread's budget when smaller. */
    public static int threads() {
        int b = BUDGET.get()[0];
        return b > 0 ? Math.min(b, threads) : threads;
    }

    /**
     * Runs {@code body} on the calling thread with kernels limited to {@code n} threads (the
     * caller included); the previous budget is restored afterwards, also when {@code body} throws.
     * Budgets nest (the inner one applies inside). Other threads are unaffected.
     */
    public static void withThreads(int n, Runnable body) {
        withThreads(n, () -> {
            body.run();
            return null;
        });
    }

    /** As {@link #withThreads(int, Runnable)}, returning the body's result. */
    public static <T> T withThreads(int n, java.util.function.Supplier<T> body) {
        if (n < 1) throw new IllegalArgumentException("thread budget must be >= 1, got " + n);
        int[] b = BUDGET.get();
        int prev = b[0];
        b[0] = n;
        try {
            return body.get();
        } finally {
            b[0] = prev;
        }
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
     * {@link #threads()} threads (the caller is one of them; its budget applies). Tasks are taken dynamically,
     * so a slow core does not hold the others back.
     */
    public static void forEach(int tasks, IntConsumer body) {
        forEach(tasks, threads(), body);
    }

    /** As {@link #forEach(int, IntConsumer)} with an explicit upper bound on threads. */
    public static void forEach(int tasks, int maxThreads, IntConsumer body) {
        int workers = Math.min(Math.min(maxThreads, threads()), tasks);
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
