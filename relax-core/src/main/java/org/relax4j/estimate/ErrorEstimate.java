package org.relax4j.estimate;

import org.relax4j.data.PixelMap;

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
 * @param estimateDegreesOfFreedom how well the expected squared error is known: ν·(K − 1) for K blocks (K counts
 *        stored blocks, adjacent ones merged beyond 256); the bound's allowance for the estimate's own uncertainty
 * @param noise the expected squared L2 norm of the centred map's error, {@code E‖(x − x̄) − (g − ḡ)‖²} (the
 *        numerator of the squared relative error)
 * @param standardError per pixel, the standard error of the importance (delta method for a ratio estimator)
 */
public record ErrorEstimate(double relativeError, double bound, double confidence, int blocks,
                            double effectiveDegreesOfFreedom, double estimateDegreesOfFreedom, double noise,
                            PixelMap standardError) {

    /** Fewest blocks that give an estimate. */
    public static final int MIN_BLOCKS = 2;

    /** {@return whether there were enough blocks for an estimate; if not, the numbers are NaN} */
    public boolean isKnown() {
        return blocks >= MIN_BLOCKS && !Double.isNaN(relativeError);
    }

    /**
     * {@return the bound at another confidence, from the same estimate: what {@link #bound()} would be had the
     * estimate been made at {@code confidence}}
     *
     * @param confidence in (0, 1)
     */
    public double boundAt(double confidence) {
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
        }
        return relativeError * boundFactor(confidence, effectiveDegreesOfFreedom, estimateDegreesOfFreedom);
    }

    /**
     * The bound over the point estimate (BlockErrorEstimator's class comment): the square root of the
     * c-quantile of F(ν / 2, ν·(K − 1)), the run's own squared error scattering with half the field's ν.
     */
    static double boundFactor(double confidence, double nu, double estimateDof) {
        return Math.sqrt(Quantiles.f(confidence, Math.max(1, BlockErrorEstimator.TAIL_DOF_FRACTION * nu),
                estimateDof));
    }
}
