package org.relax4j.gpu;

import org.junit.jupiter.api.BeforeEach;
import org.relax4j.engine.Engine;
import org.relax4j.engine.EngineContractTest;

/**
 * The OpenCL engine meets the engine contract: bit-identical masked inputs and maps on a device that divides with
 * correct rounding, else the contract's tolerances ({@link OpenClTestSupport#maskedTolerance()}).
 */
class OpenClEngineContractTest extends EngineContractTest {
    @Override
    protected Engine createEngine() {
        return OpenClTestSupport.available() ? new OpenClEngine() : null;
    }

    @BeforeEach
    void requireOpenCl() {
        OpenClTestSupport.requireOpenCl();
    }

    @Override
    protected double maskedTolerance() {
        return OpenClTestSupport.maskedTolerance();
    }

    @Override
    protected double mapTolerance() {
        return OpenClTestSupport.mapTolerance();
    }
}
