package org.relax4j;

/** Receives {@link Progress} after each batch, on the thread that runs the explanation. Should return quickly. */
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
}
