package org.relax4j.gpu;

import org.junit.jupiter.api.BeforeEach;
import org.relax4j.GoldenReplayTest;

/** The PyTorch reference's golden run replayed on the opencl engine: its maps bit for bit on an exact device. */
class OpenClGoldenReplayTest extends GoldenReplayTest {
    @BeforeEach
    void requireExactDevice() {
        OpenClTestSupport.requireOpenCl();
        org.junit.jupiter.api.Assumptions.assumeTrue(OpenClTestSupport.exactDevice(),
                "the default OpenCL device does not divide with correct rounding; bit-identical maps not promised");
    }

    @Override
    protected String engine() {
        return OpenClEngine.NAME;
    }
}
