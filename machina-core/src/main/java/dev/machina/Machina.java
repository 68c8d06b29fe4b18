package dev.machina;

import dev.machina.kernel.KernelProvider;
import dev.machina.kernel.Parallel;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** Library-wide facts: version and the runtime Machina runs on. */
public final class Machina {
    private Machina() {}

    /** The library version, e.g. "0.1.0-SNAPSHOT". */
    public static String version() {
        try (InputStream in = Machina.class.getResourceAsStream("version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** What `machina info` prints, as ordered key/value pairs. */
    public static Map<String, String> runtimeInfo() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("machina", version());
        m.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ", "
                + System.getProperty("java.vm.name") + ")");
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("cpu", cpuModel());
        m.put("cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        m.put("kernels", KernelProvider.get().name() + ", " + KernelProvider.get().vectorBits() + "-bit");
        m.put("kernels.reason", KernelProvider.reason());
        m.put("threads", Integer.toString(Parallel.threads()));
        m.put("max heap", (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
        m.put("huge pages", hugePages());
        return m;
    }

    private static final java.nio.file.Path THP = java.nio.file.Path.of("/sys/kernel/mm/transparent_hugepage/enabled");

    /**
     * Whether the Java heap is backed by transparent huge pages, and why. Tensors are large heap
     * arrays, and with 2 MiB pages the GEMM kernels miss the TLB far less (docs/BENCHMARKS.md has
     * the figures); {@code ./machina} starts the JVM with {@code -XX:+UseTransparentHugePages}
     * when the kernel offers them.
     */
    public static String hugePages() {
        String mode = null;
        try {
            mode = java.nio.file.Files.readString(THP);
        } catch (IOException | RuntimeException e) {
            // not Linux, or no transparent huge pages
        }
        boolean flag = false;
        try {
            var bean = java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            flag = bean != null && Boolean.parseBoolean(bean.getVMOption("UseTransparentHugePages").getValue());
        } catch (RuntimeException | LinkageError e) {
            // not HotSpot: the flag does not exist
        }
        return hugePages(mode, flag);
    }

    /**
     * The {@link #hugePages()} text for the kernel's setting (the content of
     * /sys/kernel/mm/transparent_hugepage/enabled, the chosen mode in brackets, or null when
     * there is none) and whether the JVM runs with {@code -XX:+UseTransparentHugePages}.
     */
    static String hugePages(String sysfs, boolean jvmFlag) {
        String mode = null;
        if (sysfs != null) {
            int a = sysfs.indexOf('['), b = sysfs.indexOf(']');
            if (a >= 0 && b > a) mode = sysfs.substring(a + 1, b);
        }
        if (mode == null) return "off (the operating system offers none)";
        return switch (mode) {
            case "always" -> "on (the kernel gives them to every large allocation)";
            case "madvise" -> jvmFlag ? "on (-XX:+UseTransparentHugePages; kernel mode madvise)"
                    : "off (kernel mode madvise: start the JVM with -XX:+UseTransparentHugePages, as ./machina does)";
            default -> "off (kernel mode " + mode + ")";
        };
    }

    /** The CPU model from /proc/cpuinfo when there is one, else the architecture. */
    public static String cpuModel() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }
}
