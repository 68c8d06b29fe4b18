package dev.machina.experiment;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A JSON object's text as a map, parsed when the map is first read: exactly the
 * {@link LinkedHashMap} that {@code ObjectMapper.readValue(json, Map.class)} gives, and changeable
 * as that one is. A classification's test results hold its curves (a digits run's, 0.3 MB), and
 * most callers of {@link SpecRunner.Result#testResults()} read nothing of them or a key or two.
 */
final class JsonMap extends AbstractMap<String, Object> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String json;
    private Map<String, Object> map;

    JsonMap(String json) {
        this.json = json;
    }

    @SuppressWarnings("unchecked")
    private synchronized Map<String, Object> map() {
        if (map == null) {
            try {
                map = JSON.readValue(json, LinkedHashMap.class);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("not a JSON object: " + e.getOriginalMessage(), e);
            }
        }
        return map;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return map().entrySet();
    }

    @Override
    public Object get(Object key) {
        return map().get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return map().containsKey(key);
    }

    @Override
    public int size() {
        return map().size();
    }

    @Override
    public Object put(String key, Object value) {
        return map().put(key, value);
    }

    @Override
    public Object remove(Object key) {
        return map().remove(key);
    }
}
