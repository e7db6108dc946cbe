package org.relax4j.estimate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.relax4j.Explanation;
import org.relax4j.LinearProbe;
import org.relax4j.data.PixelMap;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.mask.MaskDesign;
import org.relax4j.mask.MaskGeometry;
import org.relax4j.mask.MaskSource;
import org.relax4j.mask.RandomMasks;

class ControlVariateTest {

    /** The closed form of E[β·φ(m)·m(p)] / E[m(p)] against a Monte Carlo average over many random masks. */
    @Test
    void surrogateTermMatchesMonteCarlo() {
        int h = 24;
        int w = 20;
        float keep = 0.4f;
        MaskGeometry g = new MaskGeometry(4, h, w);
        ControlVariate cv = new ControlVariate(g, keep);
        double[] beta = new double[cv.features()];
        Random rnd = new Random(3);
        for (int k = 0; k < beta.length; k++) {
            beta[k] = rnd.nextGaussian();
        }
        double[] exact = cv.expectedSurrogate(beta);
        MaskSource masks = new RandomMasks(8, 4, keep);
        int n = 60_000;
        double[] num = new double[h * w];
        double[] den = new double[h * w];
        float[] phi = new float[cv.features()];
        for (int k = 0; k < n; k++) {
            float[] m = g.render(masks, k);
            cv.features(m, 0, phi, 0);
            double s = ControlVariate.predict(beta, phi, 0);
            for (int p = 0; p < m.length; p++) {
                num[p] += s * m[p];
                den[p] += m[p];
            }
        }
        double worst = 0;
        for (int p = 0; p < exact.length; p++) {
            worst = Math.max(worst, Math.abs(num[p] / den[p] - exact[p]));
        }
        // Monte Carlo noise of 60 000 masks on values of order 1: a few hundredths at most.
        assertTrue(worst < 0.05, "largest difference " + worst);
    }

    @Test
    void fitRecoversALinearModel() {
        MaskGeometry g = new MaskGeometry(3, 12, 12);
        ControlVariate cv = new ControlVariate(g, 0.5f);
        int f = cv.features();
        int n = 500;
        float[] phi = new float[n * f];
        float[] s = new float[n];
        double[] truth = new double[f];
        Random rnd = new Random(1);
        for (int k = 0; k < f; k++) {
            truth[k] = k == 0 ? 0.8 : 0.02 * rnd.nextGaussian();
        }
        MaskSource masks = new RandomMasks(2, 3, 0.5f);
        for (int r = 0; r < n; r++) {
            cv.features(g.render(masks, r), 0, phi, r * f);
            s[r] = (float) ControlVariate.predict(truth, phi, r * f);
        }
        double[] beta = cv.fit(phi, s, n);
        // The ridge shrinks a little; predictions must still be close.
        for (int r = 0; r < n; r += 50) {
            assertEquals(s[r], ControlVariate.predict(beta, phi, r * f), 0.01);
        }
    }

    /** On the linear probe (exact maps known) the control variate cuts the error and its estimate stays honest. */
    @Test
    void controlVariateReducesTheErrorAndEstimatesItHonestly() {
        LinearProbe probe = new LinearProbe(32, 32, 3);
        double[] exact = probe.exactImportance(4, 0.5);
        double sumRatio = 0;
        double sumCv = 0;
        double sumEstimate = 0;
        int runs = 20;
        for (int seed = 0; seed < runs; seed++) {
            RelaxConfig base = RelaxConfig.builder().masks(512).cells(4).design(MaskDesign.RANDOM).seed(seed)
                    .similarity(LinearProbe.product()).threads(1).build();
            Explanation ratio;
            Explanation cv;
            try (Relax r = new Relax(base)) {
                ratio = r.explain(probe.input(), probe.encoder());
            }
            try (Relax r = new Relax(base.toBuilder().estimator(ImportanceEstimator.CONTROL_VARIATE).build())) {
                cv = r.explain(probe.input(), probe.encoder());
            }
            // Same masks, same similarities: the uncertainty is the reference's either way.
            assertArrayEquals(ratio.uncertainty().values(), cv.uncertainty().values());
            double tr = LinearProbe.relativeError(ratio.importance().values(), exact);
            double tc = LinearProbe.relativeError(cv.importance().values(), exact);
            sumRatio += tr * tr;
            sumCv += tc * tc;
            sumEstimate += cv.error().relativeError() * cv.error().relativeError();
        }
        double rmsRatio = Math.sqrt(sumRatio / runs);
        double rmsCv = Math.sqrt(sumCv / runs);
        assertTrue(rmsCv < 0.5 * rmsRatio, "control variate " + rmsCv + " vs ratio " + rmsRatio);
        assertEquals(1.0, Math.sqrt(sumEstimate / runs) / rmsCv, 0.3, "estimate vs true error of the control variate");
    }

    /** For independent masks the error of fitting on the same masks is put back: n / (n − F); none for n ≤ F. */
    @Test
    void errorOfAFitOnTheSameMasksIsPutBack() {
        ControlVariate cv = new ControlVariate(new MaskGeometry(3, 12, 12), 0.5f);
        assertEquals(10, cv.features());
        PixelMap se = new PixelMap(2, 2, new float[] {1, 2, 3, 4});
        ErrorEstimate e = new ErrorEstimate(0.2, 0.3, 0.9, 4, 12, 36, 0.01, se);
        ErrorEstimate c = cv.correctedForFit(e, 50);
        double f = 50.0 / 40;
        assertEquals(0.2 * f, c.relativeError(), 1e-12);
        assertEquals(0.3 * f, c.bound(), 1e-12);
        assertEquals(0.01 * f * f, c.noise(), 1e-12);
        assertEquals(4 * f, c.standardError().get(1, 1), 1e-6);
        assertEquals(4, c.blocks());
        assertEquals(0.9, c.confidence());
        assertEquals(1, se.get(0, 0), "the input's map is not modified");
        assertEquals(Double.POSITIVE_INFINITY, cv.correctedForFit(e, 10).bound());
        ErrorEstimate unknown = new ErrorEstimate(Double.NaN, Double.NaN, 0.9, 1, Double.NaN, Double.NaN, Double.NaN, se);
        assertTrue(cv.correctedForFit(unknown, 50) == unknown);
    }

    @Test
    void needsAMaskDesign() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RelaxConfig.builder()
                .maskSource(new RandomMasks(1, 7, 0.5f)).estimator(ImportanceEstimator.CONTROL_VARIATE).build());
        assertTrue(e.getMessage().contains("control-variate"), e.getMessage());
        assertEquals(ImportanceEstimator.CONTROL_VARIATE, ImportanceEstimator.parse("Control-Variate"));
        assertThrows(IllegalArgumentException.class, () -> ImportanceEstimator.parse("lasso"));
    }
}
