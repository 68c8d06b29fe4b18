package dev.machina.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector width of every Vector API kernel, fixed for the JVM when the first of them loads:
 * the CPU's preferred one, unless a test asked for another through {@link #kernelsAt} before.
 * The kernels keep their species in {@code static final} fields because C2 compiles Vector API
 * calls into vector instructions only for a species it sees as a constant; a species passed
 * around at run time would leave the hot loops boxed.
 */
final class VectorWidth {
    /** The width a test asked for, in bits, or 0 for the CPU's preferred one; read once, when {@link VectorGemm} initialises. */
    private static volatile int requestedBits;

    private VectorWidth() {}

    /** The species {@link VectorGemm#S} takes. */
    static VectorSpecies<Float> species() {
        int bits = requestedBits;
        return bits == 0 ? FloatVector.SPECIES_PREFERRED : VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }

    /**
     * For tests: the Vector API kernels at {@code bits} (128, 256 or 512). A width the CPU lacks
     * runs in the Vector API's Java fallback, correct but about a hundred times slower, so the
     * 4-, 8- and 16-lane code can be tested on any machine (machina-core's pom runs the kernel
     * tests at each). The first kernel to load fixes the width for the JVM; asking for another
     * one after that fails.
     */
    static Kernels kernelsAt(int bits) {
        if (bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("the vector width must be 128, 256 or 512 bits, got " + bits);
        }
        requestedBits = bits;
        int fixed = VectorGemm.S.vectorBitSize(); // initialises VectorGemm at the requested width unless it already is
        if (fixed != bits) {
            throw new IllegalStateException("the vector kernels already run at " + fixed + " bits in this JVM, not " + bits);
        }
        return new VectorKernels();
    }
}
