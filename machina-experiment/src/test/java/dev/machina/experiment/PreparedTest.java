package dev.machina.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.machina.data.TensorDataset;
import dev.machina.run.Provenance;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreparedTest {
    /** The parts laid end to end (features, then labels as floats), as the data's hash is defined. */
    private static float[] concat(TensorDataset... parts) {
        int n = 0;
        for (TensorDataset p : parts) if (p != null) n += p.features().size() + (p.isClassification() ? p.size() : 0);
        float[] out = new float[n];
        int o = 0;
        for (TensorDataset p : parts) {
            if (p == null) continue;
            float[] f = p.features().data();
            System.arraycopy(f, 0, out, o, f.length);
            o += f.length;
            if (p.isClassification()) for (int l : p.labels()) out[o++] = l;
        }
        return out;
    }

    @Test
    void theDataHashIsTheSha256OfThePartsLaidEndToEndWithoutCopyingThem() {
        for (String spec : List.of("data: {dataset: digits, validation: 0.1}\nmodel: [{linear: 10}]\n",
                "data: {dataset: sine, length: 300, window: 5, validation: 0.2, test: 0.1}\nmodel: [{gru: 4}, last_step, {linear: 1}]\n")) {
            Prepared d = Prepared.of(Experiment.parse("spec.yaml", spec, List.of()));
            String expected = Provenance.sha256(concat(d.train(), d.validation(), d.test()), null);
            assertThat(d.identity().get("sha256_data")).isEqualTo(expected);
            assertThat(Prepared.sha256(d.train(), null, d.test())).isNotEqualTo(expected);
        }
    }
}
