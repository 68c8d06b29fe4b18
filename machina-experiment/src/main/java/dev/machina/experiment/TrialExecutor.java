package dev.machina.experiment;

import dev.machina.kernel.Parallel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Where a sweep's trials run. {@link #threads(int)} runs them on threads of this JVM with the
 * kernel threads shared out; another executor (a cluster) runs the same trials elsewhere. The
 * sweep engine decides what runs (plan, pruning, resume) and writes the leaderboard; the
 * executor only decides where and how many at once.
 */
public interface TrialExecutor {
    /**
     * One trial: its number, its parameters, the run directory it writes, and the work that
     * trains it in this JVM (it records its result with the sweep).
     */
    record Trial(int number, Map<String, Object> params, Path dir, Runnable work) {}

    /** Runs every trial and returns when all have ended; a trial's exception ends the sweep with it. */
    void execute(List<Trial> trials) throws InterruptedException;

    /** How many trials run at once (recorded in sweep.json). */
    int parallelism();

    /** Trials {@code parallel} at a time on daemon threads of this JVM, each with its share of the kernel threads. */
    static TrialExecutor threads(int parallel) {
        if (parallel < 1) throw new UserError("--parallel must be at least 1, got " + parallel);
        return new TrialExecutor() {
            @Override
            public int parallelism() {
                return parallel;
            }

            @Override
            public void execute(List<Trial> trials) throws InterruptedException {
                int budget = Math.max(1, Parallel.threads() / parallel);
                ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
                    Thread t = new Thread(r, "machina-trial");
                    t.setDaemon(true);
                    return t;
                });
                try {
                    List<Future<?>> futures = new ArrayList<>();
                    for (Trial t : trials) futures.add(pool.submit(() -> Parallel.withThreads(budget, t.work())));
                    for (Future<?> f : futures) {
                        try {
                            f.get();
                        } catch (ExecutionException e) {
                            Throwable c = e.getCause();
                            if (c instanceof RuntimeException re) throw re;
                            if (c instanceof Error er) throw er;
                            throw new IllegalStateException(c);
                        }
                    }
                } finally {
                    pool.shutdownNow();
                }
            }
        };
    }
}
