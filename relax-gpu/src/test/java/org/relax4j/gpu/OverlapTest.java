package org.relax4j.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.relax4j.InputBatch;
import org.relax4j.InputTensor;
import org.relax4j.engine.EngineRun;
import org.relax4j.mask.RandomMasks;

/**
 * The pipeline can hide device work behind the encoder: after {@code prefetch(k+1)} returns, batch k+1 is rendered
 * and copied to the host with no further call from the host thread (which is meanwhile free to run the encoder on
 * batch k, whose view stays intact). How much time that hides is a measurement, not a test: {@code KernelTimings}
 * reports it (relax-gpu/DEVICE.md).
 */
class OverlapTest {

    @BeforeEach
    void requireOpenCl() {
        OpenClTestSupport.requireOpenCl();
    }

    @Test
    void aPrefetchedBatchArrivesWithoutTheHostThread() throws InterruptedException {
        Random rnd = new Random(1);
        float[] d = new float[3 * 64 * 64];
        for (int k = 0; k < d.length; k++) {
            d[k] = rnd.nextFloat();
        }
        InputTensor x = InputTensor.of(3, 64, 64, d);
        RandomMasks masks = new RandomMasks(5, 7, 0.5f);
        try (OpenClEngine engine = new OpenClEngine(); EngineRun run = engine.open(x, masks, 50, 1e-10f)) {
            InputBatch current = run.masked(0, 50);
            float[] before = Arrays.copyOf(current.data(), 50 * 3 * 64 * 64);
            assertFalse(PipelinedEngine.prefetchArrived(run, 50, 50), "nothing prefetched yet");
            run.prefetch(50, 50);
            // The host thread now only waits, as it would while an encoder runs: no engine call until it arrives
            // (a liveness bound of about a minute, not a speed requirement).
            boolean arrived = false;
            for (int polls = 0; polls < 30_000 && !arrived; polls++) {
                Thread.sleep(2);
                arrived = PipelinedEngine.prefetchArrived(run, 50, 50);
            }
            assertTrue(arrived, "the prefetched batch never arrived on its own");
            assertArrayEquals(before, Arrays.copyOf(current.data(), before.length),
                    "the batch being encoded was overwritten by the prefetch");
            InputBatch next = run.masked(50, 50);
            float[] expected = new float[50 * 3 * 64 * 64];
            try (org.relax4j.engine.CpuEngine cpu = new org.relax4j.engine.CpuEngine(1);
                 EngineRun reference = cpu.open(x, masks, 50, 1e-10f)) {
                InputBatch b = reference.masked(50, 50);
                System.arraycopy(b.data(), 0, expected, 0, expected.length);
            }
            assertArrayEquals(expected, Arrays.copyOf(next.data(), expected.length), "the prefetched batch");
        }
    }
}
