package org.relax4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.relax4j.mask.RecordedMasks;

/**
 * Replays the PyTorch reference's golden run (3000 masks at 224², recorded grids, shifts and similarities) and
 * demands its maps bit for bit: the mask formula and the estimator's float32 evaluation order are exactly the
 * reference's. Runs on the cpu engine; other engines' modules extend it and name theirs ({@link #engine()}).
 */
public class GoldenReplayTest {
    private static final RecordedMasks MASKS = new RecordedMasks(7, TestData.resource("grids.u8"), TestData.ints("shifts.i32"));
    private static final float[] SIMS = TestData.floats("sims_all.f32");

    /** {@return the engine that replays} */
    protected String engine() {
        return "cpu";
    }

    private Explanation replay(int masks, int threads, int batchSize) {
        RelaxConfig config = RelaxConfig.builder().engine(engine()).maskSource(MASKS).masks(masks).threads(threads)
                .batchSize(batchSize).build();
        float[] sims = new float[masks];
        System.arraycopy(SIMS, 0, sims, 0, masks);
        try (Relax relax = new Relax(config)) {
            return relax.replay(224, 224, sims);
        }
    }

    @Test
    public void reproducesTheReferenceMapsBitForBit() {
        Explanation e = replay(3000, 2, 100);
        assertBitIdentical(TestData.floats("importance.f32"), e.importance().values(), "importance");
        assertBitIdentical(TestData.floats("uncertainty.f32"), e.uncertainty().values(), "uncertainty");
        assertBitIdentical(TestData.floats("u_relax.f32"), e.uRelax().values(), "U-RELAX");
        assertEquals(3000, e.masksUsed());
    }

    @Test
    public void reproducesTheReferenceAfter1000MasksWithOtherBatchingAndThreads() {
        Explanation e = replay(1000, 1, 37);
        assertBitIdentical(TestData.floats("importance_after1000.f32"), e.importance().values(), "importance after 1000");
        assertBitIdentical(TestData.floats("uncertainty_after1000.f32"), e.uncertainty().values(), "uncertainty after 1000");
    }

    static void assertBitIdentical(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        int differing = 0;
        int first = -1;
        for (int k = 0; k < expected.length; k++) {
            if (Float.floatToRawIntBits(expected[k]) != Float.floatToRawIntBits(actual[k])) {
                if (first < 0) {
                    first = k;
                }
                differing++;
            }
        }
        assertEquals(0, differing, what + ": " + differing + " pixels differ from the reference, first at " + first
                + (first >= 0 ? " (reference " + expected[first] + ", got " + actual[first] + ")" : ""));
    }
}
