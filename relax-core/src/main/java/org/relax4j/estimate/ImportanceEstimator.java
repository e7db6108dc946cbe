package org.relax4j.estimate;

import java.util.Locale;
import org.relax4j.mask.MaskDomain;
import org.relax4j.mask.MaskGeometry;

/** How the importance map is estimated from the masks and their similarities. */
public enum ImportanceEstimator {
    /**
     * The reference's streaming weighted mean, {@code Σ s·m / Σ m} (spec, "The estimator"); bit-identical to it on
     * the same masks. The default.
     */
    RATIO {
        @Override
        public ControlVariate controlVariate(MaskDomain domain, float keepProbability) {
            return null;
        }
    },
    /**
     * The ratio estimator of the residuals of a fitted surrogate of the similarity, plus the surrogate's exact
     * contribution ({@link ControlVariate}): the same map in the limit, with a smaller error for the same masks.
     * Uncertainty and variance stay the reference's.
     */
    CONTROL_VARIATE {
        @Override
        public ControlVariate controlVariate(MaskDomain domain, float keepProbability) {
            if (!(domain.renderer() instanceof MaskGeometry image)) {
                throw new IllegalArgumentException("estimator = control-variate needs smooth masks over an image (its "
                        + "features pool the mask on an image grid); this input's masks are " + domain
                        + ": use the ratio estimator");
            }
            return new ControlVariate(image, keepProbability);
        }
    };

    /**
     * What this estimator adds to the ratio estimator's weighted sums over {@code domain}: the control variate it
     * fits on the run's masks and similarities, or null for the ratio estimator, which needs nothing beyond them.
     *
     * @param domain the masks' domain
     * @param keepProbability the masks' keep probability (the control variate's known mean)
     * @return the control variate, or null
     * @throws IllegalArgumentException if the estimator does not support the domain
     */
    public abstract ControlVariate controlVariate(MaskDomain domain, float keepProbability);

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
        throw new org.relax4j.data.InvalidSettingException("estimator", "must be ratio or control-variate, got '" + id + "'");
    }
}
