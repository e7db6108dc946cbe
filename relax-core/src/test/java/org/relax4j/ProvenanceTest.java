package org.relax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.relax4j.data.InputTensor;
import org.relax4j.mask.MaskDesign;

class ProvenanceTest {

    static Explanation small() {
        RelaxConfig config = RelaxConfig.builder().masks(60).batchSize(20).seed(3).threads(1)
                .design(MaskDesign.BALANCED).build();
        try (Relax relax = new Relax(config)) {
            return relax.explain(Fixtures.randomInput(1, 12, 10, 4), Encoders.wholeInput(1, 12, 10, 4, 1));
        }
    }

    @Test
    void recordsSettingsDesignModelVersionsEngineAndTimings() {
        Explanation e = small();
        Map<String, Object> model = new HashMap<>();
        model.put("name", "toy");
        Provenance p = e.provenance(model);
        model.put("name", "changed");
        assertEquals("toy", p.model().get("name"), "the model identity is copied");
        assertThrows(UnsupportedOperationException.class, () -> p.model().put("x", 1));
        assertEquals(Provenance.LIBRARY, p.library());
        assertEquals(Provenance.DEVELOPMENT_BUILD, p.libraryVersion(), "tests run from classes, not a jar");
        assertEquals(System.getProperty("java.version"), p.javaVersion());
        assertEquals(e.masksUsed(), p.masksUsed());
        assertEquals(12, p.height());
        assertEquals(10, p.width());

        Map<String, Object> map = p.toMap();
        @SuppressWarnings("unchecked")
        Map<String, Object> settings = (Map<String, Object>) map.get("settings");
        assertEquals(60L, settings.get("masks"));
        assertEquals("balanced", settings.get("design"));
        assertEquals(List.of(12, 10), settings.get("size"));
        assertNull(settings.get("targetError"), "not adaptive");
        assertEquals(RelaxConfig.DEFAULT_STOP_CONFIDENCE, settings.get("stopConfidence"),
                "every setting is recorded, whether or not the run uses it");
        assertEquals(e.config().confidence(), settings.get("confidence"));
        assertEquals(e.engine(), map.get("engine"));
        assertTrue(map.containsKey("errorEstimate") && map.containsKey("timings"), map.keySet().toString());

        String json = p.toJson();
        assertTrue(json.contains("\"design\": \"balanced\""), json);
        assertTrue(json.contains("\"model\": {\n    \"name\": \"toy\"\n  }"), json);
        assertTrue(json.contains("\"version\": \"development build\""), json);
        assertTrue(e.provenance(null).model().isEmpty());
    }

    @Test
    void readBackEqualsWhatWasWritten() {
        Explanation e = small();
        Provenance p = e.provenance(Map.of("name", "toy", "file", "model.onnx"));
        Provenance back = Provenance.fromJson(p.toJson());
        assertEquals(p, back);
        assertEquals(e.config(), back.config());
        assertEquals(p.toJson(), back.toJson());
        // Keys a caller added beside the record (the command line's image and files) do not disturb it.
        Map<String, Object> withMore = p.toMap();
        withMore.put("image", "cat.png");
        assertEquals(p, Provenance.fromJson(Json.write(withMore)));

        Map<String, Object> newer = p.toMap();
        newer.put("schemaVersion", Provenance.SCHEMA_VERSION + 1);
        assertThrows(IllegalArgumentException.class, () -> Provenance.fromMap(newer));
    }

    @Test
    void matchAndBaselineRunsReadBackToo() {
        RelaxConfig config = RelaxConfig.builder().masks(40).batchSize(20).seed(3).threads(1)
                .baseline(Baseline.constant(0.25f)).build();
        InputTensor x = Fixtures.randomInput(1, 12, 10, 4);
        try (Relax relax = new Relax(config)) {
            Explanation e = relax.explain(x, Encoders.wholeInput(1, 12, 10, 4, 1), Target.input(
                    Fixtures.randomInput(1, 12, 10, 5)), ProgressListener.NONE, null);
            Provenance p = e.provenance(null);
            assertEquals(p, Provenance.fromJson(p.toJson()));
            assertEquals("input", Provenance.fromJson(p.toJson()).target());
        }
    }

    @Test
    void jsonEscapesAndNonFiniteNumbers() {
        assertEquals("{\n  \"a\\\"b\": [1, null, \"x\\ny\", true]\n}\n",
                Json.write(Map.of("a\"b", List.of(1, Double.NaN, "x\ny", true))));
    }
}
