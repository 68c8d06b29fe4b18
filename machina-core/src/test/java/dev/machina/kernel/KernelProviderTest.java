package dev.machina.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The provider says once, on stderr, when the Vector API is missing, and not when scalar was asked for. */
class KernelProviderTest {

    @Test
    void warnsOnlyWhenTheModuleIsMissingAndScalarWasNotAskedFor() {
        assertThat(KernelProvider.vectorApiWarning(null, false))
                .startsWith("machina: ").contains("--add-modules jdk.incubator.vector").doesNotContain("\n");
        assertThat(KernelProvider.vectorApiWarning("true", false)).isEqualTo(KernelProvider.VECTOR_API_WARNING);
        assertThat(KernelProvider.vectorApiWarning(null, true)).isNull();
        assertThat(KernelProvider.vectorApiWarning("true", true)).isNull();
        assertThat(KernelProvider.vectorApiWarning("false", false)).isNull();
        assertThat(KernelProvider.vectorApiWarning(" FALSE ", false)).isNull();
        assertThat(KernelProvider.vectorApiWarning("false", true)).isNull();
    }

    /** Chooses kernels twice in a fresh JVM, for {@link #aJvmWithoutTheModuleWarnsExactlyOnce}. */
    public static final class Probe {
        public static void main(String[] args) {
            System.out.println(KernelProvider.get().name());
            System.out.println(KernelProvider.get().name() + " " + KernelProvider.reason());
        }
    }

    @Test
    void aJvmWithoutTheModuleWarnsExactlyOnce() throws Exception {
        assertThat(stderrOf()).containsOnlyOnce(KernelProvider.VECTOR_API_WARNING);
        assertThat(stderrOf("-Dmachina.simd=false")).doesNotContain("machina:");
        assertThat(stderrOf("--add-modules", "jdk.incubator.vector")).doesNotContain("machina:");
    }

    private static String stderrOf(String... jvmArgs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        return err;
    }
}
