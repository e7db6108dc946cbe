package org.relax4j.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.relax4j.Encoder;
import org.relax4j.Similarity;
import org.relax4j.data.Embeddings;
import org.relax4j.data.InputTensor;

/**
 * The known-answer suite: a synthetic encoder whose true importance is known in closed form. Its representation has
 * one feature per pixel, √w_p (x_p − ½), on an input of 0s and 1s in equal numbers (so its mean colour is ½ and the
 * mean-colour substrate removes a pixel's feature exactly). Removing a set S leaves the cosine √(1 − Σ_S w/Σ w), so the
 * true map w ranks pixels best on every faithfulness metric, its inverse worst, and a random map lies between.
 */
class KnownAnswerTest {
    private static final int SIDE = 16;
    private static final int PIXELS = SIDE * SIDE;
    static final float[] TRUE = new float[PIXELS];
    static final InputTensor INPUT;

    static {
        float[] x = new float[PIXELS];
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        int[] idx = java.util.stream.IntStream.range(0, PIXELS).toArray();
        for (int k = PIXELS - 1; k > 0; k--) {
            int j = r.nextInt(k + 1);
            int t = idx[k];
            idx[k] = idx[j];
            idx[j] = t;
        }
        for (int k = 0; k < PIXELS / 2; k++) {
            x[idx[k]] = 1f;
        }
        for (int i = 0; i < SIDE; i++) {
            for (int j = 0; j < SIDE; j++) {
                // A bump off centre plus a floor, so every pixel counts a little.
                TRUE[i * SIDE + j] = (float) (0.05 + Math.exp(-((i - 5) * (i - 5) + (j - 10) * (j - 10)) / 8.0));
            }
        }
        INPUT = InputTensor.of(1, SIDE, SIDE, x);
    }

    static final Encoder TRUTH = batch -> {
        float[] out = new float[batch.size() * PIXELS];
        for (int b = 0; b < batch.size(); b++) {
            for (int p = 0; p < PIXELS; p++) {
                out[b * PIXELS + p] = (float) (Math.sqrt(TRUE[p]) * (batch.data()[batch.offset() + b * PIXELS + p]
                        - 0.5));
            }
        }
        return new Embeddings(batch.size(), PIXELS, out);
    };

    private static float[] negate(float[] v) {
        float[] out = new float[v.length];
        for (int k = 0; k < v.length; k++) {
            out[k] = -v[k];
        }
        return out;
    }

    private static Map<String, float[]> maps() {
        Map<String, float[]> m = new LinkedHashMap<>();
        m.put("true", TRUE);
        m.put("random", ReferenceMaps.random(SIDE, SIDE, 3));
        m.put("inverse", negate(TRUE));
        return m;
    }

    private static MapEvaluation.Report evaluate(String regions) {
        EvaluationSettings s = EvaluationSettings.builder().substrates(List.of(EvaluationSettings.SubstrateKind.mean))
                .steps(16).randomOrders(4).regions(regions).cells(4).subsetCells(4).subsets(60).batchSize(40).build();
        InputTensor rgb = InputTensor.of(3, SIDE, SIDE, new float[3 * PIXELS]);
        return MapEvaluation.evaluate(TRUTH, Similarity.cosine(), INPUT, rgb, TRUTH.encode(
                org.relax4j.data.InputBatch.of(INPUT)).row(0), maps(), s, line -> { });
    }

    @Test
    void theTrueMapScoresBestItsInverseWorstAndRandomBetweenOnEveryMetric() {
        for (String regions : List.of("pixels", "patches:4")) {
            MapEvaluation.Report r = evaluate(regions);
            for (MapEvaluation.CurveSet c : r.curves()) {
                double t = c.maps().get("true").gainOverRandom();
                double rnd = c.maps().get("random").gainOverRandom();
                double inv = c.maps().get("inverse").gainOverRandom();
                assertTrue(t > rnd && rnd > inv, regions + " " + c.mode() + ": " + t + ", " + rnd + ", " + inv);
                assertTrue(t > 0.05 && inv < -0.05, regions + " " + c.mode() + ": clear margins " + t + ", " + inv);
                assertTrue(c.maps().get("true").symmetricGain() > 0.1, "symmetric gain of the true map");
                assertEquals(-c.maps().get("true").symmetricGain(), c.maps().get("inverse").symmetricGain(), 1e-9,
                        "the inverse's order is the true map's reversed");
            }
            MapEvaluation.Faithfulness f = r.faithfulness().get(0);
            double t = f.maps().get("true").correlation();
            double rnd = f.maps().get("random").correlation();
            double inv = f.maps().get("inverse").correlation();
            assertTrue(t > 0.95 && t > rnd && rnd > inv && inv < -0.95, regions + ": " + t + ", " + rnd + ", " + inv);
            assertEquals(r.settings().passes(3), r.passes(), "the budget printed beforehand is what was spent");
        }
    }

    @Test
    void insertionReadOffDeletionIsInsertionMeasured() {
        MapEvaluation.Report r = evaluate("pixels");
        MapEvaluation.CurveSet ins = r.curves().get(1);
        assertEquals(PerturbationCurves.Mode.INSERTION, ins.mode());
        PerturbationCurves pc = new PerturbationCurves(TRUTH, Similarity.cosine(), Substrate.meanColour(), 16, 64);
        float[] ref = pc.representation(INPUT);
        Regions pixels = Regions.pixels(SIDE, SIDE);
        for (Map.Entry<String, float[]> m : maps().entrySet()) {
            PerturbationCurves.Curve direct = pc.curve(INPUT, ref, pixels, pixels.order(m.getValue()),
                    PerturbationCurves.Mode.INSERTION);
            org.junit.jupiter.api.Assertions.assertArrayEquals(direct.similarities(),
                    ins.maps().get(m.getKey()).map().similarities(), 1e-6f, m.getKey());
        }
        assertEquals(ins.maps().get("true").symmetricGain(), r.curves().get(0).maps().get("true").symmetricGain(),
                1e-12, "one symmetric gain for both modes");
    }

    @Test
    void theDeletionCurveOfTheTrueMapIsTheClosedForm() {
        PerturbationCurves pc = new PerturbationCurves(TRUTH, Similarity.cosine(), Substrate.meanColour(), PIXELS, 64);
        int[] order = PerturbationCurves.order(TRUE);
        float[] y = pc.curve(INPUT, pc.representation(INPUT), order, PerturbationCurves.Mode.DELETION).similarities();
        double total = 0;
        for (float w : TRUE) {
            total += w;
        }
        double removed = 0;
        for (int k = 0; k <= PIXELS; k++) {
            assertEquals(Math.sqrt(Math.max(0, 1 - removed / total)), y[k], 2e-3, "step " + k);
            if (k < PIXELS) {
                removed += TRUE[order[k]];
            }
        }
    }

    @Test
    void occlusionRecoversTheTrueMapsOrderAtItsScale() {
        float[] occ = new Occlusion(TRUTH, Similarity.cosine(), Substrate.meanColour(), 4, 2, 16).map(INPUT,
                TRUTH.encode(org.relax4j.data.InputBatch.of(INPUT)).row(0));
        assertEquals(7 * 7 + 1, new Occlusion(TRUTH, Similarity.cosine(), Substrate.meanColour(), 4, 2, 16)
                .passes(SIDE, SIDE));
        // Occlusion blurs the truth over its window: the rank agreement is high, not perfect.
        double rho = MapAgreement.spearman(occ, TRUE);
        assertTrue(rho > 0.8, "Spearman " + rho);
        int best = 0;
        for (int p = 1; p < PIXELS; p++) {
            best = occ[p] > occ[best] ? p : best;
        }
        assertTrue(Math.abs(best / SIDE - 5) <= 2 && Math.abs(best % SIDE - 10) <= 2, "peak at " + best);
    }
}
