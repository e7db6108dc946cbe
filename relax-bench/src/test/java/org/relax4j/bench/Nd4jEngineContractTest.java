package org.relax4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.relax4j.engine.Engine;
import org.relax4j.engine.EngineContractTest;
import org.relax4j.engine.Engines;

/**
 * The ND4J baseline meets the engine contract with the GPU engine's tolerances (masked inputs within 1e-6
 * absolute, maps within 1e-5 relative), so its timings compare like with like.
 */
class Nd4jEngineContractTest extends EngineContractTest {
    @Override
    protected Engine createEngine() {
        return new Nd4jEngine(2);
    }

    @Test
    void isFoundByName() {
        try (Engine e = Engines.create("nd4j", 1, null)) {
            assertEquals("nd4j", e.name());
        }
    }
}
