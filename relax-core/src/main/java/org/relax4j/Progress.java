package org.relax4j;

import java.time.Duration;

/**
 * How far an explanation has come, reported after every batch. With a target error, {@code masksTotal} is the
 * most masks the run may use; it may stop sooner.
 *
 * @param masksDone masks encoded and accumulated so far
 * @param masksTotal masks the explanation will use
 * @param elapsed wall time since the explanation started
 * @param estimatedError the importance map's estimated relative error so far (its bound at the configured
 *        confidence), or NaN while too few masks are done for an estimate
 */
public record Progress(long masksDone, long masksTotal, Duration elapsed, double estimatedError) {

    /**
     * Progress without an error estimate.
     *
     * @param masksDone masks encoded and accumulated so far
     * @param masksTotal masks the explanation will use
     * @param elapsed wall time since the explanation started
     */
    public Progress(long masksDone, long masksTotal, Duration elapsed) {
        this(masksDone, masksTotal, elapsed, Double.NaN);
    }

    /** {@return fraction done, in [0, 1]} */
    public double fraction() {
        return masksTotal == 0 ? 1.0 : (double) masksDone / masksTotal;
    }

    /** {@return estimated time left, extrapolating the rate so far; zero when done or before any progress} */
    public Duration remaining() {
        if (masksDone <= 0 || masksDone >= masksTotal) {
            return Duration.ZERO;
        }
        return Duration.ofNanos((long) (elapsed.toNanos() * ((double) (masksTotal - masksDone) / masksDone)));
    }
}
