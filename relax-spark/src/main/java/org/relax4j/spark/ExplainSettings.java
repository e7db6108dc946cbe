package org.relax4j.spark;

import java.io.Serializable;
import java.util.Objects;
import org.relax4j.Baseline;
import org.relax4j.RelaxConfig;
import org.relax4j.Similarity;
import org.relax4j.estimate.ImportanceEstimator;
import org.relax4j.mask.MaskDesign;

/**
 * The part of a {@link RelaxConfig} that travels to executors: every setting that decides the maps, as plain
 * serialisable values, rebuilt into a {@code RelaxConfig} on the executor. The executor's own thread count replaces
 * the driver's ({@link #toConfig(int)}); results do not depend on it.
 *
 * <p>Only what can be rebuilt from values travels: cosine similarity and the seeded mask designs. A configuration
 * with a custom {@link Similarity} or a {@link RelaxConfig.Builder#maskSource recorded mask source} is rejected by
 * {@link #of}, naming the setting. Immutable.
 */
public final class ExplainSettings implements Serializable {
    private static final long serialVersionUID = 2L;

    private final long masks;
    private final int batchSize;
    private final int cells;
    private final float keepProbability;
    private final float initialWeight;
    private final long seed;
    private final String design;
    private final String estimator;
    private final double targetError;
    private final double confidence;
    private final double stopConfidence;
    private final String engine;
    private final String device;
    /** {@link Baseline#id()}: zero, a constant or a blur travel as values; a tensor baseline does not. */
    private final String baseline;

    private ExplainSettings(RelaxConfig c) {
        this.masks = c.masks();
        this.batchSize = c.batchSize();
        this.cells = c.cells();
        this.keepProbability = c.keepProbability();
        this.initialWeight = c.initialWeight();
        this.seed = c.seed();
        this.design = c.design().id();
        this.estimator = c.estimator().id();
        this.targetError = c.targetError();
        this.confidence = c.confidence();
        this.stopConfidence = c.stopConfidence();
        this.engine = c.engine();
        this.device = c.device();
        this.baseline = c.baseline().id();
    }

    /**
     * Captures {@code config} for executors.
     *
     * @throws IllegalArgumentException if the configuration uses a custom similarity or a mask source, which cannot
     *         be shipped as values
     */
    public static ExplainSettings of(RelaxConfig config) {
        Objects.requireNonNull(config, "config");
        if (config.similarity() != Similarity.cosine()) {
            throw new IllegalArgumentException("similarity = " + config.similarity() + ": relax-spark ships settings "
                    + "as values and supports cosine similarity only");
        }
        RelaxConfig plain = config.toBuilder().maskSource(null).build();
        if (!plain.maskSource().toString().equals(config.maskSource().toString())
                || plain.cells() != config.cells()) {
            throw new IllegalArgumentException("maskSource = " + config.maskSource() + ": relax-spark draws masks "
                    + "from (seed, cells, keepProbability, design) on every executor; recorded masks are not supported");
        }
        if (config.baseline().id().equals("tensor")) {
            throw new IllegalArgumentException("baseline = a tensor: relax-spark ships settings as values; use zero, "
                    + "a constant or a blur");
        }
        return new ExplainSettings(config);
    }

    /** The configuration on an executor, with {@code threads} engine threads. */
    public RelaxConfig toConfig(int threads) {
        RelaxConfig.Builder b = RelaxConfig.builder().masks(masks).batchSize(batchSize).cells(cells)
                .keepProbability(keepProbability).initialWeight(initialWeight).seed(seed)
                .design(MaskDesign.parse(design)).estimator(ImportanceEstimator.parse(estimator))
                .targetError(targetError).confidence(confidence).stopConfidence(stopConfidence).engine(engine)
                .baseline(Baseline.parse(baseline)).device(device).threads(threads);
        return b.build();
    }

    public long masks() {
        return masks;
    }

    public int batchSize() {
        return batchSize;
    }

    @Override
    public String toString() {
        return toConfig(1).toString();
    }
}
