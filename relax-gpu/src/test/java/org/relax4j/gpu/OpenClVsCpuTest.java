package org.relax4j.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.relax4j.Fixtures;
import org.relax4j.data.InputBatch;
import org.relax4j.data.InputTensor;
import org.relax4j.engine.CpuEngine;
import org.relax4j.engine.Engine;
import org.relax4j.engine.EngineRun;
import org.relax4j.estimate.WeightedWelford;
import org.relax4j.mask.MaskSource;
import org.relax4j.mask.RandomMasks;
import org.relax4j.mask.RecordedMasks;

/**
 * The OpenCL engine against the CPU engine on identical masks: bit-identical masked batches and maps on a device that
 * divides with correct rounding (the kernels' contract), else within the engine contract's tolerances, over shapes that are non-square and not divisible by the cells, batch sizes, channel counts, every
 * host-transfer mode, masks read back instead of recomputed, batches split over several device buffers, host-drawn
 * (recorded) masks, mask indices above 2³², and out-of-order calls. The largest differences seen are printed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenClVsCpuTest {
    private CpuEngine cpu;
    private OpenClEngine opencl;
    private double worstMasked;
    private double worstMap;

    @BeforeAll
    void open() {
        if (OpenClTestSupport.available()) {
            opencl = new OpenClEngine();
        }
        cpu = new CpuEngine(2);
    }

    @BeforeEach
    void requireOpenCl() {
        OpenClTestSupport.requireOpenCl();
    }

    @AfterAll
    void close() {
        if (opencl != null) {
            opencl.close();
            System.out.printf(Locale.ROOT, "OpenClVsCpuTest on %s: max |masked diff| = %s, max relative map diff = %s%n",
                    opencl.device(), worstMasked, worstMap);
        }
        if (cpu != null) {
            cpu.close();
        }
    }

    private static InputTensor input(int c, int h, int w, long seed) {
        return Fixtures.randomInput(c, h, w, seed);
    }

    private static float[] sims(int n, long seed) {
        return Fixtures.randomSimilarities(n, seed);
    }

    private static float[] copy(InputBatch b) {
        return Arrays.copyOfRange(b.data(), b.offset(), b.offset() + b.size() * b.sampleLength());
    }

    private void assertMasked(float[] expected, float[] actual, String what) {
        double d = OpenClTestSupport.maxAbsDiff(expected, actual);
        worstMasked = Math.max(worstMasked, d);
        assertTrue(d <= OpenClTestSupport.maskedTolerance(), what + ": max |masked difference| " + d);
    }

    private void assertState(WeightedWelford expected, WeightedWelford actual, String what) {
        double d = Math.max(OpenClTestSupport.maxRelDiff(expected.importance(), actual.importance()),
                Math.max(OpenClTestSupport.maxRelDiff(expected.uncertainty(), actual.uncertainty()),
                        OpenClTestSupport.maxRelDiff(expected.weights(), actual.weights())));
        worstMap = Math.max(worstMap, d);
        assertTrue(d <= OpenClTestSupport.mapTolerance(), what + ": max relative map difference " + d);
    }

    /** Records every masked batch and the final state of the explainer's call sequence on one engine. */
    private static List<float[]> pipeline(Engine engine, InputTensor x, MaskSource masks, int batch, int total,
                                          float[] sims, WeightedWelford[] state) {
        List<float[]> out = new ArrayList<>();
        try (EngineRun run = engine.open(x, masks, batch, 1e-10f)) {
            float[] s = new float[batch];
            for (int first = 0; first < total; first += batch) {
                int count = Math.min(batch, total - first);
                out.add(copy(run.masked(first, count)));
                if (first + count < total) {
                    run.prefetch(first + count, Math.min(batch, total - first - count));
                }
                System.arraycopy(sims, first, s, 0, count);
                run.accumulate(first, count, s);
            }
            state[0] = run.state();
        }
        return out;
    }

    private void comparePipelines(Engine engine, InputTensor x, MaskSource masks, int batch, int total, String what) {
        float[] s = sims(total, total * 7L + batch);
        WeightedWelford[] expected = new WeightedWelford[1];
        WeightedWelford[] actual = new WeightedWelford[1];
        List<float[]> want = pipeline(cpu, x, masks, batch, total, s, expected);
        List<float[]> got = pipeline(engine, x, masks, batch, total, s, actual);
        assertEquals(want.size(), got.size());
        for (int k = 0; k < want.size(); k++) {
            assertMasked(want.get(k), got.get(k), what + ", batch " + k);
        }
        assertState(expected[0], actual[0], what);
    }

    @Test
    void maskedBatchesMatchTheCpuEngineOverShapes() {
        // C, H, W, cells, batch size, masks
        int[][] shapes = {
            {1, 13, 29, 7, 4, 9}, {2, 97, 61, 5, 6, 6}, {5, 31, 31, 3, 3, 8}, {4, 50, 77, 8, 10, 7},
            {1, 4, 9, 7, 2, 3}, {3, 224, 224, 7, 16, 20}, {2, 150, 200, 1, 5, 5}, {1, 70, 66, 64, 3, 4},
            {3, 33, 257, 6, 1, 2},
        };
        for (int[] s : shapes) {
            InputTensor x = input(s[0], s[1], s[2], s[1] * 131L + s[2]);
            comparePipelines(opencl, x, new RandomMasks(s[0] * 1000L + s[3], s[3], 0.5f), s[4], s[5],
                    "shape " + Arrays.toString(s));
        }
    }

    @Test
    void everyTransferModeAccumulationModeAndBufferSplitMatches() {
        InputTensor x = input(3, 40, 50, 9);
        long sample = 3L * 40 * 50 * Float.BYTES;
        record Variant(OpenClBackend.Options options, long maxAllocation) {
        }
        Variant[] variants = {
            new Variant(new OpenClBackend.Options(TransferMode.MAPPED, Accumulation.Mode.RECOMPUTE), 0),
            new Variant(new OpenClBackend.Options(TransferMode.ARRAY_READ, Accumulation.Mode.RECOMPUTE), 0),
            new Variant(new OpenClBackend.Options(TransferMode.MAPPED, Accumulation.Mode.READ_BACK), 0),
            new Variant(new OpenClBackend.Options(TransferMode.ARRAY_READ, Accumulation.Mode.READ_BACK), 0),
            // 2.5 inputs per device buffer: a batch of 7 is rendered by 4 launches into 4 buffers.
            new Variant(new OpenClBackend.Options(TransferMode.MAPPED, Accumulation.Mode.RECOMPUTE), sample * 5 / 2),
            new Variant(new OpenClBackend.Options(TransferMode.ARRAY_READ, Accumulation.Mode.READ_BACK), sample * 5 / 2),
        };
        for (Variant v : variants) {
            try (PipelinedEngine e = OpenClTestSupport.engine(v.options(), v.maxAllocation())) {
                comparePipelines(e, x, new RandomMasks(31, 7, 0.5f), 7, 25, v.toString());
            }
        }
    }

    @Test
    void recordedMasksAreDrawnOnTheHostAndMatch() {
        int cells = 5;
        int n = 45;
        RandomMasks random = new RandomMasks(-77, cells, 0.4f);
        byte[] grids = new byte[n * cells * cells];
        int[] shifts = new int[2 * n];
        for (int k = 0; k < n; k++) {
            random.draw(1000 + k, grids, k * cells * cells, shifts, 2 * k);
        }
        RecordedMasks recorded = new RecordedMasks(cells, grids, shifts);
        comparePipelines(opencl, input(2, 37, 41, 3), recorded, 10, n, "recorded masks");
        // Replay without masked(): accumulate only, as Relax.replay does.
        float[] s = sims(n, 4);
        WeightedWelford[] state = new WeightedWelford[2];
        Engine[] engines = {cpu, opencl};
        for (int e = 0; e < 2; e++) {
            try (EngineRun run = engines[e].open(InputTensor.filled(1, 37, 41, 0f), recorded, 10, 1e-10f)) {
                for (int first = 0; first < n; first += 10) {
                    run.accumulate(first, Math.min(10, n - first), Arrays.copyOfRange(s, first, first + 10));
                }
                state[e] = run.state();
            }
        }
        assertState(state[0], state[1], "recorded replay");
    }

    @Test
    void maskIndicesBeyondTwoToThe32() {
        InputTensor x = input(2, 30, 35, 12);
        RandomMasks masks = new RandomMasks(Long.MIN_VALUE, 7, 0.5f);
        long[] firsts = {(1L << 32) - 2, 5_000_000_000L, Long.MAX_VALUE - 4};
        for (long first : firsts) {
            float[][] got = new float[2][];
            Engine[] engines = {cpu, opencl};
            for (int e = 0; e < 2; e++) {
                try (EngineRun run = engines[e].open(x, masks, 4, 1e-10f)) {
                    got[e] = copy(run.masked(first, 4));
                }
            }
            assertMasked(got[0], got[1], "masks from " + first);
        }
    }

    @Test
    void outOfOrderCallsStillUseTheRightMasks() {
        InputTensor x = input(1, 24, 31, 5);
        RandomMasks masks = new RandomMasks(8, 6, 0.5f);
        float[] s = sims(40, 2);
        Engine[] engines = {cpu, opencl};
        List<List<float[]>> views = new ArrayList<>();
        WeightedWelford[] state = new WeightedWelford[2];
        for (int e = 0; e < 2; e++) {
            List<float[]> v = new ArrayList<>();
            try (EngineRun run = engines[e].open(x, masks, 10, 1e-10f)) {
                run.prefetch(10, 10);                       // prefetch before any masked()
                v.add(copy(run.masked(0, 10)));             // not the prefetched range
                v.add(copy(run.masked(10, 10)));            // the prefetched one
                run.accumulate(0, 10, Arrays.copyOfRange(s, 0, 10));
                run.prefetch(30, 10);                       // skip a batch
                run.accumulate(20, 10, Arrays.copyOfRange(s, 20, 30)); // never rendered
                v.add(copy(run.masked(10, 10)));            // the current view again
                run.accumulate(10, 10, Arrays.copyOfRange(s, 10, 20));
                v.add(copy(run.masked(30, 10)));
                v.add(copy(run.masked(20, 10)));
                run.prefetch(20, 10);                       // already the current view: nothing to do
                run.accumulate(30, 10, Arrays.copyOfRange(s, 30, 40));
                state[e] = run.state();
                run.accumulate(0, 5, Arrays.copyOfRange(s, 0, 5)); // after a snapshot, as a different range
                v.add(run.state().importance());
            }
            views.add(v);
        }
        for (int k = 0; k < views.get(0).size(); k++) {
            assertMasked(views.get(0).get(k), views.get(1).get(k), "out-of-order step " + k);
        }
        assertState(state[0], state[1], "out-of-order");
    }
}
