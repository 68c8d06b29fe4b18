package dev.machina.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.machina.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    @Test
    void stateRoundTripsWithExactJavaTypes(@TempDir Path tmp) throws Exception {
        LinkedHashMap<String, Tensor> model = new LinkedHashMap<>();
        model.put("0.weight", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        model.put("0.bias", Tensor.vector(-1f, 0.5f));
        Map<Integer, Object> perParam = new LinkedHashMap<>();
        perParam.put(0, new LinkedHashMap<>(Map.of("exp_avg", new float[] {0.1f, Float.NaN}, "step", 7L)));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("next_epoch", 3);
        state.put("global_step", 1234L);
        state.put("train_seconds", 1.0 / 3);
        state.put("rng", new long[] {Long.MIN_VALUE, -1, 0, 42, 7, 1});
        state.put("base_lrs", new double[] {1e-3, 0.1});
        state.put("params", new int[] {0, 1});
        state.put("optimizer", Map.of("state", perParam));
        state.put("history", List.of(Map.of("val_loss", 0.25), Map.of("val_loss", 0.125)));
        state.put("flag", true);
        state.put("name", "x");
        state.put("nothing", null);
        Path f = tmp.resolve("c.safetensors");
        new Checkpoint(model, state).save(f);
        Checkpoint c = Checkpoint.load(f);
        assertThat(c.model().get("0.weight").data()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(c.model().get("0.weight").shape()).containsExactly(2, 3);
        assertThat(c.state().get("next_epoch")).isInstanceOf(Integer.class).isEqualTo(3);
        assertThat(c.state().get("global_step")).isInstanceOf(Long.class).isEqualTo(1234L);
        assertThat(c.state().get("train_seconds")).isEqualTo(1.0 / 3);
        assertThat((long[]) c.state().get("rng")).containsExactly(Long.MIN_VALUE, -1, 0, 42, 7, 1);
        assertThat((double[]) c.state().get("base_lrs")).containsExactly(1e-3, 0.1);
        assertThat((int[]) c.state().get("params")).containsExactly(0, 1);
        @SuppressWarnings("unchecked")
        Map<Integer, Map<String, Object>> st = (Map<Integer, Map<String, Object>>) ((Map<String, Object>) c.state().get("optimizer")).get("state");
        assertThat(st.keySet()).containsExactly(0);
        float[] ea = (float[]) st.get(0).get("exp_avg");
        assertThat(ea[0]).isEqualTo(0.1f);
        assertThat(ea[1]).isNaN();
        assertThat(st.get(0).get("step")).isInstanceOf(Long.class).isEqualTo(7L);
        assertThat(c.state().get("history")).isEqualTo(List.of(Map.of("val_loss", 0.25), Map.of("val_loss", 0.125)));
        assertThat(c.state()).containsEntry("flag", true).containsEntry("name", "x").containsEntry("nothing", null);
        // the model part is an ordinary safetensors file PyTorch can read
        assertThat(SafeTensors.read(f).tensors()).containsKeys("model.0.weight", "model.0.bias");
    }

    @Test
    void aFileThatIsNotACheckpointIsRejectedClearly(@TempDir Path tmp) throws Exception {
        Path f = tmp.resolve("plain.safetensors");
        SafeTensors.write(f, Map.of("w", Tensor.vector(1f)));
        assertThatThrownBy(() -> Checkpoint.load(f)).hasMessageContaining("not a Machina checkpoint");
        Files.write(tmp.resolve("junk"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> Checkpoint.load(tmp.resolve("junk"))).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void unsupportedStateValuesAreNamed() {
        assertThatThrownBy(() -> new Checkpoint(new LinkedHashMap<>(), Map.of("bad", new Object())).save(Path.of("/nonexistent/x")))
                .hasMessageContaining("cannot store a java.lang.Object in a checkpoint (at 'state.bad')");
    }

    /** callbackStates reads the header only: entries holding tensors are left out, a malformed entry is an error naming the file. */
    @Test
    void callbackStatesLeavesOutTensorsButNotMalformedEntries(@TempDir Path tmp) throws Exception {
        Map<String, Object> es = new LinkedHashMap<>();
        es.put("wait", 3);
        es.put("best_weights", Map.of("0.weight", new float[] {1f, 2f}));
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("next_epoch", 1);
        state.put("callbacks", Map.of("EarlyStopping.val_loss", es));
        Path f = tmp.resolve("c.safetensors");
        new Checkpoint(new LinkedHashMap<>(Map.of("0.weight", Tensor.vector(0f, 0f))), state).save(f);
        assertThat(Checkpoint.callbackStates(f).get("EarlyStopping.val_loss")).containsOnlyKeys("wait").containsEntry("wait", 3);

        SafeTensors.Contents c = SafeTensors.read(f);
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        String js = meta.get(Checkpoint.STATE_KEY);
        assertThat(js).contains("\"$t\":\"int\",\"v\":3");
        meta.put(Checkpoint.STATE_KEY, js.replace("\"$t\":\"int\",\"v\":3", "\"$t\":\"no-such-type\",\"v\":3"));
        Path bad = tmp.resolve("bad.safetensors");
        SafeTensors.write(bad, c.tensors(), meta);
        assertThatThrownBy(() -> Checkpoint.callbackStates(bad)).isInstanceOf(java.io.IOException.class)
                .hasMessageContaining(bad.toString()).hasMessageContaining("malformed").hasMessageContaining("no-such-type");
    }
}
