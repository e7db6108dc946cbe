package org.relax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Json}'s text never depends on the JVM: {@code Map.of}'s and {@code HashMap}'s iteration order changes with a
 * per-JVM hash salt (a gallery's cache key and evaluation.json's notes differed between a Spark driver and this JVM),
 * so their keys are written sorted; ordered maps keep their order.
 */
class JsonTest {
    @Test
    void mapsWithoutAnOrderAreWrittenSortedOrderedMapsAsTheyAre() {
        Map<String, Object> of = Map.of("size", 224, "model", "m", "pixels", "imagenet", "alpha", 1, "zeta", 2);
        assertEquals("{\n  \"alpha\": 1,\n  \"model\": \"m\",\n  \"pixels\": \"imagenet\",\n  \"size\": 224,\n"
                + "  \"zeta\": 2\n}\n", Json.write(of));
        assertEquals(Json.write(of), Json.write(new HashMap<>(of)));
        Map<String, Object> linked = new LinkedHashMap<>();
        linked.put("zeta", 2);
        linked.put("alpha", Map.of("b", 1, "a", 2));
        assertEquals("{\n  \"zeta\": 2,\n  \"alpha\": {\n    \"a\": 2,\n    \"b\": 1\n  }\n}\n", Json.write(linked));
        assertEquals(linked, Json.readObject(Json.write(linked)));
    }
}
