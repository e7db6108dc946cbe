package org.relax4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relax4j.Baseline;
import org.relax4j.Explanation;
import org.relax4j.data.InputTensor;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.engine.EngineComparison;
import org.relax4j.image.Images;
import org.relax4j.image.Normalization;
import org.relax4j.mask.MaskDesign;

/** One explanation split over tasks against the same explanation in one JVM. */
class SplitExplainerTest {
    /** The tolerance for split-mask mode (the merge runs in double, the single-JVM update in float32). */
    static final double SPLIT_TOLERANCE = 1e-6;
    static final SparkTests.ProjectionModel MODEL = new SparkTests.ProjectionModel(16, 23);

    @TempDir
    static Path dir;
    static InputTensor x;

    @BeforeAll
    static void input() throws IOException {
        SparkTests.spark();
        InputTensor rgb = Images.resize(Images.read(SparkTests.png(dir, "big.png", 48, 9)), 48, 48);
        x = Normalization.imagenet().normalize(rgb);
    }

    static Explanation single(RelaxConfig config) {
        try (Relax relax = new Relax(config)) {
            return relax.explain(x, MODEL.open(1));
        }
    }

    /**
     * Importance within 1e-6 relative pixel by pixel; every map within 1e-6 in relative L2 (the project's error
     * measure), and pixel by pixel within the engine contract's {@link EngineComparison#MAP_TOLERANCE}: the
     * single-JVM float32 update itself is about 1e-6 relative from the exact sums, so U's worst pixel can differ
     * from a merge by slightly more than 1e-6 (measured: 1.0e-6 to 1.2e-6), while the L2 difference is ~3e-7.
     */
    static void assertClose(Explanation e, SplitExplainer.Result s) {
        assertTrue(EngineComparison.maxRelativeDifference(e.importance().values(), s.importance().values())
                <= SPLIT_TOLERANCE, "importance");
        for (String map : List.of("importance", "uncertainty", "variance")) {
            float[] a = map.equals("importance") ? e.importance().values()
                    : map.equals("uncertainty") ? e.uncertainty().values() : e.variance().values();
            float[] b = map.equals("importance") ? s.importance().values()
                    : map.equals("uncertainty") ? s.uncertainty().values() : s.variance().values();
            assertTrue(relativeL2(a, b) <= SPLIT_TOLERANCE, map + ": relative L2 " + relativeL2(a, b));
            assertTrue(EngineComparison.maxRelativeDifference(a, b) <= EngineComparison.MAP_TOLERANCE, map);
        }
        assertEquals(e.masksUsed(), s.masksUsed());
        // The similarities are the same numbers, fed in the same order: the error estimate is the single-JVM one.
        assertEquals(e.error().relativeError(), s.error().relativeError());
        assertArrayEquals(e.error().standardError().values(), s.error().standardError().values());
    }

    /** ||a - b|| / ||a||, in double. */
    static double relativeL2(float[] a, float[] b) {
        double d = 0;
        double n = 0;
        for (int k = 0; k < a.length; k++) {
            double diff = (double) a[k] - b[k];
            d += diff * diff;
            n += (double) a[k] * a[k];
        }
        return Math.sqrt(d / n);
    }

    @Test
    void matchesTheSingleJvmRunWithinTheTolerance() {
        RelaxConfig config = RelaxConfig.builder().masks(200).batchSize(25).seed(4).threads(1).build();
        SplitExplainer.Result s = SplitExplainer.explain(SparkTests.spark(), x, MODEL, config, 4, 1);
        assertEquals(4, s.tasks());
        assertClose(single(config), s);
    }

    @Test
    void balancedDesignAndUnevenRangesToo() {
        RelaxConfig config = RelaxConfig.builder().masks(150).batchSize(20).seed(8).design(MaskDesign.BALANCED)
                .threads(1).build();
        SplitExplainer.Result s = SplitExplainer.explain(SparkTests.spark(), x, MODEL, config, 3, 2);
        assertClose(single(config), s);
    }

    @Test
    void partitionsInAnyOrderGiveTheSameResult() {
        RelaxConfig config = RelaxConfig.builder().masks(160).batchSize(16).seed(2).threads(1).build();
        List<long[]> ranges = SplitExplainer.ranges(config.masks(), config.batchSize(), 5);
        SplitExplainer.Result inOrder = SplitExplainer.explain(SparkTests.spark(), x, MODEL, config, ranges, 1);
        List<long[]> shuffled = new ArrayList<>(ranges);
        Collections.reverse(shuffled);
        Collections.swap(shuffled, 0, 2);
        SplitExplainer.Result reordered = SplitExplainer.explain(SparkTests.spark(), x, MODEL, config, shuffled, 1);
        assertArrayEquals(inOrder.importance().values(), reordered.importance().values());
        assertArrayEquals(inOrder.uncertainty().values(), reordered.uncertainty().values());
        assertArrayEquals(inOrder.uRelax().values(), reordered.uRelax().values());
    }

    /** The executors' ranges run the single run's batch step: a baseline is applied there too. */
    @Test
    void blurredAndConstantBaselinesGiveTheSingleJvmMaps() {
        RelaxConfig plain = RelaxConfig.builder().masks(120).batchSize(20).seed(6).threads(1).build();
        SplitExplainer.Result zero = SplitExplainer.explain(SparkTests.spark(), x, MODEL, plain, 3, 1);
        for (Baseline b : List.of(Baseline.blurred(3), Baseline.constant(0.75f))) {
            RelaxConfig config = plain.toBuilder().baseline(b).build();
            SplitExplainer.Result s = SplitExplainer.explain(SparkTests.spark(), x, MODEL, config, 3, 1);
            Explanation e = single(config);
            // The same similarities, fed in the same order: the same masked inputs reached the encoder.
            assertEquals(e.error().relativeError(), s.error().relativeError());
            assertArrayEquals(e.error().standardError().values(), s.error().standardError().values());
            assertTrue(EngineComparison.maxRelativeDifference(e.importance().values(), s.importance().values())
                    <= SPLIT_TOLERANCE, "importance");
            // Against a baseline this model's similarities lie close together, so the single run's float32 update
            // of U loses digits that the merge in double keeps (measured: relative L2 1.9e-4).
            assertTrue(relativeL2(e.uncertainty().values(), s.uncertainty().values()) <= 1e-3, "uncertainty");
            assertTrue(EngineComparison.maxRelativeDifference(zero.importance().values(), s.importance().values())
                    > 1e-3, b + " changes the maps");
        }
    }

    @Test
    void rangesCoverTheMasksInWholeBatches() {
        List<long[]> r = SplitExplainer.ranges(105, 10, 4);
        assertEquals(4, r.size());
        long next = 0;
        for (long[] range : r) {
            assertEquals(next, range[0]);
            assertEquals(0, range[0] % 10);
            next += range[1];
        }
        assertEquals(105, next);
        assertEquals(2, SplitExplainer.ranges(15, 10, 8).size(), "no more ranges than batches");
    }

    @Test
    void refusesATargetError() {
        RelaxConfig adaptive = RelaxConfig.builder().masks(100).targetError(0.1).build();
        assertThrows(IllegalArgumentException.class,
                () -> SplitExplainer.explain(SparkTests.spark(), x, MODEL, adaptive, 2, 1));
    }
}
