package org.relax4j.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Masks of every rank: rank 2 bit for bit against {@link MaskGeometry} (the reference's formula), ranks 1 and 3
 * against a naive evaluation of the separable definition (spec, "One mask, exactly", per axis: linear weights with
 * half-pixel centres, reflect padding, crop), and discrete masks against their grids.
 */
class DomainGeometryTest {

    /** Weight of cell c for output index i of one axis (n positions, C cells, shift s), in double, from the spec. */
    private static double axisWeight(int cellsOnAxis, int n, int s, int i, int c) {
        int pad = cellsOnAxis / 2;
        int u = i + s - pad;
        if (u < 0) {
            u = -u;
        }
        if (u > n - 1) {
            u = 2 * (n - 1) - u;
        }
        double src = Math.max((u + 0.5) * cellsOnAxis / n - 0.5, 0);
        int i0 = (int) Math.floor(src);
        double frac = src - i0;
        if (i0 >= cellsOnAxis - 1) {
            return c == cellsOnAxis - 1 ? 1 : 0;
        }
        return c == i0 ? 1 - frac : c == i0 + 1 ? frac : 0;
    }

    /** The mask as a sum over grid cells of the product of per-axis weights (no tables, no staging). */
    private static double[] naive(int[] shape, int[] cells, byte[] grid, int[] shift) {
        int rank = shape.length;
        int positions = 1;
        for (int n : shape) {
            positions *= n;
        }
        int gridLength = grid.length;
        double[] out = new double[positions];
        int[] idx = new int[rank];
        int[] cell = new int[rank];
        for (int p = 0; p < positions; p++) {
            int rest = p;
            for (int a = rank - 1; a >= 0; a--) {
                idx[a] = rest % shape[a];
                rest /= shape[a];
            }
            double v = 0;
            for (int g = 0; g < gridLength; g++) {
                int r = g;
                for (int a = rank - 1; a >= 0; a--) {
                    cell[a] = r % cells[a];
                    r /= cells[a];
                }
                double w = grid[g];
                for (int a = 0; a < rank && w != 0; a++) {
                    w *= axisWeight(cells[a], shape[a], shift[a], idx[a], cell[a]);
                }
                v += w;
            }
            out[p] = v;
        }
        return out;
    }

    @Test
    void rankTwoIsTheReferenceMaskBitForBit() {
        Random rnd = new Random(1);
        int[][] sizes = {{224, 224}, {30, 41}, {17, 9}, {5, 5}};
        int[] cellCounts = {7, 5, 2, 1};
        for (int[] size : sizes) {
            for (int c : cellCounts) {
                if (size[0] <= c / 2 || size[1] <= c / 2) {
                    continue;
                }
                MaskGeometry reference = new MaskGeometry(c, size[0], size[1]);
                DomainGeometry generic = new DomainGeometry(MaskDomain.smooth(size, new int[] {c, c}));
                float[] a = new float[generic.scratchLength()];
                float[] b = new float[generic.scratchLength()];
                for (int t = 0; t < 10; t++) {
                    byte[] grid = new byte[c * c];
                    for (int k = 0; k < grid.length; k++) {
                        grid[k] = (byte) rnd.nextInt(2);
                    }
                    int dx = rnd.nextInt(c);
                    int dy = rnd.nextInt(c);
                    float[] expected = reference.render(grid, 0, dx, dy, null, 0);
                    float[] actual = new float[size[0] * size[1]];
                    generic.render(grid, 0, new int[] {dx, dy}, 0, actual, 0, a, b);
                    assertArrayEquals(expected, actual, 0f, size[0] + "x" + size[1] + ", cells " + c);
                }
            }
        }
    }

    /** One renderer per domain: the image fast path where it applies, and the same masks as the generic one. */
    @Test
    void eachDomainHasOneRendererAndTheFastPathAgreesWithTheGenericOne() {
        MaskSource source = new RandomMasks(4, 7, 0.5f);
        MaskDomain image = MaskDomain.of(new int[] {30, 23}, source);
        MaskRenderer fast = image.renderer();
        assertTrue(fast instanceof MaskGeometry, fast.getClass().getName());
        assertEquals(image, fast.domain());
        for (long n = 0; n < 5; n++) {
            assertArrayEquals(new DomainGeometry(image).render(source, n), fast.render(source, n));
        }
        assertTrue(MaskDomain.smooth(new int[] {30, 23}, new int[] {7, 5}).renderer() instanceof DomainGeometry);
        assertTrue(MaskDomain.smooth(new int[] {30}, new int[] {7}).renderer() instanceof DomainGeometry);
        assertTrue(MaskDomain.discrete(new int[] {6, 6}).renderer() instanceof DomainGeometry);
    }

    @Test
    void rankOneAndThreeMatchTheSeparableDefinition() {
        Random rnd = new Random(2);
        int[][][] cases = {
            {{50}, {7}}, {{13}, {5}}, {{4}, {7}},            // a sequence; and one shorter than the grid
            {{6, 20, 24}, {3, 7, 7}}, {{9, 11, 5}, {4, 4, 4}}, {{2, 8, 8}, {2, 3, 5}}};
        for (int[][] c : cases) {
            int[] shape = c[0];
            int[] cells = c[1];
            DomainGeometry g = new DomainGeometry(MaskDomain.smooth(shape, cells));
            int gridLength = 1;
            for (int k : cells) {
                gridLength *= k;
            }
            float[] a = new float[g.scratchLength()];
            float[] b = new float[g.scratchLength()];
            for (int t = 0; t < 5; t++) {
                byte[] grid = new byte[gridLength];
                for (int k = 0; k < gridLength; k++) {
                    grid[k] = (byte) rnd.nextInt(2);
                }
                int[] shift = new int[shape.length];
                for (int ax = 0; ax < shape.length; ax++) {
                    shift[ax] = rnd.nextInt(cells[ax]);
                }
                double[] expected = naive(shape, cells, grid, shift);
                float[] actual = new float[expected.length];
                g.render(grid, 0, shift, 0, actual, 0, a, b);
                for (int p = 0; p < expected.length; p++) {
                    assertEquals(expected[p], actual[p], 1e-6, MaskDomain.describe(shape) + " position " + p);
                    assertTrue(actual[p] >= 0f && actual[p] <= 1f);
                }
            }
        }
    }

    @Test
    void discreteMasksAreTheirGrids() {
        DomainGeometry g = new DomainGeometry(MaskDomain.discrete(new int[] {6}));
        byte[] grid = {1, 0, 0, 1, 1, 0};
        float[] out = new float[6];
        g.render(grid, 0, new int[] {0}, 0, out, 0, new float[0], new float[0]);
        assertArrayEquals(new float[] {1, 0, 0, 1, 1, 0}, out, 0f);
        RandomMasks words = new RandomMasks(3, new int[] {6}, true, 0.5f);
        float[] m = g.render(words, 4);
        for (float v : m) {
            assertTrue(v == 0f || v == 1f);
        }
    }

    @Test
    void domainsNameWhatDoesNotFit() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MaskDomain.smooth(new int[] {3}, new int[] {7}));
        assertTrue(e.getMessage().contains("too small for 7 cells"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MaskDomain.of(new int[] {20}, new RandomMasks(0, 7, 0.5f)));
        assertTrue(e.getMessage().contains("rank 2") && e.getMessage().contains("rank 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MaskDomain.of(new int[] {9}, new RandomMasks(0, new int[] {8}, true, 0.5f)));
        assertTrue(e.getMessage().contains("discrete masks of 8 positions"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MaskDomain.discrete(new int[] {2, 2, 2, 2}));
        assertTrue(e.getMessage().contains("rank 1 to 3"), e.getMessage());
    }

    /** Random masks of any rank: the image case draws exactly as before; the others draw grid cells, then shifts. */
    @Test
    void randomMasksOfEveryRank() {
        RandomMasks image = new RandomMasks(42, 7, 0.5f);
        RandomMasks same = new RandomMasks(42, new int[] {7, 7}, false, 0.5f);
        assertEquals(image, same);
        byte[] g1 = new byte[49];
        byte[] g2 = new byte[49];
        int[] s1 = new int[2];
        int[] s2 = new int[2];
        for (long n = 0; n < 50; n++) {
            image.draw(n, g1, 0, s1, 0);
            same.draw(n, g2, 0, s2, 0);
            assertArrayEquals(g1, g2);
            assertArrayEquals(s1, s2);
        }
        RandomMasks volume = new RandomMasks(42, new int[] {2, 3, 4}, false, 0.3f);
        assertEquals(24, volume.gridLength());
        byte[] grid = new byte[24];
        int[] shift = new int[3];
        int kept = 0;
        int[] shiftSeen = new int[3];
        for (long n = 0; n < 4000; n++) {
            volume.draw(n, grid, 0, shift, 0);
            for (byte v : grid) {
                kept += v;
            }
            for (int a = 0; a < 3; a++) {
                assertTrue(shift[a] >= 0 && shift[a] < new int[] {2, 3, 4}[a]);
                shiftSeen[a] = Math.max(shiftSeen[a], shift[a]);
            }
        }
        assertEquals(0.3, kept / (4000.0 * 24), 0.01);
        assertArrayEquals(new int[] {1, 2, 3}, shiftSeen);
        RandomMasks words = new RandomMasks(42, new int[] {9}, true, 0.5f);
        int[] none = {5};
        words.draw(3, new byte[9], 0, none, 0);
        assertEquals(0, none[0], "discrete masks have no shift");
        assertTrue(words.counterDraws().isEmpty() && volume.counterDraws().isEmpty());
        assertTrue(image.counterDraws().isPresent());
    }

    /** Balanced blocks over words and volumes: every cell kept exactly B times per block, every shift tuple used. */
    @Test
    void balancedMasksOfEveryRank() {
        BalancedMasks words = new BalancedMasks(5, new int[] {11}, true, 0.5f);
        assertEquals(32, words.blockSize(), "B = 16 for 11 cells, a block of 2B");
        int block = words.blockSize();
        int[] keptPerCell = new int[11];
        byte[] grid = new byte[11];
        int[] shift = new int[1];
        for (int n = block; n < 2 * block; n++) {
            words.draw(n, grid, 0, shift, 0);
            assertEquals(0, shift[0]);
            for (int c = 0; c < 11; c++) {
                keptPerCell[c] += grid[c];
            }
        }
        for (int k : keptPerCell) {
            assertEquals(block / 2, k);
        }
        BalancedMasks volume = new BalancedMasks(5, new int[] {2, 2, 3}, false, 0.5f);
        int b = volume.blockSize();
        java.util.Set<String> tuples = new java.util.HashSet<>();
        byte[] g = new byte[12];
        int[] s = new int[3];
        for (int n = 0; n < b; n++) {
            volume.draw(n, g, 0, s, 0);
            tuples.add(java.util.Arrays.toString(s));
        }
        assertEquals(12, tuples.size(), "every (s0, s1, s2) shift tuple appears in one block");
    }
}
