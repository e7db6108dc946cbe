package org.relax4j.engine;

/** The CPU engine meets the engine contract — bit for bit, though the contract only asks for its tolerances. */
class CpuEngineContractTest extends EngineContractTest {
    @Override
    protected Engine createEngine() {
        return new CpuEngine(3);
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
