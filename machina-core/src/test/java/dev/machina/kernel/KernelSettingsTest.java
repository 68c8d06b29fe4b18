package dev.machina.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KernelSettingsTest {
    @Test
    void simdBitsTakesTheThreeWidthsOrNothing() {
        for (String ok : new String[] {null, "", " ", "128", "256", " 512 "}) assertThat(KernelSettings.simdBitsProblem(ok)).as("'%s'", ok).isNull();
        for (String bad : new String[] {"64", "1024", "avx2", "256b"}) {
            assertThat(KernelSettings.simdBitsProblem(bad)).as("'%s'", bad).isEqualTo("-Dmachina.simd.bits must be 128, 256 or 512, got '" + bad + "'");
        }
    }

    @Test
    void eachWidthGivesItsSpecies() {
        assertThat(VectorGemm.species("128").length()).isEqualTo(4);
        assertThat(VectorGemm.species("256").length()).isEqualTo(8);
        assertThat(VectorGemm.species(" 512").length()).isEqualTo(16);
        assertThat(VectorGemm.species(null)).isEqualTo(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED);
        assertThatThrownBy(() -> VectorGemm.species("300")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got '300'");
        // the width in force is the one this JVM was started with (the pom runs the kernel tests at all three)
        String bits = System.getProperty("machina.simd.bits");
        assertThat(VectorGemm.S).isEqualTo(VectorGemm.species(bits));
    }
}
