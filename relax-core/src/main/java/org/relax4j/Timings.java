package org.relax4j;

import java.time.Duration;

/**
 * Where an explanation's wall time went.
 *
 * @param masking rendering masks and writing masked inputs (waiting for them, for an asynchronous engine)
 * @param encoder the encoder's calls, the unmasked input's included
 * @param accumulation similarities and the estimator's updates (waiting for them, for an asynchronous engine)
 * @param total the whole explanation, start to end
 */
public record Timings(Duration masking, Duration encoder, Duration accumulation, Duration total) {

    /** {@return everything but the encoder} */
    public Duration relaxOwn() {
        return total.minus(encoder);
    }

    @Override
    public String toString() {
        return String.format("total %.3f s (masking %.3f s, encoder %.3f s, accumulation %.3f s)",
                seconds(total), seconds(masking), seconds(encoder), seconds(accumulation));
    }

    static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
