package org.relax4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relax4j.data.InputTensor;
import org.relax4j.bench.QualityBench.Adaptive;
import org.relax4j.bench.QualityBench.Curve;
import org.relax4j.bench.QualityBench.Result;
import org.relax4j.bench.QualityBench.Subject;
import org.relax4j.bench.QualityBench.Variant;
import org.relax4j.estimate.ImportanceEstimator;
import org.relax4j.image.Images;
import org.relax4j.mask.MaskDesign;

/**
 * The quality benchmark end to end on its synthetic subject, small enough for every CI run: the balanced design
 * beats i.i.d. masks at equal passes, adaptive balanced runs end within their target, recordings are reused, and
 * the report and plot are written.
 */
class QualityBenchTest {
    private static final int TRUTH = 6144;

    @TempDir
    Path dir;

    @Test
    void syntheticSubjectEndToEnd() throws Exception {
        InputTensor x = Images.readImageNet(Path.of("../samples/chelsea.png"), 224);
        Path cache = Files.createDirectories(dir.resolve("cache"));
        QualityBench bench = new QualityBench(cache, 2);
        Result r = bench.run(new Subject("synthetic", x, SyntheticEncoder.create(x, 7), 2), TRUTH);

        int at512 = 3;
        assertEquals(512, QualityBench.CHECKPOINTS[at512]);
        double random = medianError(r, new Variant(MaskDesign.RANDOM, ImportanceEstimator.RATIO), at512);
        double balanced = medianError(r, new Variant(MaskDesign.BALANCED, ImportanceEstimator.RATIO), at512);
        assertTrue(balanced < 0.5 * random, "balanced " + balanced + " vs random " + random + " at 512 passes");
        assertTrue(r.truthError() > 0 && r.truthError() < 0.1, "truth's own error " + r.truthError());

        List<Adaptive> adaptive = r.adaptive().stream()
                .filter(a -> a.variant().design() == MaskDesign.BALANCED).toList();
        assertEquals(8, adaptive.size(), "2 targets × 2 estimators × 2 seeds");
        for (Adaptive a : adaptive) {
            // Whole blocks only, the control variate too (its fit once ended a run mid-block, at 320 masks).
            assertTrue(a.trueError() <= a.target() && a.used() < QualityBench.maxPasses(MaskDesign.BALANCED)
                    && a.used() % 128 == 0 && a.oracle() > 0, a.toString());
        }

        // Uncertainty and U-RELAX converge too, and the uncertainty is RELAX's own U.
        Variant balancedRatio = new Variant(MaskDesign.BALANCED, ImportanceEstimator.RATIO);
        int last = QualityBench.CHECKPOINTS.length - 1;
        double u256 = median(r, balancedRatio, 1, true);
        double uLast = median(r, balancedRatio, last, true);
        double j256 = median(r, balancedRatio, 1, false);
        double jLast = median(r, balancedRatio, last, false);
        assertTrue(uLast < u256 && jLast > j256 && jLast > 0.7, u256 + " -> " + uLast + ", " + j256 + " -> " + jLast);
        float[] recorded = bench.similarities(r.subject(), MaskDesign.BALANCED, 0, 3072);
        double[] u = bench.prefixUncertainty(r.subject(), MaskDesign.BALANCED, 0, recorded, 512);
        org.relax4j.RelaxConfig config = org.relax4j.RelaxConfig.builder().design(MaskDesign.BALANCED).seed(0)
                .masks(3072).build();
        float[] relaxU;
        try (org.relax4j.Relax relax = new org.relax4j.Relax(config)) {
            relaxU = relax.replay(224, 224, java.util.Arrays.copyOf(recorded, 512)).uncertainty().values();
        }
        for (int p = 0; p < u.length; p += 97) {
            assertEquals(relaxU[p], u[p], 1e-3 * Math.abs(relaxU[p]) + 1e-6, "pixel " + p);
        }

        // Every similarity is recorded once: reading a recording again needs no encoder.
        Subject noEncoder = new Subject("synthetic", x, batch -> {
            throw new AssertionError("the recording should have been reused");
        }, 2);
        float[] sims = new QualityBench(cache, 1).similarities(noEncoder, MaskDesign.BALANCED, 1,
                QualityBench.maxPasses(MaskDesign.BALANCED));
        assertEquals(3072, sims.length);

        String report = QualityReport.markdown(List.of(r), TRUTH);
        assertTrue(report.contains("### synthetic (2 seeds") && report.contains("| balanced + control variate |")
                && report.contains("| balanced | U-RELAX agreement |"), report);
        Path png = dir.resolve("quality.png");
        QualityReport.plot(List.of(r), png);
        assertTrue(Files.size(png) > 1000);
    }

    private static double median(Result r, Variant v, int checkpoint, boolean uncertainty) {
        return QualityBench.median(r.curves().stream().filter(c -> c.variant().equals(v))
                .mapToDouble(c -> (uncertainty ? c.uncertaintyError() : c.uRelaxAgreement())[checkpoint]).toArray());
    }

    private static double medianError(Result r, Variant v, int checkpoint) {
        return QualityBench.median(r.curves().stream().filter(c -> c.variant().equals(v))
                .mapToDouble((Curve c) -> c.error()[checkpoint]).toArray());
    }
}
