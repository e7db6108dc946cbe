package org.relax4j;

/**
 * Receives {@link Progress} (and, if it wants them, the similarities) after each batch, on the thread that runs the
 * explanation. Should return quickly.
 */
@FunctionalInterface
public interface ProgressListener {

    /** Ignores progress. */
    ProgressListener NONE = p -> { };

    /**
     * Called after each batch.
     *
     * @param progress how far the explanation has come
     */
    void onProgress(Progress progress);

    /**
     * Called after each batch is accumulated, before {@link #onProgress}, with the similarity of every mask of the
     * batch to the target: what a benchmark records, or a tool that wants to replay the run. The default ignores it.
     *
     * @param firstMask the batch's first mask
     * @param count the number of masks in the batch
     * @param similarities at least {@code count} values, mask {@code firstMask + k} at index k; a buffer the run
     *        reuses, valid only during the call. Not to be modified.
     */
    default void onBatch(long firstMask, int count, float[] similarities) {
    }
}
