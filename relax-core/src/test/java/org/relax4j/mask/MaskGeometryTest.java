package org.relax4j.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class MaskGeometryTest {

    /**
     * cells = 2 on 4×4, worked by hand from the spec: scale 0.5, src(u) = max(0.5u - 0.25, 0), so the upsampled
     * 1-D profile of grid [1, 0] at u = 0..3 is [1, 0.75, 0.25, 0]; padding r = 1 reflects u = -1 to 1, so shift 0
     * reads u = [1, 0, 1, 2] → [0.75, 1, 0.75, 0.25] and shift 1 reads u = [0, 1, 2, 3] → [1, 0.75, 0.25, 0].
     */
    @Test
    void handWorkedTwoCellMask() {
        MaskGeometry g = new MaskGeometry(2, 4, 4);
        byte[] grid = {1, 0, 0, 0};
        float[] shift0 = {0.75f, 1f, 0.75f, 0.25f};
        float[] shift1 = {1f, 0.75f, 0.25f, 0f};
        float[] m = g.render(grid, 0, 0, 1, null, 0);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(shift0[i] * shift1[j], m[i * 4 + j], 0f, "(" + i + ", " + j + ")");
            }
        }
        float[] m2 = g.render(grid, 0, 1, 0, null, 0);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(shift1[i] * shift0[j], m2[i * 4 + j], 0f, "(" + i + ", " + j + ")");
            }
        }
    }

    /** A grid of all ones gives a mask of all ones, for every shift; all zeros gives zeros. */
    @Test
    void constantGridsGiveConstantMasks() {
        MaskGeometry g = new MaskGeometry(7, 30, 41);
        byte[] ones = new byte[49];
        java.util.Arrays.fill(ones, (byte) 1);
        for (int dx = 0; dx < 7; dx++) {
            for (int dy = 0; dy < 7; dy++) {
                for (float v : g.render(ones, 0, dx, dy, null, 0)) {
                    assertEquals(1f, v, 0f);
                }
                for (float v : g.render(new byte[49], 0, dx, dy, null, 0)) {
                    assertEquals(0f, v, 0f);
                }
            }
        }
    }

    /**
     * Against a literal implementation of the spec — upsample the whole grid, reflect-pad the whole map, crop —
     * for every shift, on square, non-square and non-multiple sizes: bit for bit.
     */
    @Test
    void equalsUpsamplePadCropLiterally() {
        int[][] cases = {{7, 224, 224}, {7, 37, 53}, {4, 10, 13}, {7, 5, 9}, {3, 100, 30}, {1, 6, 6}, {5, 17, 17}, {8, 64, 31}};
        Random rnd = new Random(11);
        for (int[] c : cases) {
            int cells = c[0];
            int h = c[1];
            int w = c[2];
            MaskGeometry g = new MaskGeometry(cells, h, w);
            byte[] grid = new byte[cells * cells];
            for (int k = 0; k < grid.length; k++) {
                grid[k] = (byte) (rnd.nextBoolean() ? 1 : 0);
            }
            float[] up = literalUpsample(grid, cells, h, w);
            int r = cells / 2;
            for (int dx = 0; dx < cells; dx++) {
                for (int dy = 0; dy < cells; dy++) {
                    float[] m = g.render(grid, 0, dx, dy, null, 0);
                    for (int i = 0; i < h; i++) {
                        for (int j = 0; j < w; j++) {
                            float expected = up[reflect(i + dx - r, h) * w + reflect(j + dy - r, w)];
                            assertEquals(expected, m[i * w + j], 0f, "cells " + cells + ", " + h + "x" + w + ", shift ("
                                    + dx + ", " + dy + ") at (" + i + ", " + j + ")");
                        }
                    }
                }
            }
        }
    }

    private static int reflect(int u, int n) {
        int[] padded = new int[n + 2 * n];
        // Build the reflect-padded index line literally: [n-1 .. 1] ++ [0 .. n-1] ++ [n-2 .. 0].
        int k = 0;
        for (int v = n - 1; v >= 1; v--) {
            padded[k++] = v;
        }
        for (int v = 0; v < n; v++) {
            padded[k++] = v;
        }
        for (int v = n - 2; v >= 0; v--) {
            padded[k++] = v;
        }
        return padded[u + (n - 1)];
    }

    /** PyTorch's bilinear upsampling, align_corners=False, written out from its definition. */
    private static float[] literalUpsample(byte[] grid, int cells, int h, int w) {
        float[] out = new float[h * w];
        for (int i = 0; i < h; i++) {
            float sy = Math.max((float) ((double) ((float) cells / h) * (i + 0.5) - 0.5), 0f);
            int y0 = (int) Math.floor(sy);
            int y1 = Math.min(y0 + 1, cells - 1);
            float ly = sy - y0;
            for (int j = 0; j < w; j++) {
                float sx = Math.max((float) ((double) ((float) cells / w) * (j + 0.5) - 0.5), 0f);
                int x0 = (int) Math.floor(sx);
                int x1 = Math.min(x0 + 1, cells - 1);
                float lx = sx - x0;
                float top = (1 - lx) * grid[y0 * cells + x0] + lx * grid[y0 * cells + x1];
                float bottom = (1 - lx) * grid[y1 * cells + x0] + lx * grid[y1 * cells + x1];
                out[i * w + j] = (1 - ly) * top + ly * bottom;
            }
        }
        return out;
    }

    @Test
    void valuesStayInUnitInterval() {
        MaskGeometry g = new MaskGeometry(7, 50, 70);
        RandomMasks masks = new RandomMasks(3, 7, 0.5f);
        for (int n = 0; n < 50; n++) {
            for (float v : g.render(masks, n)) {
                assertTrue(v >= 0f && v <= 1f, "mask value " + v);
            }
        }
    }

    @Test
    void rendersIntoOffsetsAndMatchesAllocatingRender() {
        MaskGeometry g = new MaskGeometry(7, 20, 30);
        byte[] grid = new byte[49 + 5];
        for (int k = 5; k < grid.length; k++) {
            grid[k] = (byte) (k % 3 == 0 ? 1 : 0);
        }
        float[] out = new float[600 + 7];
        g.render(grid, 5, 3, 4, out, 7);
        float[] plain = g.render(java.util.Arrays.copyOfRange(grid, 5, grid.length), 0, 3, 4, null, 0);
        assertArrayEquals(plain, java.util.Arrays.copyOfRange(out, 7, out.length));
    }

    @Test
    void rejectsBadGeometryAndShifts() {
        assertThrows(IllegalArgumentException.class, () -> new MaskGeometry(0, 10, 10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MaskGeometry(7, 3, 10));
        assertTrue(e.getMessage().contains("reflect padding"), e.getMessage());
        MaskGeometry g = new MaskGeometry(7, 10, 10);
        assertThrows(IllegalArgumentException.class, () -> g.render(new byte[49], 0, 7, 0, null, 0));
        assertThrows(IllegalArgumentException.class, () -> g.render(new byte[49], 0, 0, -1, null, 0));
    }
}
