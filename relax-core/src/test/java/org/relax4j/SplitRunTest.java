package org.relax4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.relax4j.data.InputTensor;
import org.relax4j.engine.EngineComparison;
import org.relax4j.mask.MaskDesign;

/**
 * One explanation in parts ({@link Relax#explainRange}, {@link Relax#combine}) against the same explanation in one
 * run: the same steps, so every setting that changes the run (a baseline, a target, the design) changes the parts
 * alike.
 */
class SplitRunTest {
    static final InputTensor X = Fixtures.randomInput(3, 24, 20, 11);
    static final Encoder ENCODER = Encoders.regionProjection(3, 4, 14, 3, 12, 6, 2);

    static Explanation split(RelaxConfig config, Target target, long[][] ranges) {
        try (Relax relax = new Relax(config)) {
            Reference ref = relax.reference(X, ENCODER, target);
            List<PartialExplanation> parts = new ArrayList<>();
            for (int k = ranges.length - 1; k >= 0; k--) { // any order
                parts.add(relax.explainRange(X, ENCODER, ref, ranges[k][0], (int) ranges[k][1]));
            }
            return relax.combine(X, target, ref, parts);
        }
    }

    static Explanation whole(RelaxConfig config, Target target) {
        try (Relax relax = new Relax(config)) {
            return relax.explain(X, ENCODER, target, ProgressListener.NONE, null);
        }
    }

    static void assertSame(Explanation e, Explanation s) {
        assertTrue(EngineComparison.maxRelativeDifference(e.importance().values(), s.importance().values()) <= 1e-6);
        assertTrue(EngineComparison.maxRelativeDifference(e.uncertainty().values(), s.uncertainty().values())
                <= EngineComparison.MAP_TOLERANCE);
        assertEquals(e.masksUsed(), s.masksUsed());
        assertEquals(e.error().relativeError(), s.error().relativeError());
        assertEquals(e.targetSimilarity(), s.targetSimilarity());
    }

    @Test
    void everyBaselineAndTargetGivesTheWholeRunsMaps() {
        long[][] ranges = {{0, 40}, {40, 60}, {100, 20}};
        RelaxConfig plain = RelaxConfig.builder().masks(120).batchSize(20).seed(5).threads(1).build();
        for (RelaxConfig c : List.of(plain, plain.toBuilder().baseline(Baseline.blurred(3)).build(),
                plain.toBuilder().baseline(Baseline.constant(1.5f)).build(),
                plain.toBuilder().design(MaskDesign.BALANCED).masks(128).build())) {
            long[][] r = c.masks() == 128 ? new long[][] {{0, 60}, {60, 68}} : ranges;
            assertSame(whole(c, Target.unmasked()), split(c, Target.unmasked(), r));
        }
        Target other = Target.input(Fixtures.randomInput(3, 24, 20, 12));
        assertSame(whole(plain, other), split(plain, other, ranges));
        // A baseline changes the maps: the parts apply it, as the whole run does.
        Explanation zero = split(plain, Target.unmasked(), ranges);
        Explanation blurred = split(plain.toBuilder().baseline(Baseline.blurred(3)).build(), Target.unmasked(), ranges);
        assertTrue(EngineComparison.maxRelativeDifference(zero.importance().values(), blurred.importance().values())
                > 1e-3);
    }

    @Test
    void onePartIsTheWholeRunBitForBit() {
        RelaxConfig c = RelaxConfig.builder().masks(60).batchSize(20).seed(5).threads(1)
                .baseline(Baseline.blurred(2)).build();
        Explanation e = whole(c, Target.unmasked());
        Explanation s = split(c, Target.unmasked(), new long[][] {{0, 60}});
        assertArrayEquals(e.importance().values(), s.importance().values());
        assertArrayEquals(e.uncertainty().values(), s.uncertainty().values());
    }

    @Test
    void partsMustCoverTheMasksOnce() {
        RelaxConfig c = RelaxConfig.builder().masks(60).batchSize(20).seed(5).threads(1).build();
        try (Relax relax = new Relax(c)) {
            Reference ref = relax.reference(X, ENCODER, Target.unmasked());
            PartialExplanation a = relax.explainRange(X, ENCODER, ref, 0, 20);
            PartialExplanation b = relax.explainRange(X, ENCODER, ref, 40, 20);
            assertThrows(IllegalArgumentException.class, () -> relax.combine(X, Target.unmasked(), ref, List.of(a, b)));
        }
        try (Relax relax = new Relax(c.toBuilder().targetError(0.1).build())) {
            Reference ref = relax.reference(X, ENCODER, Target.unmasked());
            assertThrows(IllegalArgumentException.class, () -> relax.explainRange(X, ENCODER, ref, 0, 20));
        }
    }
}
