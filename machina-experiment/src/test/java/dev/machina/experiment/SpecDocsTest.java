package dev.machina.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/SPEC.md and the registry agree: the reference tables are exactly what the registry says
 * (every key of every component, with its default and meaning, and nothing else), and every key
 * of the spec's own sections is documented. After changing a component, rewrite the tables with
 * {@code ./machina test -pl machina-experiment -Dtest=SpecDocsTest -Dmachina.writeSpecDocs=true}.
 */
class SpecDocsTest {
    static final Path SPEC = Path.of("..", "docs", "SPEC.md");

    @Test
    void theTablesAreTheRegistrys() throws Exception {
        String text = Files.readString(SPEC);
        int b = text.indexOf(SpecDocs.BEGIN), e = text.indexOf(SpecDocs.END);
        assertThat(b).as("docs/SPEC.md holds the registry markers").isNotNegative();
        assertThat(e).isGreaterThan(b);
        String documented = text.substring(b + SpecDocs.BEGIN.length(), e);
        String expected = SpecDocs.markdown() + "\n";
        if (Boolean.getBoolean("machina.writeSpecDocs") && !documented.equals(expected)) {
            Files.writeString(SPEC, text.substring(0, b + SpecDocs.BEGIN.length()) + expected + text.substring(e));
            documented = expected;
        }
        assertThat(documented).as("docs/SPEC.md's tables differ from the registry; rewrite them with -Dmachina.writeSpecDocs=true").isEqualTo(expected);
    }

    @Test
    void theTablesNameEveryKeyOfEveryComponent() {
        String md = SpecDocs.markdown();
        for (var kind : SpecDocs.keys().entrySet()) {
            for (var c : kind.getValue().entrySet()) {
                assertThat(md).as(kind.getKey()).contains("| `" + c.getKey() + "` |");
                for (String key : c.getValue()) assertThat(md).as(kind.getKey() + " " + c.getKey()).contains("| `" + key + "`");
            }
        }
        assertThat(SpecDocs.keys().get("layer")).containsKeys("lstm", "gru", "rnn", "embedding", "last_step");
        assertThat(SpecDocs.keys().get("dataset")).containsKeys("text", "series", "sine");
        assertThat(SpecDocs.keys().get("dataset").get("text")).contains("seq_len", "stride");
    }

    @Test
    void everyKeyOfTheSpecsOwnSectionsIsDocumented() throws Exception {
        String text = Files.readString(SPEC);
        for (String k : Experiment.TOP_KEYS) assertThat(text).contains("`" + k + "`");
        for (String k : Experiment.TRAINING_KEYS) assertThat(text).contains("`training." + k + "`");
        for (String k : Experiment.EARLY_STOPPING_KEYS) assertThat(text).contains(k + ":");
        for (String k : SweepSpec.KEYS) assertThat(text).contains("| `" + k + "`");
        for (String k : List.of("min_epochs", "reduction_factor")) assertThat(text).contains("`halving." + k + "`");
    }
}
