package org.relax4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.relax4j.mask.MaskDesign;
import org.relax4j.mask.RandomMasks;

/** {@link RelaxConfig.Builder#targetError}: runs stop when the error bound reaches the target, and are honest. */
class AdaptiveStoppingTest {
    private static final int SIZE = 32;
    private static final int CELLS = 4;

    private static RelaxConfig.Builder config(MaskDesign design, long seed) {
        return RelaxConfig.builder().cells(CELLS).design(design).seed(seed).similarity(LinearProbe.product())
                .threads(1);
    }

    @Test
    void stopsAtTheTargetWithTheTrueErrorBelowIt() {
        LinearProbe probe = new LinearProbe(SIZE, SIZE, 3);
        double[] exact = probe.exactImportance(CELLS, 0.5);
        double target = 0.1;
        int runs = 30;
        int met = 0;
        long passes = 0;
        for (int seed = 0; seed < runs; seed++) {
            // Batches of one block: every block end is a batch end, where a run can stop.
            RelaxConfig c = config(MaskDesign.RANDOM, seed).masks(20_000).batchSize(16).targetError(target).build();
            List<Progress> progress = new ArrayList<>();
            try (Relax r = new Relax(c)) {
                Explanation e = r.explain(probe.input(), probe.encoder(), progress::add, null);
                assertTrue(e.masksUsed() < 20_000, "stopped at " + e.masksUsed());
                assertTrue(lookPoints(16).contains(e.masksUsed()), "stops at a look: " + e.masksUsed());
                assertTrue(e.error().boundAt(c.stopConfidence()) <= target, e.error().toString());
                Progress lastProgress = progress.get(progress.size() - 1);
                assertEquals(e.masksUsed(), lastProgress.masksDone());
                assertEquals(e.masksUsed(), lastProgress.masksTotal(), "the last report says the run is complete");
                assertEquals(e.error().bound(), lastProgress.estimatedError(), 0.0,
                        "progress shows the reported bound");
                double t = LinearProbe.relativeError(e.importance().values(), exact);
                met += t <= target ? 1 : 0;
                passes += e.masksUsed();
            }
        }
        // Measured: 28 of 30 runs met the target, about 2400 masks each (30 of 30 and about 3000 masks at
        // stopConfidence 0.9).
        assertTrue(met >= 0.85 * runs, met + " of " + runs + " runs met the target");
        assertTrue(passes / runs < 4000, "mean masks " + passes / runs);
    }

    /**
     * Where a run with blocks of {@code block} masks may stop: block ends from two blocks on, each at least
     * 25 % past the previous look.
     */
    private static List<Long> lookPoints(int block) {
        List<Long> points = new ArrayList<>();
        long look = 2L * block;
        while (look < 1_000_000) {
            points.add(look);
            look = (long) Math.ceil(look * 1.25 / block) * block;
        }
        return points;
    }

    @Test
    void looksAreSpacedAndAHigherStopConfidenceStopsLater() {
        assertEquals(List.of(32L, 48L, 64L, 80L, 112L, 144L, 192L, 240L, 304L, 384L), lookPoints(16).subList(0, 10));
        LinearProbe probe = new LinearProbe(SIZE, SIZE, 3);
        long at80 = 0;
        long at95 = 0;
        for (int seed = 0; seed < 8; seed++) {
            RelaxConfig c = config(MaskDesign.RANDOM, seed).masks(20_000).batchSize(16).targetError(0.1).build();
            Explanation low;
            Explanation high;
            try (Relax r = new Relax(c)) {
                low = r.explain(probe.input(), probe.encoder());
            }
            try (Relax r = new Relax(c.toBuilder().stopConfidence(0.95).build())) {
                high = r.explain(probe.input(), probe.encoder());
            }
            assertTrue(lookPoints(16).contains(low.masksUsed()), "stopped off a look: " + low.masksUsed());
            assertTrue(lookPoints(16).contains(high.masksUsed()), "stopped off a look: " + high.masksUsed());
            assertTrue(high.masksUsed() >= low.masksUsed(), high.masksUsed() + " < " + low.masksUsed());
            assertTrue(high.error().boundAt(0.95) <= 0.1, high.error().toString());
            // The reported bound stays at the configured confidence whatever the stop's.
            assertEquals(RelaxConfig.DEFAULT_CONFIDENCE, low.error().confidence(), 0.0);
            at80 += low.masksUsed();
            at95 += high.masksUsed();
        }
        assertTrue(at95 > at80, "0.95: " + at95 + " masks, 0.8: " + at80);
    }

    @Test
    void balancedDesignNeedsFewerMasksForTheSameTarget() {
        LinearProbe probe = new LinearProbe(SIZE, SIZE, 3);
        long random = 0;
        long balanced = 0;
        for (int seed = 0; seed < 5; seed++) {
            try (Relax r = new Relax(config(MaskDesign.RANDOM, seed).masks(20_000).targetError(0.08).build())) {
                random += r.explain(probe.input(), probe.encoder()).masksUsed();
            }
            try (Relax r = new Relax(config(MaskDesign.BALANCED, seed).masks(20_000).targetError(0.08).build())) {
                Explanation e = r.explain(probe.input(), probe.encoder());
                assertEquals(0, e.masksUsed() % 64, "balanced runs stop at a block's end");
                balanced += e.masksUsed();
            }
        }
        assertTrue(balanced * 3 < random, "balanced " + balanced + " vs random " + random + " masks");
    }

    @Test
    void theCapWinsWhenTheTargetIsOutOfReach() {
        LinearProbe probe = new LinearProbe(SIZE, SIZE, 3);
        try (Relax r = new Relax(config(MaskDesign.RANDOM, 1).masks(300).batchSize(50).targetError(1e-4).build())) {
            Explanation e = r.explain(probe.input(), probe.encoder());
            assertEquals(300, e.masksUsed());
            assertTrue(e.error().bound() > 1e-4);
        }
    }

    @Test
    void adaptiveRunsAreDeterministicAndMatchAFixedRunOfTheSameLength() {
        LinearProbe probe = new LinearProbe(SIZE, SIZE, 3);
        RelaxConfig c = config(MaskDesign.BALANCED, 4).masks(20_000).batchSize(100).targetError(0.05).build();
        Explanation a;
        Explanation b;
        try (Relax r = new Relax(c)) {
            a = r.explain(probe.input(), probe.encoder());
        }
        try (Relax r = new Relax(c.toBuilder().threads(2).build())) {
            b = r.explain(probe.input(), probe.encoder());
        }
        assertEquals(a.masksUsed(), b.masksUsed());
        assertArrayEquals(a.importance().values(), b.importance().values());
        // The same masks without a target give the same maps: stopping changes how many, not which.
        try (Relax r = new Relax(c.toBuilder().targetError(Double.NaN).masks(a.masksUsed()).build())) {
            Explanation fixed = r.explain(probe.input(), probe.encoder());
            assertArrayEquals(a.importance().values(), fixed.importance().values());
            assertArrayEquals(a.uncertainty().values(), fixed.uncertainty().values());
            assertEquals(a.error().relativeError(), fixed.error().relativeError(), 0.0);
        }
    }

    @Test
    void balancedRunsUseWholeBlocks() {
        RelaxConfig c = RelaxConfig.builder().design(MaskDesign.BALANCED).masks(3000).build();
        assertEquals(3000, c.masks());
        assertEquals(3072, c.masksToRun());
        assertEquals(3000, RelaxConfig.builder().masks(3000).build().masksToRun());
        assertEquals(Long.MAX_VALUE, RelaxConfig.builder().design(MaskDesign.BALANCED).masks(Long.MAX_VALUE - 5).build()
                .masksToRun());
        LinearProbe probe = new LinearProbe(SIZE, SIZE, 3);
        try (Relax r = new Relax(config(MaskDesign.BALANCED, 2).masks(100).build())) {
            Explanation e = r.explain(probe.input(), probe.encoder());
            assertEquals(128, e.masksUsed(), "100 masks of 64-mask blocks run as two whole blocks");
        }
    }

    @Test
    void configurationIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> RelaxConfig.builder().targetError(0));
        assertThrows(IllegalArgumentException.class, () -> RelaxConfig.builder().targetError(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> RelaxConfig.builder().confidence(1.0));
        IllegalArgumentException stop = assertThrows(IllegalArgumentException.class,
                () -> RelaxConfig.builder().stopConfidence(0.4));
        assertTrue(stop.getMessage().contains("stopConfidence"), stop.getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RelaxConfig.builder()
                .maskSource(new RandomMasks(1, 7, 0.5f)).design(MaskDesign.BALANCED).build());
        assertTrue(e.getMessage().contains("maskSource"), e.getMessage());
        RelaxConfig d = RelaxConfig.defaults();
        assertEquals(MaskDesign.RANDOM, d.design());
        assertTrue(Double.isNaN(d.targetError()));
        assertEquals(new RandomMasks(0, 7, 0.5f), d.maskSource());
    }
}
