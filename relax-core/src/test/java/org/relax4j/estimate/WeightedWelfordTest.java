package org.relax4j.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.relax4j.internal.URelax;

class WeightedWelfordTest {
    private static final float W0 = 1e-10f;

    private static float[][] randomMasks(int n, int pixels, long seed) {
        Random rnd = new Random(seed);
        float[][] m = new float[n][pixels];
        for (float[] row : m) {
            for (int p = 0; p < pixels; p++) {
                // Real masks: many exact 0s and 1s, smooth values between.
                float v = rnd.nextFloat();
                row[p] = v < 0.2f ? 0f : v > 0.8f ? 1f : v;
            }
        }
        return m;
    }

    private static float[] randomSims(int n, long seed) {
        Random rnd = new Random(seed);
        float[] s = new float[n];
        for (int k = 0; k < n; k++) {
            s[k] = 0.2f + 0.8f * rnd.nextFloat();
        }
        return s;
    }

    /** Direct two-pass computation in double: R = Σ m s / W, U = Σ m (s - R)² (plus the initial weight's share). */
    @Test
    void matchesTwoPassDoublePrecision() {
        int pixels = 300;
        int n = 2000;
        float[][] masks = randomMasks(n, pixels, 1);
        float[] sims = randomSims(n, 2);
        WeightedWelford e = new WeightedWelford(pixels, W0);
        for (int k = 0; k < n; k++) {
            e.update(masks[k], 0, sims[k]);
        }
        float[] r = e.importance();
        float[] u = e.uncertainty();
        float[] w = e.weights();
        float[] var = e.variance();
        for (int p = 0; p < pixels; p++) {
            double sw = W0;
            double sms = 0;
            for (int k = 0; k < n; k++) {
                sw += masks[k][p];
                sms += masks[k][p] * (double) sims[k];
            }
            double mean = sms / sw;
            // The initial weight acts as a sample of value 0: its deviation counts too.
            double ss = W0 * mean * mean;
            for (int k = 0; k < n; k++) {
                double d = sims[k] - mean;
                ss += masks[k][p] * d * d;
            }
            assertEquals(sw, w[p], 1e-5 * sw, "W at " + p);
            assertEquals(mean, r[p], 1e-5 * Math.abs(mean), "R at " + p);
            assertEquals(ss, u[p], 1e-4 * ss, "U at " + p);
            assertEquals(ss / sw, var[p], 1e-4 * ss / sw, "variance at " + p);
        }
    }

    @Test
    void mergeEqualsTheSequentialRun() {
        int pixels = 200;
        float[][] masks = randomMasks(600, pixels, 3);
        float[] sims = randomSims(600, 4);
        WeightedWelford all = new WeightedWelford(pixels, W0);
        WeightedWelford a = new WeightedWelford(pixels, W0);
        WeightedWelford b = new WeightedWelford(pixels, W0);
        for (int k = 0; k < 600; k++) {
            all.update(masks[k], 0, sims[k]);
            (k < 250 ? a : b).update(masks[k], 0, sims[k]);
        }
        a.merge(b);
        float[] re = all.importance();
        float[] ue = all.uncertainty();
        float[] ra = a.importance();
        float[] ua = a.uncertainty();
        for (int p = 0; p < pixels; p++) {
            assertEquals(re[p], ra[p], 1e-5 * Math.abs(re[p]), "R at " + p);
            assertEquals(ue[p], ua[p], 1e-4 * Math.abs(ue[p]), "U at " + p);
        }
    }

    @Test
    void zeroMaskLeavesStateUnchanged() {
        WeightedWelford e = new WeightedWelford(5, W0);
        e.update(new float[] {1, 1, 1, 1, 1}, 0, 0.7f);
        float[] r = e.importance();
        float[] u = e.uncertainty();
        e.update(new float[5], 0, 0.1f);
        org.junit.jupiter.api.Assertions.assertArrayEquals(r, e.importance());
        org.junit.jupiter.api.Assertions.assertArrayEquals(u, e.uncertainty());
    }

    @Test
    void uRelaxUsesTheLowerMedian() {
        // Even count: sorted U = [1, 2, 3, 4]; the lower median is 2, so pixels with U ≤ 2 keep R.
        float[] r = {10, 20, 30, 40};
        float[] u = {4, 1, 3, 2};
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {0, 20, 0, 40}, URelax.compute(r, u));
        assertEquals(2f, URelax.lowerMedian(u));
        // Odd count: the middle value.
        assertEquals(3f, URelax.lowerMedian(new float[] {5, 3, 1}));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {0, 2, 3}, URelax.compute(new float[] {1, 2, 3},
                new float[] {5, 3, 1}));
        // Ties at the median are kept.
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {1, 2, 0}, URelax.compute(new float[] {1, 2, 3},
                new float[] {1, 1, 2}));
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new WeightedWelford(0, W0));
        assertThrows(IllegalArgumentException.class, () -> new WeightedWelford(3, 0f));
        assertThrows(IllegalArgumentException.class, () -> new WeightedWelford(3, Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> new WeightedWelford(3, W0).update(new float[2], 0, 0.5f));
        assertThrows(IllegalArgumentException.class, () -> new WeightedWelford(3, W0).merge(new WeightedWelford(4, W0)));
        assertThrows(IllegalArgumentException.class, () -> URelax.lowerMedian(new float[0]));
        assertThrows(IllegalArgumentException.class, () -> WeightedWelford.of(new float[2], new float[2], new float[3]));
    }
}
