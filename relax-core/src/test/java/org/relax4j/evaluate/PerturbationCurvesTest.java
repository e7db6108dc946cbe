package org.relax4j.evaluate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.relax4j.Encoder;
import org.relax4j.Similarity;
import org.relax4j.data.Embeddings;
import org.relax4j.data.InputTensor;

/**
 * Curves against values worked out by hand: an 8×8 input of ones whose encoder sees only the top-left 4×4 block R (its
 * representation is R's 16 pixel values), a substrate of zeros, one pixel per step. Removing k of R's pixels leaves a
 * cosine of √((16 − k)/16); pixels outside R change nothing.
 */
class PerturbationCurvesTest {
    private static final int SIDE = 8;
    private static final int STEPS = SIDE * SIDE;

    /** Representation = the 16 values of the top-left 4×4 block. */
    private static final Encoder BLOCK = batch -> {
        float[] out = new float[batch.size() * 16];
        for (int b = 0; b < batch.size(); b++) {
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    out[b * 16 + i * 4 + j] = batch.data()[batch.offset() + b * STEPS + i * SIDE + j];
                }
            }
        }
        return new Embeddings(batch.size(), 16, out);
    };
    private static final Substrate ZEROS = Substrate.fixed("zeros",
            in -> InputTensor.filled(in.channels(), in.height(), in.width(), 0f));

    private static float[] blockMap() {
        float[] map = new float[STEPS];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                map[i * SIDE + j] = 1f;
            }
        }
        return map;
    }

    /** AUC of y_k = f(k) over k = 0..64 by trapezoids, computed here independently of the class. */
    private static double auc(java.util.function.IntToDoubleFunction y) {
        double a = 0;
        for (int k = 0; k < STEPS; k++) {
            a += (y.applyAsDouble(k) + y.applyAsDouble(k + 1)) / 2;
        }
        return a / STEPS;
    }

    private static double remaining(int removedFromBlock) {
        return removedFromBlock >= 16 ? 0 : Math.sqrt((16.0 - removedFromBlock) / 16.0);
    }

    @Test
    void deletionFollowsTheWorkedOutCurveAndBeatsRandomAndItsReverse() {
        InputTensor x = InputTensor.filled(1, SIDE, SIDE, 1f);
        PerturbationCurves pc = new PerturbationCurves(BLOCK, Similarity.cosine(), ZEROS, STEPS, 10);
        float[] h0 = pc.representation(x);
        PerturbationCurves.Report r = pc.evaluate(x, h0, blockMap(), PerturbationCurves.Mode.DELETION, 8, 1L);
        float[] y = r.map().similarities();
        assertEquals(STEPS + 1, y.length);
        for (int k = 0; k <= STEPS; k++) {
            assertEquals(remaining(k), y[k], 1e-6, "y_" + k);
        }
        double mapAuc = auc(k -> remaining(k));
        double reverseAuc = auc(k -> k <= 48 ? 1 : remaining(k - 48));
        assertEquals(mapAuc, r.map().auc(), 1e-6);
        assertEquals(reverseAuc, r.reversed().auc(), 1e-6);
        assertEquals(reverseAuc - mapAuc, r.symmetricGain(), 1e-6);
        assertTrue(r.gainOverRandom() > 0.1 && r.gainOverRandom() < r.symmetricGain(),
                "random orders reach R's pixels later than the map, sooner than its reverse: " + r.gainOverRandom());
        assertEquals(8, r.randomAucs().length);
        assertTrue(r.randomSd() > 0, "the band has a width");
        // The same seed gives the same band.
        assertArrayEquals(r.randomAucs(),
                pc.evaluate(x, h0, blockMap(), PerturbationCurves.Mode.DELETION, 8, 1L).randomAucs());
    }

    @Test
    void insertionRevealsTheBlockFirst() {
        InputTensor x = InputTensor.filled(1, SIDE, SIDE, 1f);
        PerturbationCurves pc = new PerturbationCurves(BLOCK, Similarity.cosine(), ZEROS, STEPS, 64);
        PerturbationCurves.Report r = pc.evaluate(x, pc.representation(x), blockMap(),
                PerturbationCurves.Mode.INSERTION, 4, 7L);
        double mapAuc = auc(k -> Math.sqrt(Math.min(k, 16) / 16.0));
        assertEquals(mapAuc, r.map().auc(), 1e-6);
        assertTrue(r.symmetricGain() > 0.5, "revealing R first wins by far: " + r.symmetricGain());
        // Here the reverse order is the worst of all orders and the map's the best, so random lies between.
        assertTrue(r.gainOverRandom() > 0.1 && r.gainOverRandom() < r.symmetricGain(),
                r.gainOverRandom() + " vs " + r.symmetricGain());
    }

    @Test
    void substratesAreWhatTheySay() {
        float[] v = new float[2 * 4 * 4];
        for (int k = 0; k < 16; k++) {
            v[k] = k;          // channel 0: 0..15, mean 7.5
            v[16 + k] = 2f;    // channel 1: constant
        }
        InputTensor x = InputTensor.of(2, 4, 4, v);
        float[] mean = Substrate.meanColour().apply(x, null).unsafeData();
        assertEquals(7.5f, mean[0]);
        assertEquals(7.5f, mean[15]);
        assertEquals(2f, mean[16]);
        // A blur keeps a constant channel and, away from the edges, an impulse's total.
        float[] blurred = Substrate.gaussianBlur(11, 5).apply(x, null).unsafeData();
        for (int k = 16; k < 32; k++) {
            assertEquals(2f, blurred[k], 1e-6);
        }
        float[] impulse = new float[31 * 31];
        impulse[15 * 31 + 15] = 1f;
        float[] b = Substrate.gaussianBlur(11, 5).apply(InputTensor.of(1, 31, 31, impulse), null).unsafeData();
        double total = 0;
        for (float f : b) {
            total += f;
        }
        assertEquals(1.0, total, 1e-5);
        assertTrue(b[15 * 31 + 15] > b[15 * 31 + 20] && b[15 * 31 + 20] > 0, "peaked at the impulse");
        assertEquals(0f, b[15 * 31 + 21], "nothing beyond the kernel's reach of 5");
    }

    @Test
    void badArgumentsAreNamed() {
        assertThrows(IllegalArgumentException.class, () -> Substrate.gaussianBlur(10, 5));
        IllegalArgumentException steps = assertThrows(IllegalArgumentException.class,
                () -> new PerturbationCurves(BLOCK, Similarity.cosine(), ZEROS, 0, 1));
        assertTrue(steps.getMessage().contains("steps must be at least 1"));
        PerturbationCurves pc = new PerturbationCurves(BLOCK, Similarity.cosine(), ZEROS, 4, 1);
        InputTensor x = InputTensor.filled(1, SIDE, SIDE, 1f);
        IllegalArgumentException order = assertThrows(IllegalArgumentException.class,
                () -> pc.curve(x, pc.representation(x), new int[3], PerturbationCurves.Mode.DELETION));
        assertTrue(order.getMessage().contains("the order has 3 pixels, the input 64"));
    }
}
