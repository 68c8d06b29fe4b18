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
        return m;
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
