package org.relax4j.tornado;

import org.relax4j.GoldenReplayTest;

/** The PyTorch reference's golden run replayed on the tornado engine: its maps bit for bit (recorded masks uploaded). */
class TornadoGoldenReplayTest extends GoldenReplayTest {
    @Override
    protected String engine() {
        return TornadoEngine.NAME;
    }
}
