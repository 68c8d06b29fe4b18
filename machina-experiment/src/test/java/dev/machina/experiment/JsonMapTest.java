package dev.machina.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonMapTest {
    static final String JSON = """
            {"b": {"precision": 0.9722222222222222, "support": 36}, "accuracy": 0.99, "a": [1, 2.5, null], "n": 12345678901}""";

    @Test
    void readsAsTheMapJacksonGives() throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Object> parsed = new ObjectMapper().readValue(JSON, Map.class);
        JsonMap lazy = new JsonMap(JSON);
        assertThat(lazy).isEqualTo(parsed);
        assertThat(parsed).isEqualTo(lazy);
        assertThat(lazy.hashCode()).isEqualTo(parsed.hashCode());
        assertThat(lazy.toString()).isEqualTo(parsed.toString());
        assertThat(new ArrayList<>(lazy.keySet())).containsExactly("b", "accuracy", "a", "n");
        assertThat(lazy.get("accuracy")).isEqualTo(0.99);
        assertThat(((Map<?, ?>) lazy.get("b")).get("support")).isEqualTo(36);
        assertThat(lazy.get("n")).isEqualTo(12345678901L);
        assertThat(lazy.get("a")).isEqualTo(java.util.Arrays.asList(1, 2.5, null));
        assertThat(lazy.containsKey("a")).isTrue();
        assertThat(lazy.containsKey("z")).isFalse();
        assertThat(lazy).hasSize(4);
    }

    @Test
    void changesAsThatMapDoes() {
        JsonMap lazy = new JsonMap(JSON);
        assertThat(lazy.put("test_loss", 0.5)).isNull();
        assertThat(lazy.remove("a")).isNotNull();
        assertThat(new ArrayList<>(lazy.keySet())).containsExactly("b", "accuracy", "n", "test_loss");
        lazy.entrySet().removeIf(e -> e.getKey().equals("n"));
        assertThat(lazy).containsOnlyKeys("b", "accuracy", "test_loss");
    }

    @Test
    void isParsedWhenFirstRead() {
        JsonMap broken = new JsonMap("{\"a\": ");
        assertThatThrownBy(broken::size).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("not a JSON object");
    }
}
