package org.relax4j.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.relax4j.InputTensor;
import org.relax4j.engine.EngineRun;
import org.relax4j.gpu.DeviceBackend.DeviceRun;
import org.relax4j.mask.RandomMasks;

/** relax_draw_masks reproduces {@link RandomMasks#draw} (CounterRng) bit for bit: every grid cell and shift. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeviceMaskDrawTest {
    private OpenClEngine engine;

    @BeforeAll
    void open() {
        if (OpenClTestSupport.available()) {
            engine = new OpenClEngine();
        }
    }

    @BeforeEach
    void requireOpenCl() {
        OpenClTestSupport.requireOpenCl();
    }

    @AfterAll
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void deviceGridsAndShiftsEqualTheJavaGenerator() {
        Random rnd = new Random(20240601L);
        long[] seeds = new long[24];
        long[] fixed = {0, 1, -1, 42, 0x5DEECE66DL, Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, -123456789012345L};
        System.arraycopy(fixed, 0, seeds, 0, fixed.length);
        for (int k = fixed.length; k < seeds.length; k++) {
            seeds[k] = rnd.nextLong();
        }
        int count = 40;
        long[] firsts = {0, 1, 977, (1L << 31) - 5, (1L << 32) - 7, (1L << 32) + 17, 1L << 40, 3_000_000_000_000_000_000L,
            Long.MAX_VALUE - count};
        int[] cellsList = {1, 2, 3, 7, 13};
        float[] keeps = {0.5f, 0.3f, 0f, 1f, 0.999f};
        int checked = 0;
        for (int cells : cellsList) {
            try (EngineRun run = engine.open(InputTensor.filled(1, 16, 16, 1f), new RandomMasks(0, cells, 0.5f), count, 1e-10f)) {
                DeviceRun device = PipelinedEngine.deviceRunOf(run);
                int per = cells * cells;
                byte[] got = new byte[count * per];
                int[] gotShifts = new int[2 * count];
                byte[] want = new byte[count * per];
                int[] wantShifts = new int[2 * count];
                for (long seed : seeds) {
                    for (long first : firsts) {
                        float keep = keeps[(int) Math.floorMod(seed ^ first, keeps.length)];
                        device.drawRandomMasks(checked % 2, seed, keep, first, count);
                        device.readMasks(checked % 2, count, got, gotShifts);
                        RandomMasks masks = new RandomMasks(seed, cells, keep);
                        for (int b = 0; b < count; b++) {
                            masks.draw(first + b, want, b * per, wantShifts, 2 * b);
                        }
                        String what = "seed " + seed + ", cells " + cells + ", keep " + keep + ", masks from " + first;
                        assertArrayEquals(want, got, what + ": grids");
                        assertArrayEquals(wantShifts, gotShifts, what + ": shifts");
                        checked++;
                    }
                }
            }
        }
        assertEquals(cellsList.length * seeds.length * firsts.length, checked);
    }
}
