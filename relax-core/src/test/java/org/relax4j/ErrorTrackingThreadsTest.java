package org.relax4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.relax4j.data.Embeddings;
import org.relax4j.data.InputTensor;
import org.relax4j.engine.CpuEngine;
import org.relax4j.estimate.BlockErrorEstimator;
import org.relax4j.estimate.ErrorEstimate;
import org.relax4j.estimate.ImportanceEstimator;
import org.relax4j.mask.DomainGeometry;
import org.relax4j.mask.MaskDesign;
import org.relax4j.mask.MaskDomain;
import org.relax4j.mask.MaskGeometry;
import org.relax4j.mask.MaskSource;

/**
 * The error estimate is split over threads by map rows and renders an image's masks row by row: it must be the
 * same, bit for bit, for every thread count and as adding whole masks one at a time.
 */
class ErrorTrackingThreadsTest {

    private static void assertSame(ErrorEstimate a, ErrorEstimate b) {
        assertEquals(a.blocks(), b.blocks());
        assertEquals(Double.doubleToLongBits(a.relativeError()), Double.doubleToLongBits(b.relativeError()));
        assertEquals(Double.doubleToLongBits(a.bound()), Double.doubleToLongBits(b.bound()));
        assertEquals(Double.doubleToLongBits(a.noise()), Double.doubleToLongBits(b.noise()));
        assertEquals(Double.doubleToLongBits(a.effectiveDegreesOfFreedom()),
                Double.doubleToLongBits(b.effectiveDegreesOfFreedom()));
        assertArrayEquals(a.standardError().values(), b.standardError().values(), 0f);
    }

    private static Explanation explain(RelaxConfig.Builder config, InputTensor x, Encoder f, int threads) {
        try (CpuEngine engine = new CpuEngine(1); Relax relax = new Relax(config.threads(threads).build(), engine)) {
            return relax.explain(x, f);
        }
    }

    @Test
    void imageEstimateIsIdenticalForOneAndThreeThreads() {
        LinearProbe probe = new LinearProbe(40, 36, 5);
        for (MaskDesign design : MaskDesign.values()) {
            for (ImportanceEstimator estimator : ImportanceEstimator.values()) {
                // Batches of 50 against blocks of 16 (random) or 128 (balanced): blocks close mid-batch.
                RelaxConfig.Builder c = RelaxConfig.builder().cells(4).masks(700).batchSize(50).seed(11)
                        .design(design).estimator(estimator).similarity(LinearProbe.product());
                Explanation one = explain(c, probe.input(), probe.encoder(), 1);
                Explanation three = explain(c, probe.input(), probe.encoder(), 3);
                assertTrue(one.error().isKnown(), design + " " + estimator);
                assertSame(one.error(), three.error());
                assertArrayEquals(one.importance().values(), three.importance().values(), 0f);
            }
        }
    }

    @Test
    void adaptiveRunsStopAtTheSameMaskForOneAndThreeThreads() {
        LinearProbe probe = new LinearProbe(32, 32, 3);
        RelaxConfig.Builder c = RelaxConfig.builder().cells(4).masks(20_000).seed(2).targetError(0.1)
                .similarity(LinearProbe.product());
        Explanation one = explain(c, probe.input(), probe.encoder(), 1);
        Explanation three = explain(c, probe.input(), probe.encoder(), 3);
        assertEquals(one.masksUsed(), three.masksUsed());
        assertSame(one.error(), three.error());
    }

    @Test
    void volumeEstimateIsIdenticalForOneAndThreeThreads() {
        InputTensor x = InputTensor.filled(1, new int[] {6, 16, 16}, 1f);
        Encoder f = batch -> {
            float[] out = new float[batch.size() * 2];
            for (int b = 0; b < batch.size(); b++) {
                double s = 0;
                for (int p = 0; p < 2 * 16 * 16; p++) {
                    s += batch.data()[batch.offsetOf(b) + p];
                }
                out[2 * b] = (float) s;
                out[2 * b + 1] = 1f;
            }
            return new Embeddings(batch.size(), 2, out);
        };
        RelaxConfig.Builder c = RelaxConfig.builder().masks(300).batchSize(40).cells(3).seed(4);
        Explanation one = explain(c, x, f, 1);
        assertTrue(one.error().isKnown());
        assertSame(one.error(), explain(c, x, f, 3).error());
    }

    /** The batch path (rows, parts) against one whole mask at a time, for several part counts. */
    @Test
    void batchAddEqualsOneMaskAtATime() {
        int h = 37;
        int w = 29;
        MaskSource masks = RelaxConfig.builder().cells(5).masks(500).seed(8).build().maskSource(new int[] {h, w});
        DomainGeometry geometry = new DomainGeometry(MaskDomain.of(new int[] {h, w}, masks));
        float[][] rendered = new float[500][];
        float[] sims = new float[500];
        for (int n = 0; n < 500; n++) {
            rendered[n] = geometry.render(masks, n);
            sims[n] = (float) Math.sin(n * 0.37) + rendered[n][n % (h * w)];
        }
        BlockErrorEstimator reference = new BlockErrorEstimator(h, w, 16, 5, 0.9);
        for (int n = 0; n < 500; n++) {
            reference.add(n, rendered[n], 0, sims[n]);
        }
        reference.finish();
        for (int threads : new int[] {1, 2, 3, 7, 64}) {
            BlockErrorEstimator batched = new BlockErrorEstimator(h, w, 16, 5, 0.9);
            // Uneven batches, some smaller than a block, some spanning several.
            int[] sizes = {7, 30, 1, 100, 45, 16, 200, 101};
            int first = 0;
            for (int size : sizes) {
                int f0 = first;
                float[] s = java.util.Arrays.copyOfRange(sims, f0, f0 + size);
                batched.add(f0, size, s, (b, i, out) -> System.arraycopy(rendered[f0 + b], i * w, out, 0, w),
                        BlockErrorEstimator.Parts.SEQUENTIAL, threads);
                first += size;
            }
            assertEquals(500, first);
            batched.finish();
            assertEquals(reference.blocks(), batched.blocks());
            assertSame(reference.estimate(), batched.estimate());
        }
        // The blended form: rows rendered inside the estimator from each mask's width-blended grid rows.
        MaskGeometry image = new MaskGeometry(5, h, w);
        int[] rowIndex = image.rowIndices();
        float[] rowWeight = image.rowWeights();
        int length = image.blendLength();
        for (int threads : new int[] {1, 3}) {
            BlockErrorEstimator batched = new BlockErrorEstimator(h, w, 16, 5, 0.9);
            for (int first = 0; first < 500; first += 100) {
                float[][] blends = new float[100 * 5][w];
                float[] flat = new float[length];
                int[] dx = new int[100];
                byte[] grid = new byte[masks.gridLength()];
                int[] shift = new int[2];
                for (int b = 0; b < 100; b++) {
                    masks.draw(first + b, grid, 0, shift, 0);
                    image.blendColumns(grid, 0, shift[1], flat, 0);
                    for (int a = 0; a < 5; a++) {
                        System.arraycopy(flat, a * w, blends[b * 5 + a], 0, w);
                    }
                    dx[b] = shift[0];
                }
                batched.add(first, 100, java.util.Arrays.copyOfRange(sims, first, first + 100), (b, i, r, wt) -> {
                    int k = 2 * (dx[b] * h + i);
                    r[0] = blends[b * 5 + rowIndex[k]];
                    r[1] = blends[b * 5 + rowIndex[k + 1]];
                    wt[0] = rowWeight[k];
                    wt[1] = rowWeight[k + 1];
                }, BlockErrorEstimator.Parts.SEQUENTIAL, threads);
            }
            batched.finish();
            assertSame(reference.estimate(), batched.estimate());
        }
    }
}
