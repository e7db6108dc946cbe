package org.relax4j;

import java.util.Arrays;
import java.util.Objects;
import org.relax4j.data.InvalidSettingException;
import org.relax4j.estimate.ImportanceEstimator;
import org.relax4j.mask.MaskDesign;
import org.relax4j.mask.MaskSource;

/**
 * What an explanation computes: the masks (how many, their design, cells or discrete, keep probability, seed, or
 * masks from elsewhere), the estimation (estimator, target error, the bounds' confidences, the initial weight), the
 * similarity and the baseline. Two runs with equal settings on the same input and encoder give the same maps, on
 * every engine, thread count and batch size ({@link Execution} is how they run). Immutable, with value equality;
 * checked on construction, naming the setting. {@link SettingsCodec} writes and reads it as plain values.
 *
 * @param masks total masks, at least 1; with a target error, the most masks to use
 * @param cells cells per grid side, in [1, 1024] (ignored by discrete masks)
 * @param discrete whether every position is kept or dropped on its own, without upsampling
 * @param keepProbability probability that a grid cell is kept, in (0, 1]
 * @param seed seed of the masks
 * @param design how masks are chosen (ignored with a mask source, which must then be {@link MaskDesign#RANDOM})
 * @param maskSource masks from elsewhere (e.g. recorded), or null for the design's masks from the seed
 * @param estimator how importance is estimated
 * @param targetError the relative error at which a run stops, or NaN to run all masks
 * @param confidence confidence of the reported error bound, in [0.5, 1)
 * @param stopConfidence confidence of the bound compared with the target error, in [0.5, 1)
 * @param initialWeight the estimator's starting sum of weights, finite and &gt; 0
 * @param similarity how masked and target representations are compared
 * @param baseline what masked-out positions become
 */
public record Settings(long masks, int cells, boolean discrete, float keepProbability, long seed, MaskDesign design,
                       MaskSource maskSource, ImportanceEstimator estimator, double targetError, double confidence,
                       double stopConfidence, float initialWeight, Similarity similarity, Baseline baseline) {
    /** Reference default: batches (of {@link Execution#DEFAULT_BATCH_SIZE} masks). */
    public static final int DEFAULT_NUM_BATCHES = 30;
    /** Reference default: total masks. */
    public static final long DEFAULT_MASKS = (long) DEFAULT_NUM_BATCHES * Execution.DEFAULT_BATCH_SIZE;
    /** Reference default: cells per grid side. */
    public static final int DEFAULT_CELLS = 7;
    /** Reference default: probability that a grid cell is kept (1). */
    public static final float DEFAULT_KEEP_PROBABILITY = 0.5f;
    /** Reference default: the estimator's starting sum of weights. */
    public static final float DEFAULT_INITIAL_WEIGHT = 1e-10f;
    /** Default seed (the reference draws unseeded; we never do). */
    public static final long DEFAULT_SEED = 0L;
    /** Default confidence of the error bound reported with every explanation. */
    public static final double DEFAULT_CONFIDENCE = 0.9;
    /**
     * Default confidence of the bound that an adaptive run compares with its target at each look. Measured
     * (BENCHMARKS.md, QualityBench): with looks at least 25 % apart in masks, every balanced run and 95 % of random
     * ones ended within their target; balanced runs used 1.33–1.5× the passes an oracle needs (median).
     */
    public static final double DEFAULT_STOP_CONFIDENCE = 0.8;

    /**
     * Checks every value and their combinations.
     *
     * @throws InvalidSettingException naming the setting, if a value is out of range or a mask source is combined
     *         with a design other than random, the control-variate estimator, other cells or discreteness, or more
     *         masks than it holds
     */
    public Settings {
        checkMasks(masks);
        checkCells(cells);
        checkKeepProbability(keepProbability);
        Objects.requireNonNull(design, "design");
        Objects.requireNonNull(estimator, "estimator");
        checkTargetError(targetError);
        checkConfidence("confidence", confidence);
        checkConfidence("stopConfidence", stopConfidence);
        checkInitialWeight(initialWeight);
        Objects.requireNonNull(similarity, "similarity");
        Objects.requireNonNull(baseline, "baseline");
        if (maskSource != null) {
            if (estimator == ImportanceEstimator.CONTROL_VARIATE) {
                throw new InvalidSettingException("estimator", "= control-variate needs a mask design's known "
                        + "distribution; it cannot be used with a maskSource");
            }
            if (cells != maskSource.cells()) {
                throw new InvalidSettingException("cells", "= " + cells + " but the mask source has "
                        + maskSource.cells() + " cells; a mask source brings its own cells, so do not set cells after it");
            }
            if (discrete != maskSource.discrete()) {
                throw new InvalidSettingException("discrete", "= " + discrete + " but the mask source's masks are "
                        + (maskSource.discrete() ? "discrete" : "smooth") + "; a mask source decides that itself");
            }
            if (design != MaskDesign.RANDOM) {
                throw new InvalidSettingException("design", "= " + design.id() + " and a maskSource are both set; "
                        + "a mask source brings its own masks, so set one or the other");
            }
            if (masks > maskSource.size()) {
                throw new InvalidSettingException("masks", "= " + masks + " but the mask source holds only "
                        + maskSource.size());
            }
        }
    }

    /** {@return the reference's settings} */
    public static Settings defaults() {
        return new Settings(DEFAULT_MASKS, DEFAULT_CELLS, false, DEFAULT_KEEP_PROBABILITY, DEFAULT_SEED,
                MaskDesign.RANDOM, null, ImportanceEstimator.RATIO, Double.NaN, DEFAULT_CONFIDENCE,
                DEFAULT_STOP_CONFIDENCE, DEFAULT_INITIAL_WEIGHT, Similarity.cosine(), Baseline.zero());
    }

    /** {@return whether the run stops at {@link #targetError()} rather than after all masks} */
    public boolean adaptive() {
        return !Double.isNaN(targetError);
    }

    /**
     * Where the masks for an input of this spatial shape come from: the {@link #maskSource()} if set (which must fit
     * the shape), or the design's source with {@link #cells()} cells on every axis — or, if {@link #discrete()}, one
     * cell per position.
     *
     * @param shape the input's spatial shape, rank 1 to 3
     * @return the mask source
     */
    public MaskSource masksFor(int[] shape) {
        if (maskSource != null) {
            return maskSource;
        }
        if (discrete) {
            return design.source(seed, shape.clone(), true, keepProbability);
        }
        int[] grid = new int[shape.length];
        Arrays.fill(grid, cells);
        return design.source(seed, grid, false, keepProbability);
    }

    /**
     * {@return {@link #masks()} rounded up to whole blocks of {@code source} (a balanced block is balanced only when
     * whole), at most the source's size}
     *
     * @param source the masks of the run
     */
    public long masksToRun(MaskSource source) {
        long block = source.blockSize();
        if (block <= 1 || masks % block == 0) {
            return masks;
        }
        long whole = masks / block + 1;
        long rounded = whole > Long.MAX_VALUE / block ? Long.MAX_VALUE : whole * block;
        return Math.min(rounded, source.size());
    }

    static void checkMasks(long masks) {
        if (masks < 1) {
            throw new InvalidSettingException("masks", "must be at least 1, got " + masks);
        }
    }

    static void checkCells(int cells) {
        if (cells < 1 || cells > 1024) {
            throw new InvalidSettingException("cells", "must be in [1, 1024], got " + cells);
        }
    }

    static void checkKeepProbability(float keepProbability) {
        if (!(keepProbability > 0f && keepProbability <= 1f)) {
            throw new InvalidSettingException("keepProbability", "must be in (0, 1], got " + keepProbability);
        }
    }

    static void checkTargetError(double targetError) {
        if (!Double.isNaN(targetError) && !(targetError > 0 && targetError < Double.POSITIVE_INFINITY)) {
            throw new InvalidSettingException("targetError", "must be > 0 and finite (or NaN for none), got "
                    + targetError);
        }
    }

    static void checkConfidence(String name, double confidence) {
        if (!(confidence >= 0.5 && confidence < 1)) {
            throw new InvalidSettingException(name, "must be in [0.5, 1), got " + confidence);
        }
    }

    static void checkInitialWeight(float initialWeight) {
        if (!(initialWeight > 0f) || !Float.isFinite(initialWeight)) {
            throw new InvalidSettingException("initialWeight", "must be finite and > 0, got " + initialWeight);
        }
    }
}
