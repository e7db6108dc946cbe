package org.relax4j.evaluate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.Explanation;
import org.relax4j.CancellationToken;
import org.relax4j.Target;
import org.relax4j.data.InputTensor;

/** Each building block against a small case worked out by hand. */
class EvaluationPartsTest {

    @Test
    void spearmanAndSsimAgainstHandValues() {
        // d = (0, 1, 1, 0): 1 − 6·2/(4·15) = 0.8
        assertEquals(0.8, MapAgreement.spearman(new float[] {1, 2, 3, 4}, new float[] {1, 3, 2, 4}), 1e-12);
        assertEquals(-1, MapAgreement.spearman(new float[] {1, 2, 3}, new float[] {3, 2, 1}), 1e-12);
        // Ties share their mean rank: (1, 2.5, 2.5, 4).
        assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, MapAgreement.ranks(new float[] {0, 5, 5, 9}));
        float[] a = ReferenceMaps.random(9, 9, 1);
        float[] scaled = new float[a.length];
        for (int k = 0; k < a.length; k++) {
            scaled[k] = 3 * a[k] + 7;
        }
        assertEquals(1.0, MapAgreement.ssim(a, scaled, 9, 9), 1e-9, "SSIM sees each map in its own range");
        double unrelated = MapAgreement.ssim(a, ReferenceMaps.random(9, 9, 2), 9, 9);
        assertTrue(unrelated < 0.3, "unrelated noise " + unrelated);
        // One 7x7 window, x = 0..48 / 48 and y = 1 − x: means ½, variances equal, covariance −variance.
        float[] x = new float[49];
        float[] y = new float[49];
        for (int k = 0; k < 49; k++) {
            x[k] = k;
            y[k] = 48 - k;
        }
        double v = 0;
        for (int k = 0; k < 49; k++) {
            v += Math.pow(k / 48.0 - 0.5, 2);
        }
        v /= 48;
        double expected = (0.5 + 1e-4) * (-2 * v + 9e-4) / ((0.5 + 1e-4) * (2 * v + 9e-4));
        assertEquals(expected, MapAgreement.ssim(x, y, 7, 7), 1e-12);
    }

    @Test
    void roadImputesALinearRampExactlyAndFillsIsolatedHolesWithZero() {
        int side = 12;
        float[] v = new float[side * side];
        for (int i = 0; i < side; i++) {
            for (int j = 0; j < side; j++) {
                v[i * side + j] = 0.3f * i - 0.2f * j + 1;
            }
        }
        InputTensor x = InputTensor.of(1, side, side, v);
        boolean[] removed = new boolean[side * side];
        for (int i = 3; i < 9; i++) {
            for (int j = 2; j < 8; j++) {
                removed[i * side + j] = true;
            }
        }
        float[] filled = Substrate.noisyLinearImputation(0, 1).apply(x, removed).unsafeData();
        for (int p = 0; p < v.length; p++) {
            assertEquals(v[p], filled[p], 1e-4, "pixel " + p);
        }
        // With noise: same removed set and seed, same values; the noise has about the asked spread.
        Substrate road = Substrate.noisyLinearImputation(0.5, 7);
        float[] a = road.apply(x, removed).unsafeData();
        assertArrayEquals(a, road.apply(x, removed).unsafeData());
        double sq = 0;
        int n = 0;
        for (int p = 0; p < v.length; p++) {
            if (removed[p]) {
                sq += (a[p] - v[p]) * (a[p] - v[p]);
                n++;
            } else {
                assertEquals(v[p], a[p], "kept pixels untouched");
            }
        }
        double sd = Math.sqrt(sq / n);
        assertTrue(sd > 0.35 && sd < 0.65, "noise sd " + sd);
        // What is removed leaves no trace: inputs that differ only under the removed pixels impute the same values.
        float[] other = v.clone();
        for (int p = 0; p < v.length; p++) {
            if (removed[p]) {
                other[p] = 100f * (p % 7) - 300f;
            }
        }
        assertArrayEquals(a, road.apply(InputTensor.of(1, side, side, other), removed).unsafeData(),
                "the imputation reads kept pixels only");
        boolean[] all = new boolean[side * side];
        java.util.Arrays.fill(all, true);
        float[] none = Substrate.noisyLinearImputation(0, 1).apply(x, all).unsafeData();
        for (float f : none) {
            assertEquals(0f, f, "nothing kept: the normalised data's mean");
        }
    }

    @Test
    void regionsPartitionTheImage() {
        Regions p = Regions.patches(10, 7, 4);
        assertEquals(3 * 2, p.count());
        assertEquals(1, p.labels()[2 * 7 + 6], "row 2, column 6: patch (0, 1)");
        assertEquals(4, p.labels()[9 * 7 + 0]);
        // Order by mean: a map that is high in patch 3.
        float[] map = new float[70];
        for (int q = 0; q < 70; q++) {
            map[q] = p.labels()[q] == 3 ? 1f : p.labels()[q] == 0 ? 0.5f : 0f;
        }
        assertArrayEquals(new int[] {3, 0, 1, 2, 4, 5}, p.order(map));
        // Superpixels of a two-colour picture do not straddle the colour edge.
        int h = 30;
        int w = 40;
        float[] rgb = new float[3 * h * w];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                boolean red = j < 17;
                rgb[i * w + j] = red ? 0.9f : 0.1f;
                rgb[h * w + i * w + j] = red ? 0.1f : 0.7f;
                rgb[2 * h * w + i * w + j] = 0.2f;
            }
        }
        Regions s = Regions.superpixels(InputTensor.of(3, h, w, rgb), 12, 10);
        assertTrue(s.count() >= 6 && s.count() <= 12, s.toString());
        int[][] members = s.members();
        for (int[] region : members) {
            long red = java.util.Arrays.stream(region).filter(q -> q % w < 17).count();
            assertTrue(red == 0 || red == region.length, "a region on both sides of the edge");
        }
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> EvaluationSettings.builder().regions("tiles:4").build());
        assertTrue(bad.getMessage().contains("'pixels', 'patches:SIZE' or 'superpixels:N'"), bad.getMessage());
    }

    @Test
    void riseIsRelaxsImportanceScaledAndTheDotProductWeightsByLength() {
        RelaxConfig config = RelaxConfig.builder().masks(64).cells(4).seed(3).batchSize(16).threads(1).build();
        int side = 16;
        InputTensor x = InputTensor.of(1, side, side, ReferenceMaps.random(side, side, 4));
        org.relax4j.Encoder enc = KnownAnswerTest.TRUTH;
        MaskWeightings mw = new MaskWeightings(config, side, side, enc,
                enc.encode(org.relax4j.data.InputBatch.of(x)).row(0), org.relax4j.ProgressListener.NONE);
        float[] sims = new float[64];
        Explanation e;
        try (Relax relax = new Relax(config)) {
            e = relax.explain(x, mw.encoder(), Target.unmasked(), new org.relax4j.ProgressListener() {
                @Override
                public void onProgress(org.relax4j.Progress p) {
                    mw.onProgress(p);
                }

                @Override
                public void onBatch(long first, int count, float[] s) {
                    System.arraycopy(s, 0, sims, (int) first, count);
                    mw.onBatch(first, count, s);
                }
            }, new CancellationToken());
        }
        // RELAX's importance is the mask-weighted mean of the similarities, Σ s M / Σ M; RISE divides by the
        // expected coverage N·p instead of the realised Σ M.
        org.relax4j.mask.MaskSource ms = config.maskSource(new int[] {side, side});
        org.relax4j.mask.MaskRenderer rr = org.relax4j.mask.MaskDomain.of(new int[] {side, side}, ms).renderer();
        double[] coverage = new double[side * side];
        for (int n = 0; n < 64; n++) {
            float[] m = rr.render(ms, n);
            for (int p = 0; p < m.length; p++) {
                coverage[p] += m[p];
            }
        }
        float[] imp = e.importance().values();
        float[] rise = mw.rise();
        for (int p = 0; p < imp.length; p++) {
            assertEquals(imp[p], rise[p] * 64 * config.keepProbability() / coverage[p], 1e-5, "pixel " + p);
        }
        float[] dot = mw.dotProduct();
        assertTrue(MapAgreement.spearman(dot, rise) < 0.9999, "the lengths change the order somewhere");
        assertEquals(List.of(1, 2, 4, 8, 16, 32, 53), java.util.Arrays.stream(SanityCheck.cascade(53)).boxed().toList());
    }

    @Test
    void stabilityComparesTheSeedToSeedSpreadWithTheEstimate() {
        float[] a = {0, 1, 2, 3};
        float[] b = {0.1f, 0.9f, 2.1f, 2.9f};
        Stability s = Stability.of(List.of(a, b), java.util.Arrays.asList(new float[] {0.1f, 0.1f, 0.1f, 0.1f}, null));
        assertEquals(1.0, s.meanSpearman(), 1e-12);
        assertEquals(0.1 / Math.sqrt(2), s.observedError(), 1e-6);
        assertEquals(0.1, s.predictedError(), 1e-6);
        assertEquals(1 / Math.sqrt(2), s.ratio(), 1e-5);
    }
}
