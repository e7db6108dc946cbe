package org.relax4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.relax4j.Baseline;
import org.relax4j.data.InputTensor;
import org.relax4j.RelaxConfig;
import org.relax4j.mask.MaskDesign;

/** What travels to executors comes back as the same configuration; what cannot travel is refused by name. */
class ExplainSettingsTest {

    @Test
    void settingsRoundTripIncludingTheBaseline() {
        for (Baseline b : new Baseline[] {Baseline.zero(), Baseline.constant(0.25f), Baseline.blurred(7.5)}) {
            RelaxConfig c = RelaxConfig.builder().masks(256).seed(5).cells(5).design(MaskDesign.BALANCED).baseline(b)
                    .build();
            RelaxConfig back = ExplainSettings.of(c).toConfig(1);
            assertEquals(b, back.baseline());
            assertEquals(c.maskSource(), back.maskSource());
            assertEquals(c.masks(), back.masks());
        }
        RelaxConfig tensor = RelaxConfig.builder().baseline(Baseline.of(InputTensor.filled(3, 8, 8, 0f))).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExplainSettings.of(tensor));
        assertTrue(e.getMessage().contains("baseline"), e.getMessage());
    }
}
