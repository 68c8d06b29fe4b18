package dev.machina.tune;

import java.util.Map;

/**
 * One trial of a sweep as the leaderboard shows it.
 *
 * @param trial          0-based trial number
 * @param params         the sampled values, key → value, in the space's order
 * @param status         running, done, pruned, failed or interrupted
 * @param objective      the best value of the objective over the trial's epochs (NaN when none)
 * @param objectiveEpoch the 1-based epoch of that value (0 when none)
 * @param epochs         epochs run
 * @param seconds        wall time
 * @param error          why it failed or was pruned ("" otherwise)
 * @param runDir         the trial's run directory, relative to the sweep directory
 */
public record TrialResult(int trial, Map<String, Object> params, String status, double objective, int objectiveEpoch,
                          int epochs, double seconds, String error, String runDir) {
    public static final String RUNNING = "running", DONE = "done", PRUNED = "pruned", FAILED = "failed", INTERRUPTED = "interrupted";

    /** True when the trial will not change any more (a resumed sweep does not run it again). */
    public boolean finished() {
        return status.equals(DONE) || status.equals(PRUNED) || status.equals(FAILED);
    }
}
