package org.relax4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.relax4j.data.InvalidSettingException;
import org.relax4j.estimate.ImportanceEstimator;
import org.relax4j.mask.MaskDesign;
import org.relax4j.mask.MaskSource;

/**
 * Everything an explanation depends on: what is computed ({@link #settings()}) and how it runs
 * ({@link #execution()}), immutable, validated, with value equality. Defaults are the reference's (spec,
 * "Defaults"): 30 batches of 100 masks, 7 cells, keep probability 0.5, initial weight 1e-10, cosine.
 * {@link SettingsCodec} writes and reads it as plain values (provenance, summary.json, Spark's executors).
 *
 * <pre>{@code
 * RelaxConfig config = RelaxConfig.builder().masks(2000).seed(7).engine("opencl").build();
 * }</pre>
 *
 * @param settings what is computed
 * @param execution how it runs
 */
public record RelaxConfig(Settings settings, Execution execution) {
    /** Reference default: masks per encoder call. */
    public static final int DEFAULT_BATCH_SIZE = Execution.DEFAULT_BATCH_SIZE;
    /** Reference default: batches. */
    public static final int DEFAULT_NUM_BATCHES = Settings.DEFAULT_NUM_BATCHES;
    /** Reference default: cells per grid side. */
    public static final int DEFAULT_CELLS = Settings.DEFAULT_CELLS;
    /** Reference default: probability that a grid cell is kept (1). */
    public static final float DEFAULT_KEEP_PROBABILITY = Settings.DEFAULT_KEEP_PROBABILITY;
    /** Reference default: the estimator's starting sum of weights. */
    public static final float DEFAULT_INITIAL_WEIGHT = Settings.DEFAULT_INITIAL_WEIGHT;
    /** Default seed (the reference draws unseeded; we never do). */
    public static final long DEFAULT_SEED = Settings.DEFAULT_SEED;
    /** Default confidence of the error bound reported with every explanation. */
    public static final double DEFAULT_CONFIDENCE = Settings.DEFAULT_CONFIDENCE;
    /** Default confidence of the bound an adaptive run compares with its target ({@link Settings}). */
    public static final double DEFAULT_STOP_CONFIDENCE = Settings.DEFAULT_STOP_CONFIDENCE;

    /** @throws NullPointerException if either part is null */
    public RelaxConfig {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(execution, "execution");
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
        b.what.putAll(Records.values(settings));
        b.how.putAll(Records.values(execution));
        return b;
    }

    /** {@return masks per encoder call (the last batch may be smaller when {@link #masks()} is not a multiple)} */
    public int batchSize() {
        return execution.batchSize();
    }

    /**
     * Total number of masks as configured; with a {@link #targetError()}, the most masks the run may use. A run
     * uses {@link #masksToRun()}, which rounds this up to whole blocks of a blocked design.
     *
     * @return the configured number of masks
     */
    public long masks() {
        return settings.masks();
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
        return settings.masksToRun(maskSource());
    }

    /**
     * {@return {@link #masks()} rounded up to whole blocks of {@code source}, as {@link #masksToRun()}}
     *
     * @param source the masks of the run, e.g. {@link #maskSource(int[])} for the input's shape
     */
    public long masksToRun(MaskSource source) {
        return settings.masksToRun(source);
    }

    /** {@return number of encoder calls for the masks: ceil(masks / batchSize)} */
    public long numBatches() {
        long masks = masks();
        int batchSize = batchSize();
        return masks / batchSize + (masks % batchSize == 0 ? 0 : 1); // (masks + batchSize - 1) would overflow
    }

    /** {@return cells per grid side} */
    public int cells() {
        return settings.cells();
    }

    /** {@return the probability that a grid cell is kept} */
    public float keepProbability() {
        return settings.keepProbability();
    }

    /** {@return the estimator's starting sum of weights} */
    public float initialWeight() {
        return settings.initialWeight();
    }

    /** {@return the seed of the masks} */
    public long seed() {
        return settings.seed();
    }

    /** {@return how masked and unmasked representations are compared} */
    public Similarity similarity() {
        return settings.similarity();
    }

    /** {@return engine name: {@code cpu}, or {@code opencl} with relax-gpu on the class path} */
    public String engine() {
        return execution.engine();
    }

    /** {@return host threads for the engine} */
    public int threads() {
        return execution.threads();
    }

    /** {@return engine-specific device choice, or null for the engine's default} */
    public String device() {
        return execution.device();
    }

    /**
     * Where masks come from: the source set with {@link Builder#maskSource}, or else the {@link #design()}'s
     * source for (seed, cells, keepProbability) — {@code new RandomMasks(seed, cells, keepProbability)} by default.
     *
     * @return the mask source
     */
    public MaskSource maskSource() {
        Settings s = settings;
        return s.maskSource() != null ? s.maskSource() : s.design().source(s.seed(), s.cells(), s.keepProbability());
    }

    /**
     * Where the masks for an input of this spatial shape come from ({@link Settings#masksFor(int[])}). For an
     * image's shape {H, W} this is {@link #maskSource()}.
     *
     * @param shape the input's spatial shape, rank 1 to 3
     * @return the mask source
     */
    public MaskSource maskSource(int[] shape) {
        return settings.masksFor(shape);
    }

    /**
     * {@return whether masks are discrete: every position of the input (e.g. every word) kept or dropped on its own,
     * without upsampling (default false: the reference's smooth masks over {@link #cells()} cells per axis)}
     */
    public boolean discrete() {
        return settings.discrete();
    }

    /** {@return what masked-out positions become (default {@link Baseline#zero()}, the reference's x·m)} */
    public Baseline baseline() {
        return settings.baseline();
    }

    /**
     * {@return how masks are chosen (default {@link MaskDesign#RANDOM}, the reference's). Ignored with a mask source}
     */
    public MaskDesign design() {
        return settings.design();
    }

    /**
     * The relative error of the importance map at which the run stops (the error bound at {@link #stopConfidence()}
     * must be at or below it), or NaN to run all {@link #masks()}.
     *
     * @return the target relative error, or NaN
     */
    public double targetError() {
        return settings.targetError();
    }

    /** {@return whether the run stops at {@link #targetError()} rather than after all masks} */
    public boolean adaptive() {
        return settings.adaptive();
    }

    /** {@return the confidence of the error bound reported with every explanation (default 0.9)} */
    public double confidence() {
        return settings.confidence();
    }

    /** {@return the confidence of the bound an adaptive run compares with {@link #targetError()} (default 0.8)} */
    public double stopConfidence() {
        return settings.stopConfidence();
    }

    /** {@return how importance is estimated (default {@link ImportanceEstimator#RATIO}, the reference's)} */
    public ImportanceEstimator estimator() {
        return settings.estimator();
    }

    /** {@return every setting, as {@link SettingsCodec} writes it, e.g. {@code RelaxConfig{masks=3000, cells=7, ...}}} */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("RelaxConfig{");
        for (Map<String, Object> part : List.of(SettingsCodec.encode(settings), SettingsCodec.encode(execution))) {
            part.forEach((k, v) -> {
                if (v != null) {
                    b.append(b.length() > 12 ? ", " : "").append(k).append('=').append(v);
                }
            });
        }
        return b.append('}').toString();
    }

    /** Builds a {@link RelaxConfig}; every setter checks its value at once and names it in the exception. */
    public static final class Builder {
        // The components set so far, by name; build() takes the rest from Settings.defaults() and
        // Execution.defaults(), so the builder never restates a setting's default or the records' shape.
        private final Map<String, Object> what = new HashMap<>();
        private final Map<String, Object> how = new HashMap<>();
        private Integer numBatches;

        private Builder() {
        }

        /**
         * Masks per encoder call, at least 1 (default 100).
         *
         * @param batchSize masks per encoder call
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            Execution.checkBatchSize(batchSize);
            return how("batchSize", batchSize);
        }

        /**
         * Total masks, at least 1 (default 3000). Replaces an earlier {@link #numBatches}.
         *
         * @param masks total masks
         * @return this builder
         */
        public Builder masks(long masks) {
            Settings.checkMasks(masks);
            this.numBatches = null;
            return what("masks", masks);
        }

        /**
         * Number of batches, as the reference counts: total masks = numBatches × batchSize. Replaces {@link #masks}.
         *
         * @param numBatches number of batches
         * @return this builder
         */
        public Builder numBatches(int numBatches) {
            if (numBatches < 1) {
                throw new InvalidSettingException("numBatches", "must be at least 1, got " + numBatches);
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
            Settings.checkCells(cells);
            return what("cells", cells);
        }

        /**
         * Probability that a grid cell is kept, in (0, 1] (default 0.5).
         *
         * @param keepProbability probability that a grid cell is kept
         * @return this builder
         */
        public Builder keepProbability(float keepProbability) {
            Settings.checkKeepProbability(keepProbability);
            return what("keepProbability", keepProbability);
        }

        /**
         * The estimator's starting sum of weights, finite and &gt; 0 (default 1e-10).
         *
         * @param initialWeight the estimator's starting sum of weights
         * @return this builder
         */
        public Builder initialWeight(float initialWeight) {
            Settings.checkInitialWeight(initialWeight);
            return what("initialWeight", initialWeight);
        }

        /**
         * Seed of the random masks (default 0).
         *
         * @param seed seed of the random masks
         * @return this builder
         */
        public Builder seed(long seed) {
            return what("seed", seed);
        }

        /**
         * How masked and unmasked representations are compared (default cosine).
         *
         * @param similarity how representations are compared
         * @return this builder
         */
        public Builder similarity(Similarity similarity) {
            return what("similarity", Objects.requireNonNull(similarity, "similarity"));
        }

        /**
         * Engine name: {@code cpu} (default) or {@code opencl}. Checked when the engine is created.
         *
         * @param engine engine name
         * @return this builder
         */
        public Builder engine(String engine) {
            return how("engine", Execution.checkEngine(engine));
        }

        /**
         * Host threads, at least 1 (default: available processors). Results do not depend on it.
         *
         * @param threads host threads
         * @return this builder
         */
        public Builder threads(int threads) {
            Execution.checkThreads(threads);
            return how("threads", threads);
        }

        /**
         * Engine-specific device choice (for opencl: an index or part of a device name); null for the default.
         *
         * @param device device choice, or null for the default
         * @return this builder
         */
        public Builder device(String device) {
            return how("device", device);
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
            if (maskSource != null) {
                what("cells", maskSource.cells());
                what("discrete", maskSource.discrete());
            }
            return what("maskSource", maskSource);
        }

        /**
         * How masks are chosen: {@link MaskDesign#RANDOM} (default, the reference's) or {@link MaskDesign#BALANCED}
         * (the same map quality from several times fewer masks). Cannot be combined with {@link #maskSource}.
         *
         * @param design the mask design
         * @return this builder
         */
        public Builder design(MaskDesign design) {
            return what("design", Objects.requireNonNull(design, "design"));
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
            Settings.checkTargetError(targetError);
            return what("targetError", targetError);
        }

        /**
         * Confidence of the error bound, in [0.5, 1) (default 0.9).
         *
         * @param confidence confidence of the error bound
         * @return this builder
         */
        public Builder confidence(double confidence) {
            Settings.checkConfidence("confidence", confidence);
            return what("confidence", confidence);
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
            Settings.checkConfidence("stopConfidence", stopConfidence);
            return what("stopConfidence", stopConfidence);
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
            return what("estimator", Objects.requireNonNull(estimator, "estimator"));
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
            return what("discrete", discrete);
        }

        /**
         * What masked-out positions become: the masked input is {@code x·m + b·(1 − m)} (default
         * {@link Baseline#zero()}, the reference's {@code x·m}).
         *
         * @param baseline the baseline
         * @return this builder
         */
        public Builder baseline(Baseline baseline) {
            return what("baseline", Objects.requireNonNull(baseline, "baseline"));
        }

        /**
         * Builds the configuration.
         *
         * @return the configuration
         * @throws InvalidSettingException if the masks exceed a supplied mask source's size, a mask source is
         *         combined with a design other than random or with the control-variate estimator, or {@link #cells} or
         *         {@link #discrete} set after a mask source disagree with it (what is computed must not depend on
         *         the order of the setters)
         */
        public RelaxConfig build() {
            Execution execution = Records.build(Execution.class, Execution.defaults(), how);
            Map<String, Object> settings = what;
            if (numBatches != null) {
                settings = new HashMap<>(what);
                settings.put("masks", (long) numBatches * execution.batchSize());
            }
            return new RelaxConfig(Records.build(Settings.class, Settings.defaults(), settings), execution);
        }

        private Builder what(String setting, Object value) {
            what.put(setting, value);
            return this;
        }

        private Builder how(String setting, Object value) {
            how.put(setting, value);
            return this;
        }
    }
}
