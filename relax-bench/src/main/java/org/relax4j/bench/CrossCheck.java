package org.relax4j.bench;

import org.relax4j.Explanation;
import org.relax4j.data.InputBatch;
import org.relax4j.data.InputTensor;
import org.relax4j.engine.CpuEngine;
import org.relax4j.engine.Engine;
import org.relax4j.engine.EngineComparison;
import org.relax4j.engine.EngineRun;
import org.relax4j.estimate.WeightedWelford;
import org.relax4j.mask.MaskSource;

/**
 * Checks an engine's results against the CPU engine's, with the engine contract's tolerances, so that a
 * fast-but-wrong engine fails its benchmark instead of winning it. Called from the benchmarks' trial tear-downs.
 */
public final class CrossCheck {
    /** Largest absolute difference allowed in masked inputs: the engine contract's. */
    public static final double MASKED_TOLERANCE = EngineComparison.MASKED_TOLERANCE;
    /** Largest relative difference allowed in maps: the engine contract's. */
    public static final double MAP_TOLERANCE = EngineComparison.MAP_TOLERANCE;

    private CrossCheck() {
    }

    /**
     * Runs {@code batches} batches of masked + accumulate on {@code engine} and on a CPU engine and compares the
     * first masked batch and the final maps.
     *
     * @throws IllegalStateException naming the difference if the engine is outside the tolerances
     */
    public static void engine(Engine engine, InputTensor input, MaskSource masks, int batch, int batches) {
        if (engine instanceof CpuEngine) {
            return;
        }
        try (CpuEngine reference = new CpuEngine(BenchData.threads());
             EngineRun expected = reference.open(input, masks, batch, 1e-10f);
             EngineRun actual = engine.open(input, masks, batch, 1e-10f)) {
            for (int k = 0; k < batches; k++) {
                long first = 1000L + (long) k * batch;
                float[] sims = BenchData.similarities(batch, k);
                if (k == 0) {
                    InputBatch e = expected.masked(first, batch);
                    InputBatch a = actual.masked(first, batch);
                    maxAbs(e, a, engine.name() + " masked batch");
                }
                expected.accumulate(first, batch, sims);
                actual.accumulate(first, batch, sims);
            }
            maps(expected.state(), actual.state(), engine.name() + " after " + batches + " batches of " + batch);
        }
    }

    /** @throws IllegalStateException if the importance, uncertainty or weights differ beyond {@link #MAP_TOLERANCE} */
    public static void maps(WeightedWelford expected, WeightedWelford actual, String what) {
        relative(expected.importance(), actual.importance(), what + ": importance");
        relative(expected.uncertainty(), actual.uncertainty(), what + ": uncertainty");
        relative(expected.weights(), actual.weights(), what + ": weights");
    }

    /** @throws IllegalStateException if the importance or uncertainty maps differ beyond {@link #MAP_TOLERANCE} */
    public static void maps(Explanation expected, Explanation actual, String what) {
        relative(expected.importance().values(), actual.importance().values(), what + ": importance");
        relative(expected.uncertainty().values(), actual.uncertainty().values(), what + ": uncertainty");
    }

    private static void maxAbs(InputBatch e, InputBatch a, String what) {
        int n = e.size() * e.sampleLength();
        if (a.size() * a.sampleLength() != n) {
            throw new IllegalStateException(what + ": " + a.size() + " inputs of " + a.sampleLength() + " values, expected "
                    + e.size() + " of " + e.sampleLength());
        }
        double worst = EngineComparison.maxAbsDifference(e.data(), e.offset(), a.data(), a.offset(), n);
        if (!(worst <= MASKED_TOLERANCE)) {
            throw new IllegalStateException(what + " differs from the cpu engine's by up to " + worst + " (allowed "
                    + MASKED_TOLERANCE + ")");
        }
    }

    private static void relative(float[] e, float[] a, String what) {
        double worst = EngineComparison.maxRelativeDifference(e, a);
        if (!(worst <= MAP_TOLERANCE)) {
            throw new IllegalStateException(what + " differs from the cpu engine's by up to " + worst
                    + " relative (allowed " + MAP_TOLERANCE + ")");
        }
    }
}
