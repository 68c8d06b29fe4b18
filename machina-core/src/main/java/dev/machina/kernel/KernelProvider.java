package dev.machina.kernel;

import java.util.logging.Logger;

/**
 * Chooses the kernel implementation once, at first use, and says why. The Vector API
 * provider is used when the {@code jdk.incubator.vector} module is readable (the JVM was
 * started with {@code --add-modules jdk.incubator.vector}) and {@code -Dmachina.simd} is not
 * {@code false}; otherwise the scalar provider. The Vector API kernels use the CPU's preferred
 * vector width.
 *
 * <p>When the provider is scalar only because the module is not readable (not because the
 * user asked for scalar), one line on stderr says so, once, naming the flag: a library
 * that runs several times slower should not do so silently.
 */
public final class KernelProvider {
    private static final Logger LOG = Logger.getLogger(KernelProvider.class.getName());
    private static final Kernels KERNELS;
    private static final String REASON;

    /** The line printed on stderr when the Vector API module is missing; see {@link #vectorApiWarning}. */
    static final String VECTOR_API_WARNING = "machina: the Java Vector API is not enabled, so kernels run scalar (several times slower);"
            + " add --add-modules jdk.incubator.vector to the java command";

    static {
        String[] why = new String[1];
        KERNELS = choose(why);
        REASON = why[0];
        LOG.fine(() -> "kernels: " + KERNELS.name() + " (" + REASON + ")");
        String warning = vectorApiWarning(System.getProperty("machina.simd"), vectorModuleReadable());
        if (warning != null) System.err.println(warning);
    }

    private KernelProvider() {}

    /** The kernels every op uses. */
    public static Kernels get() {
        return KERNELS;
    }

    /** Why {@link #get()} is the provider it is, in one sentence. */
    public static String reason() {
        return REASON;
    }

    /** A scalar provider, whatever was chosen (for tests and comparisons). */
    public static Kernels scalar() {
        return new ScalarKernels();
    }

    /** A Vector API provider if this JVM can load one, else null (for tests and comparisons). */
    public static Kernels vectorOrNull() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) return null;
        try {
            return (Kernels) Class.forName("dev.machina.kernel.VectorKernels").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    /**
     * The warning to print when kernels are chosen, or null: a line naming the flag when the
     * {@code jdk.incubator.vector} module is not readable, unless {@code -Dmachina.simd=false}
     * (given here as {@code simdProperty}, null when unset) asked for scalar kernels anyway.
     */
    static String vectorApiWarning(String simdProperty, boolean moduleReadable) {
        if (scalarForced(simdProperty) || moduleReadable) return null;
        return VECTOR_API_WARNING;
    }

    private static boolean scalarForced(String simdProperty) {
        return simdProperty != null && "false".equalsIgnoreCase(simdProperty.trim());
    }

    private static boolean vectorModuleReadable() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    private static Kernels choose(String[] why) {
        if (scalarForced(System.getProperty("machina.simd"))) {
            why[0] = "scalar forced by -Dmachina.simd=false";
            return new ScalarKernels();
        }
        if (!vectorModuleReadable()) {
            why[0] = "jdk.incubator.vector is not readable; pass --add-modules jdk.incubator.vector for SIMD kernels";
            return new ScalarKernels();
        }
        try {
            Kernels k = (Kernels) Class.forName("dev.machina.kernel.VectorKernels").getDeclaredConstructor().newInstance();
            if (k.vectorBits() < 128) {
                why[0] = "the preferred vector width is only " + k.vectorBits() + " bits; scalar is as fast";
                return new ScalarKernels();
            }
            why[0] = "jdk.incubator.vector is readable; " + k.vectorBits() + "-bit vectors ("
                    + (k.vectorBits() / 32) + " floats), GEMM micro-kernel " + VectorGemm.MR + "x" + VectorGemm.NR;
            return k;
        } catch (ReflectiveOperationException | LinkageError e) {
            why[0] = "the Vector API could not be loaded (" + e + "); using scalar";
            return new ScalarKernels();
        }
    }
}
