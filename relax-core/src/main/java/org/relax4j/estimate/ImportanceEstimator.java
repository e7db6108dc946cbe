package org.relax4j.estimate;

import java.util.Locale;

/** How the importance map is estimated from the masks and their similarities. */
public enum ImportanceEstimator {
    /**
     * The reference's streaming weighted mean, {@code Σ s·m / Σ m} (spec, "The estimator"); bit-identical to it on
     * the same masks. The default.
     */
    RATIO,
    /**
     * The ratio estimator of the residuals of a fitted surrogate of the similarity, plus the surrogate's exact
     * contribution ({@link ControlVariate}): the same map in the limit, with a smaller error for the same masks.
     * Uncertainty and variance stay the reference's.
     */
    CONTROL_VARIATE;

    /** {@return the name as the command line spells it: {@code ratio} or {@code control-variate}} */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Parses {@link #id()}, case-insensitively.
     *
     * @param id {@code ratio} or {@code control-variate}, in any case; surrounding blanks are ignored
     * @return the estimator
     * @throws IllegalArgumentException naming the valid estimators
     */
    public static ImportanceEstimator parse(String id) {
        for (ImportanceEstimator e : values()) {
            if (e.id().equalsIgnoreCase(id.trim())) {
                return e;
            }
        }
        throw new org.relax4j.InvalidSettingException("estimator", "must be ratio or control-variate, got '" + id + "'");
    }
}
