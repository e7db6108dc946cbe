package org.relax4j.engine;

import java.util.Objects;
import org.relax4j.data.InputTensor;
import org.relax4j.mask.MaskDomain;
import org.relax4j.mask.MaskGeometry;
import org.relax4j.mask.MaskSource;

/**
 * The argument checks every {@link Engine} makes, in one place so that all engines reject the same calls with the
 * same messages (the engine contract tests rely on it).
 */
public final class EngineChecks {
    private EngineChecks() {
    }

    /**
     * Checks the arguments of {@link Engine#open} for an engine that renders smooth masks over images only (rank 2,
     * the same cells on both axes), as the reference does: {@link #checkDomain}, then the domain.
     *
     * @param input the input to mask
     * @param masks where the masks come from
     * @param maxBatch the largest batch
     * @param initialWeight the estimator's starting sum of weights
     * @return the masks' geometry for this input, which every engine needs
     * @throws IllegalArgumentException naming the problem, including a domain other than an image's
     */
    public static MaskGeometry checkOpen(InputTensor input, MaskSource masks, int maxBatch, float initialWeight) {
        MaskDomain domain = checkDomain(input, masks, maxBatch, initialWeight);
        if (!(domain.renderer() instanceof MaskGeometry image)) {
            throw new IllegalArgumentException("this engine supports rank 2 only (smooth masks over images, square "
                    + "grids), but the input's masks are " + domain + "; the cpu engine supports every rank (1 to 3) and "
                    + "discrete masks");
        }
        return image;
    }

    /**
     * Checks the arguments of {@link Engine#open} for an engine that takes every {@link MaskDomain}: non-null input
     * and masks, {@code maxBatch ≥ 1}, a finite positive initial weight, masks that fit the input (rank, size for
     * the cells, positions for discrete masks), and a batch that fits one Java array.
     *
     * @param input the input to mask
     * @param masks where the masks come from
     * @param maxBatch the largest batch
     * @param initialWeight the estimator's starting sum of weights
     * @return the masks' domain over this input
     * @throws IllegalArgumentException naming the problem
     */
    public static MaskDomain checkDomain(InputTensor input, MaskSource masks, int maxBatch, float initialWeight) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(masks, "masks");
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
        if (!(initialWeight > 0f) || !Float.isFinite(initialWeight)) {
            throw new IllegalArgumentException("initialWeight must be finite and > 0, got " + initialWeight);
        }
        MaskDomain domain = MaskDomain.of(input.shape(), masks);
        long batchFloats = (long) maxBatch * input.channels() * input.pixels();
        if (batchFloats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a batch of " + maxBatch + " inputs of " + input + " needs " + batchFloats
                    + " floats, more than one Java array holds; use a smaller batch size");
        }
        return domain;
    }

    /**
     * Checks a batch's mask range for {@link EngineRun#masked}, {@link EngineRun#prefetch} and
     * {@link EngineRun#accumulate}.
     *
     * @param first the first mask of the range
     * @param count the number of masks
     * @param maxBatch the largest batch the run allows
     * @param source the run's mask source
     * @throws IllegalArgumentException if count is not in [1, maxBatch] or the range is outside the source
     */
    public static void checkBatch(long first, int count, int maxBatch, MaskSource source) {
        if (count < 1 || count > maxBatch) {
            throw new IllegalArgumentException("batch of " + count + " masks is outside [1, " + maxBatch + "]");
        }
        if (first < 0 || first > source.size() - count) {
            throw new IllegalArgumentException("masks [" + first + ", " + (first + count) + ") are outside the source's "
                    + source.size() + " masks");
        }
    }

    /**
     * Checks {@link EngineRun#accumulate}'s similarities.
     *
     * @param similarities the similarities; not null
     * @param count the number of masks they must cover
     * @throws IllegalArgumentException if there are fewer than {@code count}
     */
    public static void checkSimilarities(float[] similarities, int count) {
        Objects.requireNonNull(similarities, "similarities");
        if (similarities.length < count) {
            throw new IllegalArgumentException(count + " masks need " + count + " similarities, got " + similarities.length);
        }
    }
}
