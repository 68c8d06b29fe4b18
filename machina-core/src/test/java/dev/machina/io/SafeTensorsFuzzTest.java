package dev.machina.io;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes {@link SafeTensors#read(byte[])}: any bytes either read or are a
 * {@link SafeTensorsFormatException} with a message; anything else (an NPE, an index out of
 * bounds, an OutOfMemoryError from a small header declaring huge tensors, a hang) is a finding. In
 * {@code ./machina test} this replays the seed corpus under {@code SafeTensorsFuzzTestInputs/read}.
 */
class SafeTensorsFuzzTest {
    @FuzzTest(maxDuration = "2m")
    void read(byte[] input) {
        try {
            SafeTensors.Contents c = SafeTensors.read(input);
            c.tensors().values().forEach(t -> t.shape());
        } catch (SafeTensorsFormatException e) {
            String m = e.getMessage();
            if (m == null || m.isBlank()) throw new AssertionError("rejected without a message", e);
        }
    }
}
