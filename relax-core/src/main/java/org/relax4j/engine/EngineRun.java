package org.relax4j.engine;

import org.relax4j.data.InputBatch;
import org.relax4j.estimate.WeightedWelford;

/**
 * One explanation in progress on an {@link Engine}. Batches are consecutive ranges of mask indices; the
 * explainer calls, for each batch k: {@code masked(k)}, then {@code prefetch(k+1)}, then the encoder, then
 * {@code accumulate(k)}. Not thread safe.
 */
public interface EngineRun extends AutoCloseable {

    /**
     * A hint that {@link #masked} will next be asked for this range; an asynchronous engine starts rendering
     * it now, so that the device works while the host runs the encoder. The default does nothing.
     *
     * @param firstMask the first mask of the range
     * @param count the number of masks
     * @throws IllegalArgumentException if the range is invalid (as {@link #masked} would); an engine that ignores
     *         the hint may leave the check to {@code masked}
     */
    default void prefetch(long firstMask, int count) {
    }

    /**
     * The input multiplied by masks {@code [firstMask, firstMask + count)} (each mask broadcast over channels),
     * as a batch (count, C, H, W).
     *
     * @param firstMask the first mask of the range
     * @param count the number of masks, in [1, maxBatch]
     * @return a view of the engine's buffer, valid until the next call of {@code masked} or {@link #close}
     * @throws IllegalArgumentException if count is not in [1, maxBatch] or the range is outside the mask source
     */
    InputBatch masked(long firstMask, int count);

    /**
     * Adds masks {@code [firstMask, firstMask + count)} to the estimator, in mask order, weighted by their
     * similarities. Needs no earlier {@link #masked} call for the range (replays use that). May return
     * before the work is done; {@link #state()} waits for it.
     *
     * @param firstMask the first mask of the range
     * @param count the number of masks
     * @param similarities at least {@code count} values, the similarity of each mask in order. Not modified,
     *        and not kept after the call returns.
     */
    void accumulate(long firstMask, int count, float[] similarities);

    /** {@return the estimator's state after every accumulated batch (waits for pending work). A snapshot} */
    WeightedWelford state();

    /** Releases the run's buffers. Idempotent. */
    @Override
    void close();
}
