package org.relax4j.gpu;

import org.junit.jupiter.api.BeforeEach;
import org.relax4j.engine.Engine;
import org.relax4j.engine.EngineContractTest;

/** The OpenCL engine meets the engine contract: masked inputs within 1e-6 absolute, maps within 1e-5 relative. */
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
        return 1e-6;
    }

    @Override
    protected double mapTolerance() {
        return 1e-5;
    }
}
