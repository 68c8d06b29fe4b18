package dev.machina.experiment;

import dev.machina.kernel.Parallel;
import dev.machina.train.callbacks.Pruner;
import java.io.IOException;
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
 * kernel threads shared out; a cluster executor ({@link ClusterBackend#trials}) runs each trial
 * in another process from its portable form ({@link Remote#task()}). The sweep engine decides
 * what runs (plan, pruning, resume) and writes the leaderboard; the executor only decides where
 * and how many at once.
 */
public interface TrialExecutor extends AutoCloseable {
    /**
     * One trial: its number, its parameters, the run directory it ends up in, the work that
     * trains it in this JVM (it records its result with the sweep), and the same trial for an
     * executor that trains it elsewhere.
     */
    record Trial(int number, Map<String, Object> params, Path dir, Runnable work, Remote remote) {}

    /**
     * A trial as an executor that runs it in another process sees it. The process trains
     * {@link #task()} ({@link TrialTask#train}) and its calls to the {@link TrialTask.Link} are
     * relayed here; the executor hands back the outcome ({@link #finish}) or, when the trial
     * could not be run at all, the reason ({@link #fail}). Every method is thread-safe, and
     * calls for a trial already finished are ignored, so a task the executor ran twice (a retry
     * after a lost machine) never makes two trials.
     */
    interface Remote {
        TrialTask task();

        /** Asked when the task starts: false when the sweep was stopped or its time budget is spent (the trial is not run). */
        boolean begin();

        /** {@link TrialTask.Link#started}: training starts (again, for a retried task). */
        void started(int epochs);

        /** {@link TrialTask.Link#report}: the pruner's decision, after the live display heard the value. */
        Pruner.Decision report(int epoch, double value);

        /** True once the sweep was stopped. */
        boolean stopping();

        /** The trial's outcome: its files are unpacked beside the sweep and renamed into place, then it joins the leaderboard. */
        void finish(TrialOutcome outcome) throws IOException;

        /** The trial could not be run (every attempt failed): recorded as failed with {@code reason}. */
        void fail(String reason) throws IOException;
    }

    /** Runs every trial and returns when all have ended; a trial's exception ends the sweep with it. */
    void execute(List<Trial> trials) throws InterruptedException;

    /** How many trials run at once (recorded in sweep.json). */
    int parallelism();

    /** Releases what the executor holds (a cluster connection); the threads executor holds nothing. */
    @Override
    default void close() {}

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
