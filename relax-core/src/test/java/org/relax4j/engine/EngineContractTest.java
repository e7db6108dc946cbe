package org.relax4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.relax4j.Fixtures;
import org.relax4j.data.InputBatch;
import org.relax4j.data.InputTensor;
import org.relax4j.estimate.WeightedWelford;
import org.relax4j.mask.BalancedMasks;
import org.relax4j.mask.DomainGeometry;
import org.relax4j.mask.MaskDomain;
import org.relax4j.mask.MaskGeometry;
import org.relax4j.mask.MaskSource;
import org.relax4j.mask.RandomMasks;

/**
 * The contract every {@link Engine} must meet, checked against direct use of {@link MaskGeometry} and
 * {@link WeightedWelford} (the CPU engine's building blocks). Engine modules extend this class and supply
 * {@link #createEngine()}; tolerances are the ones the issues state: masked inputs within
 * {@link #maskedTolerance()} absolute, maps within {@link #mapTolerance()} relative.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class EngineContractTest {
    protected Engine engine;

    /** Creates the engine under test (called once per test class). */
    protected abstract Engine createEngine();

    /** Largest absolute difference allowed between this engine's masked inputs and the formula's. */
    protected double maskedTolerance() {
        return EngineComparison.MASKED_TOLERANCE;
    }

    /** Largest relative difference allowed between this engine's maps and the CPU reference's. */
    protected double mapTolerance() {
        return EngineComparison.MAP_TOLERANCE;
    }

    @BeforeAll
    void openEngine() {
        engine = createEngine();
    }

    @AfterAll
    void closeEngine() {
        if (engine != null) {
            engine.close();
        }
    }

    /** A random input with values in [-2, 2) ({@link Fixtures#randomInput}). */
    protected static InputTensor randomInput(int c, int h, int w, long seed) {
        return Fixtures.randomInput(c, h, w, seed);
    }

    /** Similarities that look like real ones: in [0.3, 1) ({@link Fixtures#randomSimilarities}). */
    protected static float[] randomSimilarities(int n, long seed) {
        return Fixtures.randomSimilarities(n, seed);
    }

    /** The masked batch for masks [first, first+count), straight from the spec's formula. */
    protected static float[] expectedMasked(InputTensor x, MaskSource masks, long first, int count) {
        MaskGeometry g = new MaskGeometry(masks.cells(), x.height(), x.width());
        int pixels = x.pixels();
        float[] out = new float[count * x.channels() * pixels];
        float[] xd = x.toArray();
        for (int b = 0; b < count; b++) {
            float[] m = g.render(masks, first + b);
            for (int c = 0; c < x.channels(); c++) {
                for (int p = 0; p < pixels; p++) {
                    out[(b * x.channels() + c) * pixels + p] = xd[c * pixels + p] * m[p];
                }
            }
        }
        return out;
    }

    /** The estimator after masks [0, sims.length), straight from the spec's update. */
    protected static WeightedWelford expectedState(MaskSource masks, int h, int w, float[] sims, float w0) {
        MaskGeometry g = new MaskGeometry(masks.cells(), h, w);
        WeightedWelford e = new WeightedWelford(h * w, w0);
        for (int n = 0; n < sims.length; n++) {
            e.update(g.render(masks, n), 0, sims[n]);
        }
        return e;
    }

    protected static void assertClose(float[] expected, float[] actual, double absTol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double worst = EngineComparison.maxAbsDifference(expected, actual);
        assertTrue(worst <= absTol, what + ": max abs difference " + worst + " exceeds " + absTol);
    }

    protected static void assertRelClose(float[] expected, float[] actual, double relTol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double worst = EngineComparison.maxRelativeDifference(expected, actual);
        assertTrue(worst <= relTol, what + ": max relative difference " + worst + " exceeds " + relTol);
    }

    @Test
    void maskedBatchesFollowTheFormula() {
        int[][] shapes = {{3, 224, 224, 7, 5}, {1, 37, 53, 7, 9}, {4, 30, 20, 5, 3}, {2, 64, 48, 4, 17}};
        for (int[] s : shapes) {
            InputTensor x = randomInput(s[0], s[1], s[2], s[1] * 31L + s[2]);
            MaskSource masks = new RandomMasks(s[1] + 1000L * s[3], s[3], 0.5f);
            try (EngineRun run = engine.open(x, masks, s[4], 1e-10f)) {
                for (long first = 0; first < 2L * s[4]; first += s[4]) {
                    InputBatch b = run.masked(first, s[4]);
                    assertEquals(s[4], b.size());
                    assertEquals(s[0], b.channels());
                    assertEquals(s[1], b.height());
                    assertEquals(s[2], b.width());
                    float[] got = new float[s[4] * x.channels() * x.pixels()];
                    System.arraycopy(b.data(), b.offset(), got, 0, got.length);
                    assertClose(expectedMasked(x, masks, first, s[4]), got, maskedTolerance(),
                            engine.name() + " masked " + java.util.Arrays.toString(s) + " from " + first);
                }
            }
        }
    }

    @Test
    void partialLastBatchAndPrefetch() {
        InputTensor x = randomInput(3, 40, 50, 5);
        MaskSource masks = new RandomMasks(9, 7, 0.5f);
        try (EngineRun run = engine.open(x, masks, 8, 1e-10f)) {
            run.prefetch(0, 8);
            run.masked(0, 8);
            run.prefetch(8, 3);
            InputBatch b = run.masked(8, 3);
            assertEquals(3, b.size());
            float[] got = new float[3 * x.channels() * x.pixels()];
            System.arraycopy(b.data(), b.offset(), got, 0, got.length);
            assertClose(expectedMasked(x, masks, 8, 3), got, maskedTolerance(), engine.name() + " partial batch");
        }
    }

    /**
     * Every domain beyond images (sequences, volumes, discrete masks): an engine either follows the same per-axis
     * formula ({@link DomainGeometry}) for masking and accumulation, or refuses at {@code open} with a message that
     * says which ranks it supports. Never a silently wrong map.
     */
    @Test
    void everyDomainIsFollowedExactlyOrRefusedByName() {
        Object[][] cases = {
            {new int[] {90}, new RandomMasks(5, new int[] {7}, false, 0.5f)},
            {new int[] {5, 12, 10}, new RandomMasks(6, new int[] {3, 4, 4}, false, 0.5f)},
            {new int[] {13}, new RandomMasks(7, new int[] {13}, true, 0.5f)},
            {new int[] {24, 20}, new org.relax4j.mask.BalancedMasks(8, new int[] {24, 20}, true, 0.5f)}};
        for (Object[] c : cases) {
            int[] shape = (int[]) c[0];
            MaskSource masks = (MaskSource) c[1];
            int positions = java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            float[] data = Fixtures.randomInput(2, 1, positions, shape.length * 11L).toArray();
            InputTensor x = InputTensor.of(2, shape, data);
            String what = engine.name() + " on " + MaskDomain.of(shape, masks);
            EngineRun run;
            try {
                run = engine.open(x, masks, 16, 1e-10f);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage().contains("rank"), what + ": a refusal must say which ranks: " + e.getMessage());
                continue;
            }
            try (run) {
                DomainGeometry g = new DomainGeometry(MaskDomain.of(shape, masks));
                float[] sims = randomSimilarities(32, 5);
                WeightedWelford expected = new WeightedWelford(positions, 1e-10f);
                for (int first = 0; first < 32; first += 16) {
                    InputBatch b = run.masked(first, 16);
                    assertArrayEquals(shape, b.spatialShape(), what);
                    float[] want = new float[16 * 2 * positions];
                    for (int k = 0; k < 16; k++) {
                        float[] m = g.render(masks, first + k);
                        expected.update(m, 0, sims[first + k]);
                        for (int ch = 0; ch < 2; ch++) {
                            for (int p = 0; p < positions; p++) {
                                want[(k * 2 + ch) * positions + p] = data[ch * positions + p] * m[p];
                            }
                        }
                    }
                    float[] got = new float[want.length];
                    System.arraycopy(b.data(), b.offset(), got, 0, got.length);
                    assertClose(want, got, maskedTolerance(), what + " masked from " + first);
                    run.accumulate(first, 16, java.util.Arrays.copyOfRange(sims, first, first + 16));
                }
                WeightedWelford state = run.state();
                assertRelClose(expected.importance(), state.importance(), mapTolerance(), what + " importance");
                assertRelClose(expected.uncertainty(), state.uncertainty(), mapTolerance(), what + " uncertainty");
            }
        }
    }

    @Test
    void accumulatedStateMatchesTheSequentialEstimator() {
        int h = 45;
        int w = 38;
        MaskSource masks = new RandomMasks(77, 7, 0.5f);
        float[] sims = randomSimilarities(250, 3);
        InputTensor x = randomInput(3, h, w, 1);
        WeightedWelford expected = expectedState(masks, h, w, sims, 1e-10f);
        try (EngineRun run = engine.open(x, masks, 64, 1e-10f)) {
            float[] batch = new float[64];
            for (int first = 0; first < sims.length; first += 64) {
                int count = Math.min(64, sims.length - first);
                run.masked(first, count);
                System.arraycopy(sims, first, batch, 0, count);
                run.accumulate(first, count, batch);
            }
            WeightedWelford got = run.state();
            assertRelClose(expected.importance(), got.importance(), mapTolerance(), engine.name() + " importance");
            assertRelClose(expected.uncertainty(), got.uncertainty(), mapTolerance(), engine.name() + " uncertainty");
            assertRelClose(expected.weights(), got.weights(), mapTolerance(), engine.name() + " weights");
        }
    }

    @Test
    void accumulateWithoutMaskedReplaysMasks() {
        MaskSource masks = new RandomMasks(5, 5, 0.3f);
        float[] sims = randomSimilarities(30, 8);
        WeightedWelford expected = expectedState(masks, 21, 17, sims, 1e-10f);
        try (EngineRun run = engine.open(InputTensor.filled(1, 21, 17, 0f), masks, 30, 1e-10f)) {
            run.accumulate(0, 30, sims);
            assertRelClose(expected.importance(), run.state().importance(), mapTolerance(), engine.name() + " replay");
        }
    }

    @Test
    void sameMasksWhateverTheBatchSize() {
        InputTensor x = randomInput(2, 33, 29, 4);
        MaskSource masks = new RandomMasks(123, 7, 0.5f);
        float[] sims = randomSimilarities(60, 6);
        float[][] results = new float[2][];
        int[] batchSizes = {7, 60};
        for (int k = 0; k < 2; k++) {
            int bs = batchSizes[k];
            try (EngineRun run = engine.open(x, masks, bs, 1e-10f)) {
                float[] batch = new float[bs];
                for (int first = 0; first < 60; first += bs) {
                    int count = Math.min(bs, 60 - first);
                    run.masked(first, count);
                    System.arraycopy(sims, first, batch, 0, count);
                    run.accumulate(first, count, batch);
                }
                results[k] = run.state().importance();
            }
        }
        assertArrayEquals(results[0], results[1], engine.name() + ": batch size changed the maps");
    }

    /** Every mask design is drawn the same way on every engine: the balanced design's masks and maps follow the formula. */
    @Test
    void balancedDesignFollowsTheFormula() {
        InputTensor x = randomInput(3, 40, 36, 12);
        MaskSource masks = new BalancedMasks(21, 7, 0.5f);
        float[] sims = randomSimilarities(150, 13);
        WeightedWelford expected = expectedState(masks, 40, 36, sims, 1e-10f);
        try (EngineRun run = engine.open(x, masks, 50, 1e-10f)) {
            float[] batch = new float[50];
            for (int first = 0; first < 150; first += 50) {
                InputBatch b = run.masked(first, 50);
                float[] got = new float[50 * x.channels() * x.pixels()];
                System.arraycopy(b.data(), b.offset(), got, 0, got.length);
                assertClose(expectedMasked(x, masks, first, 50), got, maskedTolerance(),
                        engine.name() + " balanced masked from " + first);
                System.arraycopy(sims, first, batch, 0, 50);
                run.accumulate(first, 50, batch);
            }
            assertRelClose(expected.importance(), run.state().importance(), mapTolerance(),
                    engine.name() + " balanced importance");
        }
    }

    @Test
    void rejectsBadBatches() {
        InputTensor x = randomInput(1, 20, 20, 2);
        try (EngineRun run = engine.open(x, new RandomMasks(1, 7, 0.5f), 4, 1e-10f)) {
            assertThrows(IllegalArgumentException.class, () -> run.masked(0, 5));
            assertThrows(IllegalArgumentException.class, () -> run.masked(0, 0));
            assertThrows(IllegalArgumentException.class, () -> run.masked(-1, 2));
        }
    }

    @Test
    void aClosedRunRefusesWorkAndTheNextRunStartsFresh() {
        InputTensor x = randomInput(1, 20, 20, 2);
        MaskSource masks = new RandomMasks(4, 7, 0.5f);
        float[] sims = randomSimilarities(4, 1);
        EngineRun first = engine.open(x, masks, 4, 1e-10f);
        first.masked(0, 4);
        first.accumulate(0, 4, sims);
        first.close();
        first.close();
        assertThrows(IllegalStateException.class, () -> first.masked(0, 4));
        try (EngineRun second = engine.open(x, masks, 4, 1e-10f)) {
            second.masked(0, 4);
            second.accumulate(0, 4, sims);
            assertRelClose(expectedState(masks, 20, 20, sims, 1e-10f).importance(), second.state().importance(),
                    mapTolerance(), engine.name() + " second run");
        }
    }

    @Test
    void rejectsInputsTooSmallForTheCells() {
        assertThrows(IllegalArgumentException.class,
                () -> engine.open(InputTensor.filled(1, 3, 40, 1f), new RandomMasks(1, 7, 0.5f), 4, 1e-10f));
    }
}
