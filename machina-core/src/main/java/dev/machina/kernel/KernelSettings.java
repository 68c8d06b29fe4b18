package dev.machina.kernel;

/**
 * Checks of the kernels' start-up settings that load nothing (no kernel, no Vector API class),
 * so that a command can reject a bad one with a plain message before the kernels initialise.
 */
public final class KernelSettings {
    private KernelSettings() {}

    /** What is wrong with a {@code machina.simd.bits} value (null, blank, 128, 256 or 512 are fine), or null. */
    public static String simdBitsProblem(String value) {
        if (value == null || value.isBlank()) return null;
        return switch (value.strip()) {
            case "128", "256", "512" -> null;
            default -> "-Dmachina.simd.bits must be 128, 256 or 512, got '" + value + "'";
        };
    }

    /** {@link #simdBitsProblem} of the system property. */
    public static String simdBitsProblem() {
        return simdBitsProblem(System.getProperty("machina.simd.bits"));
    }
}
