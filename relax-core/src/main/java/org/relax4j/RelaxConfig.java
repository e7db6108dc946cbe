package org.relax4j;

import java.util.Objects;
import org.relax4j.engine.Engines;
import org.relax4j.estimate.ImportanceEstimator;
import org.relax4j.mask.MaskDesign;
import org.relax4j.mask.MaskSource;

/**
 * Everything an explanation depends on, immutable and validated. Defaults are the reference's
 * (spec, "Defaults"): 30 batches of 100 masks, 7 cells, keep probability 0.5, initial weight 1e-10, cosine.
 *
 * <pre>{@code
 * RelaxConfig config = RelaxConfig.builder().masks(2000).seed(7).engine("opencl").build();
 * }</pre>
 */
public final class RelaxConfig {
    /** Reference default: masks per encoder call. */
    public static final int DEFAULT_BATCH_SIZE = 100;
    /** Reference default: batches. */
    public static final int DEFAULT_NUM_BATCHES = 30;
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
     * Default confidence of the bound that an adaptive run ({@link Builder#targetError}) compares with its target at
     * each look. Measured (BENCHMARKS.md, QualityBench): with looks at least 25 % apart in masks, every balanced run
     * and 95 % of random ones ended within their target; balanced runs used 1.33–1.5× the passes an oracle needs
     * (median).
     */
    public static final double DEFAULT_STOP_CONFIDENCE = 0.8;

    private final int batchSize;
    private final long masks;
    private final int cells;
    private final float keepProbability;
    private final float initialWeight;
    private final long seed;
    private final Similarity similarity;
    private final String engine;
    private final int threads;
    private final String device;
    private final MaskSource maskSource;
    private final MaskDesign design;
    private final double targetError;
    private final double confidence;
    private final double stopConfidence;
    private final ImportanceEstimator estimator;
    private final boolean discrete;
    private final Baseline baseline;

    private RelaxConfig(Builder b) {
        this.batchSize = b.batchSize;
        this.masks = b.numBatches != null ? (long) b.numBatches * b.batchSize : b.masks;
        this.cells = b.cells;
        this.keepProbability = b.keepProbability;
        this.initialWeight = b.initialWeight;
        this.seed = b.seed;
        this.similarity = b.similarity;
        this.engine = b.engine;
        this.threads = b.threads;
        this.device = b.device;
        this.maskSource = b.maskSource;
        this.design = b.design;
        this.targetError = b.targetError;
        this.confidence = b.confidence;
        this.stopConfidence = b.stopConfidence;
        this.estimator = b.estimator;
        this.discrete = b.discrete;
        this.baseline = b.baseline;
    }

    /** {@return the reference's defaults} */
    public static RelaxConfig defaults() {
        return builder().build();
    }

    /** {@return a new builder, starting from the reference's defaults} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a builder starting from this configuration} */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.batchSize = batchSize;
        b.masks = masks;
        b.cells = cells;
        b.keepProbability = keepProbability;
        b.initialWeight = initialWeight;
        b.seed = seed;
        b.similarity = similarity;
        b.engine = engine;
        b.threads = threads;
        b.device = device;
        b.maskSource = maskSource;
        b.design = design;
        b.targetError = targetError;
        b.confidence = confidence;
        b.stopConfidence = stopConfidence;
        b.estimator = estimator;
        b.discrete = discrete;
        b.baseline = baseline;
        return b;
    }

    /** {@return masks per encoder call (the last batch may be smaller when {@link #masks()} is not a multiple)} */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Total number of masks as configured; with a {@link #targetError()}, the most masks the run may use. A run
     * uses {@link #masksToRun()}, which rounds this up to whole blocks of a blocked design.
     *
     * @return the configured number of masks
     */
    public long masks() {
        return masks;
    }

    /**
     * The masks a run uses: {@link #masks()} rounded up to whole blocks of the mask source
     * ({@link MaskSource#blockSize()}), since a balanced block is balanced only when whole — 3000 balanced masks
     * of 7 cells run as 3072 (24 blocks of 128); at most the source's size. For random and recorded masks, exactly
     * {@link #masks()}.
     *
     * @return the number of masks a run uses
     */
    public long masksToRun() {
        return masksToRun(maskSource());
    }

    /**
     * {@return {@link #masks()} rounded up to whole blocks of {@code source}, as {@link #masksToRun()}}
     *
     * @param source the masks of the run, e.g. {@link #maskSource(int[])} for the input's shape
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

    /** {@return number of encoder calls for the masks: ceil(masks / batchSize)} */
    public long numBatches() {
        return masks / batchSize + (masks % batchSize == 0 ? 0 : 1); // (masks + batchSize - 1) would overflow
    }

    /** {@return cells per grid side} */
    public int cells() {
        return cells;
    }

    /** {@return the probability that a grid cell is kept} */
    public float keepProbability() {
        return keepProbability;
    }

    /** {@return the estimator's starting sum of weights} */
    public float initialWeight() {
        return initialWeight;
    }

    /** {@return the seed of the masks} */
    public long seed() {
        return seed;
    }

    /** {@return how masked and unmasked representations are compared} */
    public Similarity similarity() {
        return similarity;
    }

    /** {@return engine name: {@code cpu}, or {@code opencl} with relax-gpu on the class path} */
    public String engine() {
        return engine;
    }

    /** {@return host threads for the engine} */
    public int threads() {
        return threads;
    }

    /** {@return engine-specific device choice, or null for the engine's default} */
    public String device() {
        return device;
    }

    /**
     * Where masks come from: the source set with {@link Builder#maskSource}, or else the {@link #design()}'s
     * source for (seed, cells, keepProbability) — {@code new RandomMasks(seed, cells, keepProbability)} by default.
     *
     * @return the mask source
     */
    public MaskSource maskSource() {
        return maskSource != null ? maskSource : design.source(seed, cells, keepProbability);
    }

    /**
     * Where the masks for an input of this spatial shape come from: the source set with {@link Builder#maskSource}
     * (which must fit the shape), or the {@link #design()}'s source with {@link #cells()} cells on every axis — or,
     * if {@link #discrete()}, one cell per position. For an image's shape {H, W} this is {@link #maskSource()}.
     *
     * @param shape the input's spatial shape, rank 1 to 3
     * @return the mask source
     */
    public MaskSource maskSource(int[] shape) {
        if (maskSource != null) {
            return maskSource;
        }
        if (discrete) {
            return design.source(seed, shape.clone(), true, keepProbability);
        }
        int[] grid = new int[shape.length];
        java.util.Arrays.fill(grid, cells);
        return design.source(seed, grid, false, keepProbability);
    }

    /**
     * {@return whether masks are discrete: every position of the input (e.g. every word) kept or dropped on its own,
     * without upsampling (default false: the reference's smooth masks over {@link #cells()} cells per axis)}
     */
    public boolean discrete() {
        return discrete;
    }

    /** {@return what masked-out positions become (default {@link Baseline#zero()}, the reference's x·m)} */
    public Baseline baseline() {
        return baseline;
    }

    /**
     * {@return how masks are chosen (default {@link MaskDesign#RANDOM}, the reference's). Ignored with a mask source}
     */
    public MaskDesign design() {
        return design;
    }

    /**
     * The relative error of the importance map at which the run stops (the error bound at {@link #stopConfidence()}
     * must be at or below it), or NaN to run all {@link #masks()}.
     *
     * @return the target relative error, or NaN
     */
    public double targetError() {
        return targetError;
    }

    /** {@return whether the run stops at {@link #targetError()} rather than after all masks} */
    public boolean adaptive() {
        return !Double.isNaN(targetError);
    }

    /** {@return the confidence of the error bound reported with every explanation (default 0.9)} */
    public double confidence() {
        return confidence;
    }

    /** {@return the confidence of the bound an adaptive run compares with {@link #targetError()} (default 0.8)} */
    public double stopConfidence() {
        return stopConfidence;
    }

    /** {@return how importance is estimated (default {@link ImportanceEstimator#RATIO}, the reference's)} */
    public ImportanceEstimator estimator() {
        return estimator;
    }

    @Override
    public String toString() {
        return "RelaxConfig{masks=" + masks + ", batchSize=" + batchSize + ", cells=" + cells + ", keepProbability="
                + keepProbability + ", initialWeight=" + initialWeight + ", seed=" + seed + ", similarity=" + similarity
                + ", engine=" + engine + ", threads=" + threads + (device != null ? ", device=" + device : "")
                + (maskSource != null ? ", maskSource=" + maskSource : ", design=" + design.id())
                + (adaptive() ? ", targetError=" + targetError + ", stopConfidence=" + stopConfidence : "")
                + ", confidence=" + confidence
                + (estimator != ImportanceEstimator.RATIO ? ", estimator=" + estimator.id() : "")
                + (discrete ? ", discrete" : "") + (baseline.isZero() ? "" : ", baseline=" + baseline.id()) + "}";
    }

    /** Builds a {@link RelaxConfig}; every setter checks its value at once and names it in the exception. */
    public static final class Builder {
        private int batchSize = DEFAULT_BATCH_SIZE;
        private long masks = (long) DEFAULT_NUM_BATCHES * DEFAULT_BATCH_SIZE;
        private Integer numBatches;
        private int cells = DEFAULT_CELLS;
        private float keepProbability = DEFAULT_KEEP_PROBABILITY;
        private float initialWeight = DEFAULT_INITIAL_WEIGHT;
        private long seed = DEFAULT_SEED;
        private Similarity similarity = Similarity.cosine();
        private String engine = Engines.CPU;
        private int threads = Runtime.getRuntime().availableProcessors();
        private String device;
        private MaskSource maskSource;
        private boolean discrete;
        private Baseline baseline = Baseline.zero();
        private MaskDesign design = MaskDesign.RANDOM;
        private double targetError = Double.NaN;
        private double confidence = DEFAULT_CONFIDENCE;
        private double stopConfidence = DEFAULT_STOP_CONFIDENCE;
        private ImportanceEstimator estimator = ImportanceEstimator.RATIO;

        private Builder() {
        }

        /**
         * Masks per encoder call, at least 1 (default 100).
         *
         * @param batchSize masks per encoder call
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Total masks, at least 1 (default 3000). Replaces an earlier {@link #numBatches}.
         *
         * @param masks total masks
         * @return this builder
         */
        public Builder masks(long masks) {
            if (masks < 1) {
                throw new IllegalArgumentException("masks must be at least 1, got " + masks);
            }
            this.masks = masks;
            this.numBatches = null;
            return this;
        }

        /**
         * Number of batches, as the reference counts: total masks = numBatches × batchSize. Replaces {@link #masks}.
         *
         * @param numBatches number of batches
         * @return this builder
         */
        public Builder numBatches(int numBatches) {
            if (numBatches < 1) {
                throw new IllegalArgumentException("numBatches must be at least 1, got " + numBatches);
            }
            this.numBatches = numBatches;
            return this;
        }

        /**
         * Cells per grid side, in [1, 1024] (default 7).
         *
         * @param cells cells per grid side
         * @return this builder
         */
        public Builder cells(int cells) {
            if (cells < 1 || cells > 1024) {
                throw new IllegalArgumentException("cells must be in [1, 1024], got " + cells);
            }
            this.cells = cells;
            return this;
        }

        /**
         * Probability that a grid cell is kept, in (0, 1] (default 0.5).
         *
         * @param keepProbability probability that a grid cell is kept
         * @return this builder
         */
        public Builder keepProbability(float keepProbability) {
            if (!(keepProbability > 0f && keepProbability <= 1f)) {
                throw new IllegalArgumentException("keepProbability must be in (0, 1], got " + keepProbability);
            }
            this.keepProbability = keepProbability;
            return this;
        }

        /**
         * The estimator's starting sum of weights, finite and &gt; 0 (default 1e-10).
         *
         * @param initialWeight the estimator's starting sum of weights
         * @return this builder
         */
        public Builder initialWeight(float initialWeight) {
            if (!(initialWeight > 0f) || !Float.isFinite(initialWeight)) {
                throw new IllegalArgumentException("initialWeight must be finite and > 0, got " + initialWeight);
            }
            this.initialWeight = initialWeight;
            return this;
        }

        /**
         * Seed of the random masks (default 0).
         *
         * @param seed seed of the random masks
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * How masked and unmasked representations are compared (default cosine).
         *
         * @param similarity how representations are compared
         * @return this builder
         */
        public Builder similarity(Similarity similarity) {
            this.similarity = Objects.requireNonNull(similarity, "similarity");
            return this;
        }

        /**
         * Engine name: {@code cpu} (default) or {@code opencl}. Checked when the engine is created.
         *
         * @param engine engine name
         * @return this builder
         */
        public Builder engine(String engine) {
            Objects.requireNonNull(engine, "engine");
            if (engine.isBlank()) {
                throw new IllegalArgumentException("engine must not be blank");
            }
            this.engine = engine.trim();
            return this;
        }

        /**
         * Host threads, at least 1 (default: available processors). Results do not depend on it.
         *
         * @param threads host threads
         * @return this builder
         */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /**
         * Engine-specific device choice (for opencl: an index or part of a device name); null for the default.
         *
         * @param device device choice, or null for the default
         * @return this builder
         */
        public Builder device(String device) {
            this.device = device;
            return this;
        }

        /**
         * Masks from elsewhere, e.g. {@link org.relax4j.mask.RecordedMasks} to reproduce another implementation's
         * run; null (default) for random masks from the seed. Its cells and discreteness replace {@link #cells}
         * and {@link #discrete}.
         *
         * @param maskSource the masks, or null
         * @return this builder
         */
        public Builder maskSource(MaskSource maskSource) {
            this.maskSource = maskSource;
            if (maskSource != null) {
                this.cells = maskSource.cells();
                this.discrete = maskSource.discrete();
            }
            return this;
        }

        /**
         * How masks are chosen: {@link MaskDesign#RANDOM} (default, the reference's) or {@link MaskDesign#BALANCED}
         * (the same map quality from several times fewer masks). Cannot be combined with {@link #maskSource}.
         *
         * @param design the mask design
         * @return this builder
         */
        public Builder design(MaskDesign design) {
            this.design = Objects.requireNonNull(design, "design");
            return this;
        }

        /**
         * Stop as soon as the importance map's estimated relative error is at most {@code targetError} (its bound
         * at {@link #stopConfidence} confidence), with {@link #masks} as the most masks to use; NaN (default) runs all
         * masks. Checked at whole blocks of the mask design, each look at least 25 % more masks than the last (every
         * look is a chance to stop on an estimate that is low by luck; fewer looks, fewer such stops).
         *
         * @param targetError the target relative error, or NaN
         * @return this builder
         */
        public Builder targetError(double targetError) {
            if (!Double.isNaN(targetError) && !(targetError > 0 && targetError < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("targetError must be > 0 and finite (or NaN for none), got "
                        + targetError);
            }
            this.targetError = targetError;
            return this;
        }

        /**
         * Confidence of the error bound, in [0.5, 1) (default 0.9).
         *
         * @param confidence confidence of the error bound
         * @return this builder
         */
        public Builder confidence(double confidence) {
            if (!(confidence >= 0.5 && confidence < 1)) {
                throw new IllegalArgumentException("confidence must be in [0.5, 1), got " + confidence);
            }
            this.confidence = confidence;
            return this;
        }

        /**
         * Confidence of the bound that an adaptive run compares with its {@link #targetError} at each look, in
         * [0.5, 1) (default {@value RelaxConfig#DEFAULT_STOP_CONFIDENCE}). Lower than the reported bound's because a
         * run stops only at the first look where the bound has fallen under the target, and between looks the error
         * falls in steps (a block, at least 25 %), so the error at the stop is usually well under the target. At
         * 0.8 every balanced run and 95 % of random ones ended within their target (BENCHMARKS.md); raise it for
         * more margin at the cost of more passes.
         *
         * @param stopConfidence confidence of the bound compared with the target
         * @return this builder
         */
        public Builder stopConfidence(double stopConfidence) {
            if (!(stopConfidence >= 0.5 && stopConfidence < 1)) {
                throw new IllegalArgumentException("stopConfidence must be in [0.5, 1), got " + stopConfidence);
            }
            this.stopConfidence = stopConfidence;
            return this;
        }

        /**
         * How importance is estimated: {@link ImportanceEstimator#RATIO} (default, the reference's) or
         * {@link ImportanceEstimator#CONTROL_VARIATE} (a smaller error from the same masks; needs a mask design, not
         * a {@link #maskSource}, since it uses the design's known mask distribution).
         *
         * @param estimator the importance estimator
         * @return this builder
         */
        public Builder estimator(ImportanceEstimator estimator) {
            this.estimator = Objects.requireNonNull(estimator, "estimator");
            return this;
        }

        /**
         * Discrete masks: every position of the input kept or dropped on its own with the keep probability, no
         * upsampling, no shift — for inputs whose positions are separate things, such as the words of a text
         * (default false: the reference's smooth masks). {@link #cells} is then ignored.
         *
         * @param discrete whether masks are discrete
         * @return this builder
         */
        public Builder discrete(boolean discrete) {
            this.discrete = discrete;
            return this;
        }

        /**
         * What masked-out positions become: the masked input is {@code x·m + b·(1 − m)} (default
         * {@link Baseline#zero()}, the reference's {@code x·m}).
         *
         * @param baseline the baseline
         * @return this builder
         */
        public Builder baseline(Baseline baseline) {
            this.baseline = Objects.requireNonNull(baseline, "baseline");
            return this;
        }

        /**
         * Builds the configuration.
         *
         * @return the configuration
         * @throws IllegalArgumentException if the masks exceed a supplied mask source's size, a mask source is
         *         combined with a design other than random or with the control-variate estimator, or {@link #cells} or
         *         {@link #discrete} set after a mask source disagree with it (what is computed must not depend on
         *         the order of the setters)
         */
        public RelaxConfig build() {
            if (maskSource != null && estimator == ImportanceEstimator.CONTROL_VARIATE) {
                throw new IllegalArgumentException("estimator = control-variate needs a mask design's known distribution; "
                        + "it cannot be used with a maskSource");
            }
            if (maskSource != null && cells != maskSource.cells()) {
                throw new IllegalArgumentException("cells = " + cells + " but the mask source has " + maskSource.cells()
                        + " cells; a mask source brings its own cells, so do not set cells after it");
            }
            if (maskSource != null && discrete != maskSource.discrete()) {
                throw new IllegalArgumentException("discrete = " + discrete + " but the mask source's masks are "
                        + (maskSource.discrete() ? "discrete" : "smooth") + "; a mask source decides that itself");
            }
            if (maskSource != null && design != MaskDesign.RANDOM) {
                throw new IllegalArgumentException("design = " + design.id() + " and a maskSource are both set; "
                        + "a mask source brings its own masks, so set one or the other");
            }
            RelaxConfig c = new RelaxConfig(this);
            if (maskSource != null && c.masks > maskSource.size()) {
                throw new IllegalArgumentException("masks = " + c.masks + " but the mask source holds only "
                        + maskSource.size());
            }
            return c;
        }
    }
}
