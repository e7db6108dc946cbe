package org.relax4j.estimate;

import org.relax4j.PixelMap;

/**
 * How far an importance map is likely to be from the map an unlimited number of masks would give, estimated from
 * the run itself by comparing independent blocks of masks ({@link BlockErrorEstimator}).
 *
 * <p>The error is measured as the issue tracker and the benchmarks measure it: the relative L2 distance between
 * centred maps, {@code ‖(x − x̄) − (g − ḡ)‖ / ‖g − ḡ‖}, with x this run's importance and g the limit.
 *
 * @param relativeError the root-mean-square relative error expected for this run (a point estimate)
 * @param bound an upper bound on this run's relative error at {@code confidence}: the true error is at most this
 *        with that probability (accounts for the error's own spread and for the estimate's uncertainty)
 * @param confidence the bound's confidence, e.g. 0.9
 * @param blocks the number of independent blocks the estimate is made from
 * @param effectiveDegreesOfFreedom how many independent components the error field has (from the blocks' spread);
 *        the fewer, the more the error of one run scatters around its expectation
 * @param noise the expected squared L2 norm of the centred map's error, {@code E‖(x − x̄) − (g − ḡ)‖²} (the
 *        numerator of the squared relative error)
 * @param standardError per pixel, the standard error of the importance (delta method for a ratio estimator)
 */
public record ErrorEstimate(double relativeError, double bound, double confidence, int blocks,
                            double effectiveDegreesOfFreedom, double noise, PixelMap standardError) {

    /** Fewest blocks that give an estimate. */
    public static final int MIN_BLOCKS = 2;

    /** {@return whether there were enough blocks for an estimate; if not, the numbers are NaN} */
    public boolean isKnown() {
        return blocks >= MIN_BLOCKS && !Double.isNaN(relativeError);
    }
}
