package dev.machina;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MachinaTest {
    @Test
    void runtimeInfoHasTheFactsInfoPrints() {
        assertThat(Machina.runtimeInfo()).containsKeys("machina", "java", "cores", "kernels", "kernels.reason", "threads", "huge pages");
        assertThat(Machina.runtimeInfo().get("huge pages")).matches("(on|off) \\(.+\\)");
    }

    @Test
    void hugePagesReadTheKernelModeAndTheJvmFlag() {
        String madvise = "always [madvise] never\n";
        assertThat(Machina.hugePages(madvise, true)).startsWith("on (-XX:+UseTransparentHugePages");
        assertThat(Machina.hugePages(madvise, false)).startsWith("off (kernel mode madvise")
                .contains("-XX:+UseTransparentHugePages");
        assertThat(Machina.hugePages("[always] madvise never\n", false)).startsWith("on (the kernel gives them");
        assertThat(Machina.hugePages("always madvise [never]\n", true)).isEqualTo("off (kernel mode never)");
        assertThat(Machina.hugePages(null, true)).startsWith("off (the operating system offers none");
        assertThat(Machina.hugePages("garbled", false)).startsWith("off (the operating system offers none");
    }
}
