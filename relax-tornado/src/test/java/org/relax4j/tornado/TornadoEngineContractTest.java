package org.relax4j.tornado;

import org.relax4j.engine.Engine;
import org.relax4j.engine.EngineContractTest;

/**
 * The tornado engine meets the engine contract with no tolerance at all: its kernels keep the CPU engine's float32
 * order and are built with correctly rounded division, so masked inputs and maps are bit-identical.
 */
class TornadoEngineContractTest extends EngineContractTest {
    @Override
    protected Engine createEngine() {
        return new TornadoEngine();
    }

    @Override
    protected double maskedTolerance() {
        return 0;
    }

    @Override
    protected double mapTolerance() {
        return 0;
    }
}
