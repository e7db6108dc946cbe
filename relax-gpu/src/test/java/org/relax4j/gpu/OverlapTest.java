package org.relax4j.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.relax4j.Fixtures;
import org.relax4j.data.InputBatch;
import org.relax4j.data.InputTensor;
import org.relax4j.engine.CpuEngine;
import org.relax4j.engine.EngineRun;
import org.relax4j.mask.RandomMasks;

/**
 * The pipeline can hide device work behind the encoder: after {@code prefetch(k+1)} returns, batch k+1 is rendered
 * and copied to the host with no further call from the host thread (which is meanwhile free to run the encoder on
 * batch k, whose view stays intact). How much time that hides is a measurement, not a test: {@code KernelTimings}
 * reports it (relax-gpu/DEVICE.md). The copies are observed through a forwarding backend, not a hook in the
 * pipeline.
 */
class OverlapTest {

    @BeforeEach
    void requireOpenCl() {
        OpenClTestSupport.requireOpenCl();
    }

    /** Counts copies into host arrays that finished on a thread other than {@code host}. */
    private static DeviceBackend observed(DeviceBackend inner, Thread host, AtomicInteger offThreadCopies) {
        return new ForwardingBackend(inner) {
            @Override
            public DeviceRun openRun(RunLayout layout) {
                return new ForwardingRun(inner.openRun(layout)) {
                    @Override
                    public void copyRendered(int slot, int count, float[] destination) {
                        super.copyRendered(slot, count, destination);
                        if (Thread.currentThread() != host) {
                            offThreadCopies.incrementAndGet();
                        }
                    }
                };
            }
        };
    }

    @Test
    void aPrefetchedBatchArrivesWithoutTheHostThread() throws InterruptedException {
        InputTensor x = InputTensor.of(3, 64, 64, Fixtures.randomFloats(3 * 64 * 64, 0f, 1f, 1));
        RandomMasks masks = new RandomMasks(5, 7, 0.5f);
        AtomicInteger arrived = new AtomicInteger();
        DeviceBackend backend = observed(new OpenClBackend(null), Thread.currentThread(), arrived);
        try (PipelinedEngine engine = new PipelinedEngine(OpenClEngine.NAME, backend);
             EngineRun run = engine.open(x, masks, 50, 1e-10f)) {
            InputBatch current = run.masked(0, 50);
            float[] before = Arrays.copyOf(current.data(), 50 * 3 * 64 * 64);
            assertEquals(0, arrived.get(), "nothing prefetched yet");
            run.prefetch(50, 50);
            // The host thread now only waits, as it would while an encoder runs: no engine call until it arrives
            // (a liveness bound of about a minute, not a speed requirement).
            for (int polls = 0; polls < 30_000 && arrived.get() == 0; polls++) {
                Thread.sleep(2);
            }
            assertTrue(arrived.get() > 0, "the prefetched batch never arrived on its own");
            assertArrayEquals(before, Arrays.copyOf(current.data(), before.length),
                    "the batch being encoded was overwritten by the prefetch");
            InputBatch next = run.masked(50, 50);
            assertEquals(1, arrived.get(), "masked() should have used the prefetched batch, not rendered it again");
            float[] expected = new float[50 * 3 * 64 * 64];
            try (CpuEngine cpu = new CpuEngine(1); EngineRun reference = cpu.open(x, masks, 50, 1e-10f)) {
                InputBatch b = reference.masked(50, 50);
                System.arraycopy(b.data(), 0, expected, 0, expected.length);
            }
            assertArrayEquals(expected, Arrays.copyOf(next.data(), expected.length), "the prefetched batch");
        }
    }
}
