package org.relax4j.gpu;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.relax4j.data.InputTensor;
import org.relax4j.mask.RandomMasks;

/**
 * The pipeline's size checks, against a backend that only states limits and its memory needs (no device needed).
 */
class PipelinedEngineLimitsTest {

    private static PipelinedEngine engine(long maxAlloc, long globalMemory) {
        return new PipelinedEngine("test", new DeviceBackend() {
            @Override
            public String description() {
                return "a test device";
            }

            @Override
            public long maxAllocationBytes() {
                return maxAlloc;
            }

            @Override
            public long globalMemoryBytes() {
                return globalMemory;
            }

            /** What the old pipeline estimated, less the tables: two batches of masked inputs, grids and blends. */
            @Override
            public long runMemoryBytes(RunLayout layout) {
                long batch = (long) layout.maxBatch() * layout.sampleFloats() * Float.BYTES;
                long grids = (long) layout.maxBatch() * (layout.cells() * layout.cells() + 12L);
                long blends = (long) layout.maxBatch() * layout.cells() * layout.width() * Float.BYTES;
                return DeviceRun.SLOTS * (batch + grids + blends) + (layout.sampleFloats() + 3L * layout.pixels()) * Float.BYTES;
            }

            @Override
            public DeviceRun openRun(RunLayout layout) {
                throw new AssertionError("the checks should have refused " + layout);
            }

            @Override
            public void close() {
            }
        });
    }

    @Test
    void twoBatchesMustFitInDeviceMemory() {
        try (PipelinedEngine e = engine(1L << 30, 64L << 20)) {
            // 3x224x224 floats = 602112 bytes; two batches of 60 are 72 MB > 64 MiB.
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> e.open(InputTensor.filled(3, 224, 224, 1f), new RandomMasks(1, 7, 0.5f), 60, 1e-10f));
            assertTrue(ex.getMessage().contains("MiB of device memory (two batches in flight), more than the 64.0 MiB of"
                    + " a test device"), ex.getMessage());
        }
    }

    @Test
    void oneInputMustFitInOneBuffer() {
        try (PipelinedEngine e = engine(1000, 1L << 30)) {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> e.open(InputTensor.filled(1, 20, 20, 1f), new RandomMasks(1, 7, 0.5f), 2, 1e-10f));
            assertTrue(ex.getMessage().contains("needs 1600 bytes"), ex.getMessage());
        }
    }

    @Test
    void tooSmallInputsAreRejectedBeforeTheDevice() {
        try (PipelinedEngine e = engine(1L << 30, 1L << 30)) {
            assertThrows(IllegalArgumentException.class,
                    () -> e.open(InputTensor.filled(1, 3, 40, 1f), new RandomMasks(1, 7, 0.5f), 4, 1e-10f));
        }
    }
}
