package org.relax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.relax4j.data.InvalidSettingException;
import org.relax4j.estimate.ImportanceEstimator;
import org.relax4j.mask.MaskDesign;
import org.relax4j.mask.RandomMasks;

/** Settings as values: build, encode, decode, equal (in the manner of Tribuo's configuration round trips). */
class SettingsCodecTest {
    /** Settings that are not values, so no round trip can carry anything but their default. */
    static final Set<String> NOT_VALUES = Set.of("maskSource", "similarity");

    /** Every setting away from its default. */
    static RelaxConfig everySetting() {
        return RelaxConfig.builder().masks(1234).cells(5).keepProbability(0.3f).initialWeight(1e-7f).seed(-99)
                .design(MaskDesign.BALANCED).estimator(ImportanceEstimator.CONTROL_VARIATE).targetError(0.12)
                .confidence(0.95).stopConfidence(0.85).discrete(true).baseline(Baseline.blurred(4.5))
                .engine("opencl").device("1").threads(3).batchSize(64).build();
    }

    @Test
    void theTestConfigurationChangesEverySettingSoANewOneCannotBeForgotten() throws Exception {
        for (Record[] pair : List.of(new Record[] {everySetting().settings(), Settings.defaults()},
                new Record[] {everySetting().execution(), Execution.defaults()})) {
            for (RecordComponent c : pair[0].getClass().getRecordComponents()) {
                if (NOT_VALUES.contains(c.getName())) {
                    continue;
                }
                assertNotEquals(c.getAccessor().invoke(pair[1]), c.getAccessor().invoke(pair[0]),
                        c.getName() + " is at its default: give it another value here, so the round trip covers it");
            }
        }
    }

    @Test
    void everySettingRoundTripsThroughValuesAndJson() {
        RelaxConfig c = everySetting();
        assertEquals(c, SettingsCodec.decode(SettingsCodec.encode(c)));
        assertEquals(c, SettingsCodec.fromJson(SettingsCodec.toJson(c)));
        assertEquals(c, SettingsCodec.requireValues(c));
        assertEquals(c.hashCode(), SettingsCodec.fromJson(SettingsCodec.toJson(c)).hashCode());
        RelaxConfig defaults = RelaxConfig.defaults();
        assertEquals(defaults, SettingsCodec.fromJson(SettingsCodec.toJson(defaults)));
        RelaxConfig constant = c.toBuilder().baseline(Baseline.constant(-0.7f)).discrete(false)
                .estimator(ImportanceEstimator.RATIO).design(MaskDesign.RANDOM).targetError(Double.NaN).build();
        assertEquals(constant, SettingsCodec.fromJson(SettingsCodec.toJson(constant)));
    }

    @Test
    void equalityIsByValue() {
        assertEquals(everySetting(), everySetting());
        assertNotEquals(everySetting(), everySetting().toBuilder().seed(1).build());
        assertNotEquals(everySetting(), everySetting().toBuilder().discrete(false).build());
        assertNotEquals(everySetting(), everySetting().toBuilder().threads(1).build());
        assertEquals(everySetting().settings(), everySetting().toBuilder().threads(1).build().settings(),
                "threads are how, not what");
    }

    @Test
    void missingKeysTakeTheDefaultsAndOtherKeysAreIgnored() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("masks", 500);
        settings.put("targetError", null);
        settings.put("size", List.of(4, 4));
        RelaxConfig c = SettingsCodec.decode(Map.of("settings", settings));
        assertEquals(RelaxConfig.builder().masks(500).build().settings(), c.settings());
    }

    @Test
    void whatIsNotAValueIsRefusedByName() {
        RelaxConfig custom = RelaxConfig.builder().similarity((a, ao, b, bo, d) -> 1f).build();
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> SettingsCodec.requireValues(custom));
        assertEquals("similarity", e.setting());
        RelaxConfig tensor = RelaxConfig.builder().baseline(Baseline.of(Fixtures.randomInput(1, 4, 4, 1))).build();
        assertEquals("baseline", assertThrows(InvalidSettingException.class,
                () -> SettingsCodec.requireValues(tensor)).setting());
        RelaxConfig recorded = RelaxConfig.builder().maskSource(new RandomMasks(3, 7, 0.5f)).build();
        assertEquals("maskSource", assertThrows(InvalidSettingException.class,
                () -> SettingsCodec.requireValues(recorded)).setting());
        Map<String, Object> settings = new LinkedHashMap<>(SettingsCodec.encode(RelaxConfig.defaults().settings()));
        settings.put("maskSource", "recorded(3000 masks from somewhere)");
        assertEquals("maskSource", assertThrows(InvalidSettingException.class,
                () -> SettingsCodec.decodeSettings(settings)).setting());
    }

    @Test
    void wrongTypesAndRangesNameTheSetting() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> SettingsCodec.decodeSettings(Map.of("masks", "many")));
        assertEquals("masks", e.setting());
        assertTrue(e.getMessage().contains("'many'"), e.getMessage());
        assertEquals("masks", assertThrows(InvalidSettingException.class,
                () -> SettingsCodec.decodeSettings(Map.of("masks", 2.5))).setting());
        assertEquals("masks", assertThrows(InvalidSettingException.class,
                () -> SettingsCodec.decodeSettings(Map.of("masks", 0))).setting());
        assertEquals("design", assertThrows(InvalidSettingException.class,
                () -> SettingsCodec.decodeSettings(Map.of("design", "sobol"))).setting());
        assertEquals("batchSize", assertThrows(InvalidSettingException.class,
                () -> SettingsCodec.decodeExecution(Map.of("batchSize", -1))).setting());
    }

    @Test
    void jsonReadsWhatItWrites() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a\"b\\c\n\u00e9\u0001");
        m.put("i", 7);
        m.put("l", 1L << 40);
        m.put("d", -1.5e-7);
        m.put("list", List.of(true, false, List.of()));
        m.put("nothing", null);
        m.put("empty", Map.of());
        assertEquals(m, Json.read(Json.write(m)));
        assertThrows(IllegalArgumentException.class, () -> Json.read("{\"a\": 1,}"));
        assertThrows(IllegalArgumentException.class, () -> Json.read("[1] 2"));
        assertThrows(IllegalArgumentException.class, () -> Json.readObject("[1]"));
    }
}
