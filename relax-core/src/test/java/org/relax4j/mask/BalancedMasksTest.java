package org.relax4j.mask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BalancedMasksTest {

    private static byte[] grids(MaskSource m, long first, int n) {
        int per = m.cells() * m.cells();
        byte[] g = new byte[n * per];
        int[] s = new int[2 * n];
        for (int k = 0; k < n; k++) {
            m.draw(first + k, g, k * per, s, 2 * k);
        }
        return g;
    }

    private static int[] shifts(MaskSource m, long first, int n) {
        int per = m.cells() * m.cells();
        byte[] g = new byte[per];
        int[] s = new int[2 * n];
        for (int k = 0; k < n; k++) {
            m.draw(first + k, g, 0, s, 2 * k);
        }
        return s;
    }

    @Test
    void blockOrderIsTheNextPowerOfTwoAboveCellsSquared() {
        assertEquals(2, BalancedMasks.orderFor(1));
        assertEquals(8, BalancedMasks.orderFor(2));
        assertEquals(64, BalancedMasks.orderFor(7));
        assertEquals(128, BalancedMasks.orderFor(8));
        assertEquals(128, BalancedMasks.orderFor(11));
        assertEquals(128, new BalancedMasks(0, 7, 0.5f).blockSize());
        assertEquals(1, new RandomMasks(0, 7, 0.5f).blockSize());
    }

    /**
     * At p = ½ each block is an orthogonal array of strength 3: every cell kept in half the masks, every pair of
     * cells agreeing in half, every product of three cells' ±1 levels summing to zero; mask 2i + 1 is the
     * complement of mask 2i, with the same shift.
     */
    @ParameterizedTest
    @CsvSource({"7, 0", "7, 5", "3, 1", "5, 2", "8, 3"})
    void halfProbabilityBlocksArePairwiseBalanced(int cells, long block) {
        BalancedMasks m = new BalancedMasks(11, cells, 0.5f);
        int order = m.blockSize();
        int per = cells * cells;
        byte[] g = grids(m, block * order, order);
        int[] s = shifts(m, block * order, order);
        for (int i = 0; i < order; i += 2) {
            for (int c = 0; c < per; c++) {
                assertEquals(1 - g[i * per + c], g[(i + 1) * per + c], "fold-over of mask " + i);
            }
            assertEquals(s[2 * i], s[2 * i + 2]);
            assertEquals(s[2 * i + 1], s[2 * i + 3]);
        }
        for (int a = 0; a < Math.min(per, 12); a++) {
            for (int b = a + 1; b < per; b++) {
                for (int c = b + 1; c < per; c++) {
                    int sum = 0;
                    for (int i = 0; i < order; i++) {
                        sum += (2 * g[i * per + a] - 1) * (2 * g[i * per + b] - 1) * (2 * g[i * per + c] - 1);
                    }
                    assertEquals(0, sum, "cells " + a + ", " + b + ", " + c);
                }
            }
        }
        for (int c = 0; c < per; c++) {
            int kept = 0;
            for (int i = 0; i < order; i++) {
                kept += g[i * per + c];
            }
            assertEquals(order / 2, kept, "cell " + c);
            for (int c2 = c + 1; c2 < per; c2++) {
                int agree = 0;
                for (int i = 0; i < order; i++) {
                    agree += g[i * per + c] == g[i * per + c2] ? 1 : 0;
                }
                assertEquals(order / 2, agree, "cells " + c + ", " + c2);
            }
        }
    }

    /**
     * Other probabilities: in every block each cell is kept ⌊pB⌋ or ⌈pB⌉ times among the B rows (Latin hypercube
     * strata) and as often among their fold-overs.
     */
    @ParameterizedTest
    @CsvSource({"0.3", "0.7", "0.1", "0.9", "1.0", "0.0"})
    void otherProbabilitiesAreStratifiedPerCell(float p) {
        BalancedMasks m = new BalancedMasks(5, 7, p);
        int order = m.blockSize();
        for (long block = 0; block < 4; block++) {
            byte[] g = grids(m, block * order, order);
            int rows = order / 2;
            for (int c = 0; c < 49; c++) {
                for (int twin = 0; twin < 2; twin++) {
                    int kept = 0;
                    for (int i = twin; i < order; i += 2) {
                        kept += g[i * 49 + c];
                    }
                    assertTrue(kept == Math.floor(p * rows) || kept == Math.ceil(p * rows),
                            "cell " + c + " kept " + kept + " times in " + rows + " rows at p = " + p);
                }
            }
        }
    }

    /** Every (dx, dy) pair appears at least once per block; the rest are distinct. */
    @Test
    void shiftsCoverEveryPairInEveryBlock() {
        for (int cells : new int[] {3, 7, 8}) {
            BalancedMasks m = new BalancedMasks(2, cells, 0.5f);
            int order = m.blockSize();
            int per = cells * cells;
            for (long block = 0; block < 3; block++) {
                int[] s = shifts(m, block * order, order);
                int[] count = new int[per];
                for (int i = 0; i < order; i++) {
                    assertTrue(s[2 * i] >= 0 && s[2 * i] < cells && s[2 * i + 1] >= 0 && s[2 * i + 1] < cells);
                    count[s[2 * i] * cells + s[2 * i + 1]]++;
                }
                int repeats = order / 2 / per;
                for (int k = 0; k < per; k++) {
                    assertTrue(count[k] == 2 * repeats || count[k] == 2 * repeats + 2, "pair " + k + " appears "
                            + count[k]);
                }
            }
        }
    }

    /**
     * A single mask has the reference's distribution: over many blocks each cell is kept with probability p, two
     * cells of one mask together with p² (independent), and each shift value is uniform.
     */
    @ParameterizedTest
    @CsvSource({"0.5", "0.3"})
    void singleMasksHaveTheReferenceDistribution(float p) {
        BalancedMasks m = new BalancedMasks(77, 7, p);
        int n = 128 * 200;
        byte[] g = grids(m, 0, n);
        int[] s = shifts(m, 0, n);
        double tolerance = 4 * Math.sqrt(p * (1 - p) / n);
        for (int c : new int[] {0, 13, 24, 48}) {
            int kept = 0;
            int both = 0;
            for (int i = 0; i < n; i++) {
                kept += g[i * 49 + c];
                both += g[i * 49 + c] * g[i * 49 + (c + 1) % 49];
            }
            assertEquals(p, kept / (double) n, tolerance, "cell " + c);
            assertEquals(p * p, both / (double) n, 4 * Math.sqrt(p * p / n), "cells " + c + " and " + (c + 1));
        }
        int[] dx = new int[7];
        for (int i = 0; i < n; i++) {
            dx[s[2 * i]]++;
        }
        for (int v : dx) {
            assertEquals(1.0 / 7, v / (double) n, 4 * Math.sqrt(1.0 / 7 / n));
        }
        // Not every mask of a block is the same shape: the rows really are permuted per block.
        assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOfRange(g, 0, 49 * 128),
                java.util.Arrays.copyOfRange(g, 49 * 128, 2 * 49 * 128)));
    }

    @Test
    void maskNDependsOnlyOnSeedAndIndex() {
        BalancedMasks a = new BalancedMasks(99, 7, 0.5f);
        BalancedMasks b = new BalancedMasks(99, 7, 0.5f);
        byte[] forward = grids(a, 0, 640);
        // Draw b's masks backwards and out of block order: the cache must not change what comes out.
        byte[] backward = new byte[forward.length];
        int[] s = new int[2];
        for (int k = 639; k >= 0; k -= 7) {
            b.draw(k, backward, k * 49, s, 0);
        }
        for (int k = 0; k < 640; k++) {
            if ((639 - k) % 7 != 0) {
                b.draw(k, backward, k * 49, s, 0);
            }
        }
        assertArrayEquals(forward, backward);
        assertArrayEquals(shifts(a, 100, 50), shifts(b, 100, 50));
        assertFalse(java.util.Arrays.equals(forward, grids(new BalancedMasks(98, 7, 0.5f), 0, 640)));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
    }

    @Test
    void drawsFromManyThreadsAgree() throws Exception {
        BalancedMasks m = new BalancedMasks(3, 7, 0.4f);
        byte[] expected = grids(new BalancedMasks(3, 7, 0.4f), 0, 128 * 10);
        byte[] got = new byte[expected.length];
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            int start = t;
            threads[t] = new Thread(() -> {
                int[] s = new int[2];
                for (int k = start; k < 128 * 10; k += threads.length) {
                    m.draw(k, got, k * 49, s, 0);
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertArrayEquals(expected, got);
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new BalancedMasks(0, 0, 0.5f));
        assertThrows(IllegalArgumentException.class, () -> new BalancedMasks(0, 7, 1.5f));
        assertThrows(IndexOutOfBoundsException.class,
                () -> new BalancedMasks(0, 7, 0.5f).draw(-1, new byte[49], 0, new int[2], 0));
        assertEquals(MaskDesign.BALANCED, MaskDesign.parse(" Balanced"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaskDesign.parse("sobol"));
        assertTrue(e.getMessage().contains("must be random or balanced, got 'sobol'"), e.getMessage());
    }
}
