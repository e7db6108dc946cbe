package org.relax4j;

/** Receives {@link Progress} after each batch, on the thread that runs the explanation. Should return quickly. */
@FunctionalInterface
public interface ProgressListener {

    /** Ignores progress. */
    ProgressListener NONE = p -> { };

    void onProgress(Progress progress);
}
