package org.relax4j.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.relax4j.gpu.DeviceBackend.DeviceRun;
import org.relax4j.mask.MaskGeometry;
import org.relax4j.mask.RandomMasks;

/**
 * relax_draw_masks, reached through {@link RandomMasks#counterDraws()}, reproduces {@link RandomMasks#draw}
 * (CounterRng, whose constants the kernel gets as build options) bit for bit: every grid cell and shift.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeviceMaskDrawTest {
    private OpenClBackend backend;

    @BeforeAll
    void open() {
        if (OpenClTestSupport.available()) {
            backend = new OpenClBackend(null);
        }
    }

    @BeforeEach
    void requireOpenCl() {
        OpenClTestSupport.requireOpenCl();
    }

    @AfterAll
    void close() {
        if (backend != null) {
            backend.close();
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
            DeviceBackend.RunLayout layout = new DeviceBackend.RunLayout(new float[16 * 16], 1, 16, 16,
                    new MaskGeometry(cells, 16, 16), count, count, 1e-10f);
            try (DeviceRun device = backend.openRun(layout)) {
                int per = cells * cells;
                byte[] got = new byte[count * per];
                int[] gotShifts = new int[2 * count];
                byte[] want = new byte[count * per];
                int[] wantShifts = new int[2 * count];
                for (long seed : seeds) {
                    for (long first : firsts) {
                        float keep = keeps[(int) Math.floorMod(seed ^ first, keeps.length)];
                        device.drawCounterMasks(checked % 2, new RandomMasks(seed, cells, keep).counterDraws().orElseThrow(),
                                first, count);
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
