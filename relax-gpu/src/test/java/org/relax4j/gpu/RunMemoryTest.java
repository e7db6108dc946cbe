package org.relax4j.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.relax4j.Fixtures;
import org.relax4j.mask.MaskGeometry;

/** The device memory the OpenCL backend reports for a run is exactly what the run allocates, in every mode. */
class RunMemoryTest {

    @BeforeEach
    void requireOpenCl() {
        OpenClTestSupport.requireOpenCl();
    }

    @Test
    void reportedMemoryIsWhatARunAllocates() {
        int c = 3;
        int h = 37;
        int w = 45;
        int[][] batches = {{8, 8}, {8, 3}, {1, 1}}; // maxBatch, samplesPerBuffer (3: split over three buffers)
        for (Accumulation.Mode mode : Accumulation.Mode.values()) {
            try (OpenClBackend backend = new OpenClBackend(null, KernelProgram.defaultSource(),
                    new OpenClBackend.Options(TransferMode.AUTO, mode))) {
                for (int[] b : batches) {
                    DeviceBackend.RunLayout layout = new DeviceBackend.RunLayout(
                            Fixtures.randomInput(c, h, w, 1).toArray(), c, h, w, new MaskGeometry(5, h, w), b[0], b[1],
                            1e-10f);
                    try (OpenClRun run = backend.openRun(layout)) {
                        assertEquals(backend.runMemoryBytes(layout), run.allocatedBytes(), mode + ", batch " + b[0]
                                + " in buffers of " + b[1]);
                    }
                }
            }
        }
    }
}
