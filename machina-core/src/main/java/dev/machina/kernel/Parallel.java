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
        Job job = new Job(tasks, body, workers - 1, Thread.currentThread());
        Hot hot = Hot.get();
        if (hot != null && workers - 1 <= hot.workers.length && hot.busy.compareAndSet(false, true)) {
            try {
                hot.publish(job);
                job.runAndWait();
            } finally {
                hot.busy.set(false);
            }
        } else { // another thread is using the hot workers (sweeps run trials side by side): plain hand-off
            ExecutorService p = pool();
            for (int w = 1; w < workers; w++) p.execute(job::help);
            job.runAndWait();
        }
        job.rethrow();
    }

    /**
     * Wakes the hot workers: parked ones are unparked, spinning ones start their spin time again
     * ({@code -Dmachina.spinMicros}, 100 µs by default). A parallel region that starts within that
     * time finds them running instead of paying a wake-up at its start (about 50 µs on a 2-core
     * VM, while the caller works alone; with tasks of a few hundred microseconds, the region then
     * ends that much later). A hint for a caller that knows a region comes after a short serial
     * part: it changes no result, and does nothing on one thread or before the first region.
     * It unparks only as many workers as the caller's next region can admit ({@link #threads()}
     * − 1), and none while another thread's region holds the hot workers (the caller's would then
     * go to the plain pool, and the woken workers would only take cores from the other's).
     */
    public static void wake() {
        Hot h = Hot.instance;
        int helpers = threads() - 1;
        if (h != null && helpers > 0 && !h.busy.get()) h.wake(helpers);
    }

    /** One forEach: tasks taken by number, helpers admitted up to the budget, the caller waiting for them. */
    private static final class Job {
        final int tasks;
        final IntConsumer body;
        final AtomicInteger next = new AtomicInteger(), admits, pending;
        final Thread caller;
        volatile Throwable failure;

        Job(int tasks, IntConsumer body, int helpers, Thread caller) {
            this.tasks = tasks;
            this.body = body;
            this.admits = new AtomicInteger(helpers);
            this.pending = new AtomicInteger(helpers);
            this.caller = caller;
        }

        /** Run by a helper thread: takes tasks if admitted (a budget may want fewer helpers than there are). */
        void help() {
            if (admits.getAndDecrement() <= 0) return;
            try {
                for (int t; (t = next.getAndIncrement()) < tasks; ) body.accept(t);
            } catch (Throwable e) {
                if (failure == null) failure = e;
                next.set(tasks);
            } finally {
                if (pending.decrementAndGet() == 0) LockSupport.unpark(caller);
            }
        }

        void runAndWait() {
            try {
                for (int t; (t = next.getAndIncrement()) < tasks; ) body.accept(t);
            } catch (Throwable e) {
                if (failure == null) failure = e;
                next.set(tasks);
            }
            // helpers that were never admitted will not come: stop waiting for them
            int unused = admits.getAndSet(0);
            if (unused > 0 && pending.addAndGet(-unused) == 0) return;
            long now = System.nanoTime(), yieldFrom = now + YIELD_NANOS, spinUntil = now + SPIN_NANOS;
            while (pending.get() > 0) {
                now = System.nanoTime();
                if (now < yieldFrom) Thread.onSpinWait();
                else if (now < spinUntil) Thread.yield(); // a helper waiting for this core runs now, not after the spin
                else LockSupport.park(Parallel.class);
            }
        }

        void rethrow() {
            Throwable f = failure;
            if (f instanceof RuntimeException re) throw re;
            if (f instanceof Error err) throw err;
            if (f != null) throw new RuntimeException(f);
        }
    }

    /** How long an idle hot worker (or a waiting caller) spins before it parks: short hand-offs cost microseconds, not a wake-up. */
    static final long SPIN_NANOS = Long.getLong("machina.spinMicros", 100) * 1000;
    /**
     * After this long a spinning thread yields its core on each turn instead of only pausing. When
     * the two threads of a hand-off share one core (another process has the other), the one
     * spinning would otherwise hold the core for the whole spin while the other, which it waits
     * for, cannot run: a batch-1 forward then took 120 µs instead of 10. Never more than the spin.
     */
    static final long YIELD_NANOS = Math.min(10_000, SPIN_NANOS);

    /**
     * Worker threads that stay awake briefly after each job, so that the many short parallel
     * kernels of a training step are handed out without waking a parked thread each time. One
     * forEach at a time uses them; a concurrent one falls back to the plain pool.
     */
    private static final class Hot {
        private static volatile Hot instance;
        final Thread[] workers;
        final java.util.concurrent.atomic.AtomicIntegerArray parked;
        final java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean();
        volatile Job job;
        volatile long seq;
        /** Counts {@link #wake} calls (racy increments are fine: any change restarts the spin). */
        volatile long wakes;

        private Hot(int n) {
            workers = new Thread[n];
            parked = new java.util.concurrent.atomic.AtomicIntegerArray(n);
            for (int i = 0; i < n; i++) {
                int id = i;
                workers[i] = new Thread(() -> loop(id), "machina-hot-" + (i + 1));
                workers[i].setDaemon(true);
                workers[i].start();
            }
        }

        static Hot get() {
            Hot h = instance;
            if (h == null) {
                synchronized (Hot.class) {
                    h = instance;
                    if (h == null) {
                        int n = Math.max(0, Runtime.getRuntime().availableProcessors() - 1);
                        if (n == 0) return null;
                        h = new Hot(n);
                        instance = h;
                    }
                }
            }
            return h;
        }

        /** Up to {@code helpers} parked workers are unparked; spinning ones start their spin time again. */
        void wake(int helpers) {
            wakes++;
            for (int i = 0; i < Math.min(helpers, workers.length); i++) if (parked.get(i) == 1) LockSupport.unpark(workers[i]);
        }

        void publish(Job j) {
            job = j;
            seq++; // volatile write after the job: a worker that sees the new seq sees the job
            for (int i = 0; i < workers.length; i++) if (parked.get(i) == 1) LockSupport.unpark(workers[i]);
        }

        private void loop(int id) {
            long seen = 0, woken = wakes;
            while (true) {
                long now = System.nanoTime(), yieldFrom = now + YIELD_NANOS, spinUntil = now + SPIN_NANOS;
                long s;
                while ((s = seq) == seen) {
                    now = System.nanoTime();
                    if (wakes != woken) { // a job is on its way: spin for it from now
                        woken = wakes;
                        yieldFrom = now + YIELD_NANOS;
                        spinUntil = now + SPIN_NANOS;
                    }
                    if (now < yieldFrom) {
                        Thread.onSpinWait();
                    } else if (now < spinUntil) {
                        Thread.yield(); // a caller sharing this core gets it back at once
                    } else {
                        parked.set(id, 1);
                        if (seq == seen && wakes == woken) LockSupport.park(this); // a wake() after the set sees it and unparks
                        parked.set(id, 0);
                        woken = wakes;
                        now = System.nanoTime();
                        yieldFrom = now + YIELD_NANOS;
                        spinUntil = now + SPIN_NANOS;
                    }
                }
                seen = s;
                Job j = job;
                if (j != null) j.help();
            }
        }
    }
}
