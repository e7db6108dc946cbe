package org.relax4j;

import org.relax4j.data.PixelMap;
import org.relax4j.estimate.ErrorEstimate;
import org.relax4j.internal.URelax;
import org.relax4j.estimate.WeightedWelford;

/**
 * The result of one explanation: RELAX's maps (spec, "The estimator") plus what produced them.
 * Immutable.
 */
public final class Explanation {
    private final PixelMap importance;
    private final PixelMap uncertainty;
    private final PixelMap variance;
    private final PixelMap uRelax;
    private final long masksUsed;
    private final ErrorEstimate error;
    private final Timings timings;
    private final String engine;
    private final RelaxConfig config;
    private final Target target;
    private final double targetSimilarity;
    private final String maskSource;

    /**
     * @param importance the importance map if not the state's own (the control-variate estimator's), else null
     */
    Explanation(int[] shape, WeightedWelford state, float[] importance, long masksUsed, ErrorEstimate error,
                Timings timings, String engine, RelaxConfig config, Target target, double targetSimilarity,
                String maskSource) {
        float[] r = importance != null ? importance : state.importance();
        float[] u = state.uncertainty();
        this.importance = new PixelMap(shape, r);
        this.uncertainty = new PixelMap(shape, u);
        this.variance = new PixelMap(shape, state.variance());
        this.uRelax = new PixelMap(shape, URelax.compute(r, u));
        this.masksUsed = masksUsed;
        // The estimate sees the map as rows x last axis; give its standard errors the map's own shape.
        this.error = error.standardError() != null && error.standardError().size() == r.length
                && !java.util.Arrays.equals(error.standardError().shape(), shape)
                ? new ErrorEstimate(error.relativeError(), error.bound(), error.confidence(), error.blocks(),
                        error.effectiveDegreesOfFreedom(), error.estimateDegreesOfFreedom(), error.noise(),
                        error.standardError().reshape(shape))
                : error;
        this.target = target;
        this.targetSimilarity = targetSimilarity;
        this.maskSource = maskSource;
        this.timings = timings;
        this.engine = engine;
        this.config = config;
    }

    /**
     * Importance R: per pixel, the mean similarity weighted by the mask values (with the control-variate
     * estimator, its lower-noise estimate of the same quantity).
     *
     * @return the importance map
     */
    public PixelMap importance() {
        return importance;
    }

    /**
     * {@return uncertainty U: the weighted sum of squared deviations, not divided by the weights (as the reference)}
     */
    public PixelMap uncertainty() {
        return uncertainty;
    }

    /** {@return weighted variance U / W} */
    public PixelMap variance() {
        return variance;
    }

    /** {@return U-RELAX: importance where the uncertainty is at most its (lower) median, 0 elsewhere} */
    public PixelMap uRelax() {
        return uRelax;
    }

    /** {@return number of masks the maps are made of (fewer than configured when a target error stopped the run)} */
    public long masksUsed() {
        return masksUsed;
    }

    /**
     * The importance map's estimated error: relative L2 error of the centred map against the limit of infinitely
     * many masks, its bound at the configured confidence, and per-pixel standard errors.
     *
     * @return the error estimate
     */
    public ErrorEstimate error() {
        return error;
    }

    /** {@return where the time went} */
    public Timings timings() {
        return timings;
    }

    /** {@return the engine and device that ran, e.g. "cpu, 2 threads"} */
    public String engine() {
        return engine;
    }

    /** {@return the configuration used} */
    public RelaxConfig config() {
        return config;
    }

    /** {@return what the masked representations were compared with ({@link Target#unmasked()} by default)} */
    public Target target() {
        return target;
    }

    /**
     * {@return the similarity of the unmasked input's representation to the target: how well the whole input matches
     * it (a query, another image); 1 for the default target with cosine similarity}
     */
    public double targetSimilarity() {
        return targetSimilarity;
    }

    private static String describe(int[] shape) {
        StringBuilder b = new StringBuilder();
        for (int a = 0; a < shape.length; a++) {
            b.append(a == 0 ? "" : "x").append(shape[a]);
        }
        return b.toString();
    }

    /**
     * What produced this explanation, with the model identified as the caller says (the library cannot know it).
     *
     * @param model the model's identity, e.g. {@code Map.of("name", "mobilenet-v2", "file", path.toString())};
     *     copied; may be null or empty
     * @return the provenance record
     */
    public Provenance provenance(java.util.Map<String, ?> model) {
        return new Provenance(Provenance.LIBRARY, Provenance.currentVersion(), System.getProperty("java.version"),
                model == null ? null : new java.util.LinkedHashMap<>(model), config, maskSource,
                java.util.Arrays.stream(importance.shape()).boxed().toList(), target.kind(), targetSimilarity, masksUsed,
                error, timings, engine);
    }

    @Override
    public String toString() {
        return "Explanation{" + describe(importance.shape()) + ", masks=" + masksUsed + ", error≈"
                + String.format(java.util.Locale.ROOT, "%.3f", error.relativeError()) + ", engine="
                + engine + ", " + timings + "}";
    }
}
