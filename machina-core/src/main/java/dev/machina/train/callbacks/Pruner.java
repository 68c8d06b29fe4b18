package dev.machina.train.callbacks;

/**
 * Decides, from a trial's metric after each epoch, whether the trial should go on. A sweep gives
 * one pruner to all its trials (implementations are thread-safe); {@link PruningCallback} feeds
 * it. Implementations: successive halving and the median rule in {@code dev.machina.tune}.
 */
public interface Pruner {
    /**
     * Reports {@code value} of trial {@code trial} after {@code epoch} epochs (1-based count).
     *
     * @return whether the trial continues; a stop carries the reason that goes into run.json
     */
    Decision report(int trial, int epoch, double value);

    /** Records a value without deciding: a resumed sweep replays its finished trials through this. */
    default void record(int trial, int epoch, double value) {}

    /** A pruner's answer. */
    record Decision(boolean prune, String reason) {
        public static final Decision CONTINUE = new Decision(false, "");

        public static Decision prune(String reason) {
            return new Decision(true, reason);
        }
    }

    /** Never prunes. */
    Pruner NONE = (trial, epoch, value) -> Decision.CONTINUE;
}
