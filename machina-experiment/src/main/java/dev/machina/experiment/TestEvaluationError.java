package dev.machina.experiment;

/**
 * The test split of a run whose training has ended could not be evaluated (it ran out of memory):
 * the run keeps its status and weights, run.json says why ({@link SpecRunner#TEST_ERROR}), and the
 * message says how to evaluate it again. Not a failed run.
 */
public final class TestEvaluationError extends RuntimeException {
    public TestEvaluationError(String message) {
        super(message);
    }
}
