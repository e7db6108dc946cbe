package org.relax4j;

import java.io.Serializable;
import java.util.Objects;
import org.relax4j.estimate.WeightedWelford;

/**
 * The estimator's state over one contiguous range of masks, [first, first + similarities.length), with each mask's
 * similarity: what {@link Relax#explainRange} returns for one part of a split explanation (a Spark task's range, say)
 * and {@link Relax#combine} merges, exactly, into the whole explanation. Serializable so that it can travel from the
 * machine that ran the range; the arrays are not copied, so treat them as read-only.
 *
 * @param first the first mask of the range
 * @param weights the estimator's W per position
 * @param importance the estimator's R per position
 * @param uncertainty the estimator's U per position
 * @param similarities the similarity of each mask of the range, in mask order
 */
public record PartialExplanation(long first, float[] weights, float[] importance, float[] uncertainty,
                                 float[] similarities) implements Serializable {
    /** Checks that the arrays are there and agree in length. */
    public PartialExplanation {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(importance, "importance");
        Objects.requireNonNull(uncertainty, "uncertainty");
        Objects.requireNonNull(similarities, "similarities");
        if (importance.length != weights.length || uncertainty.length != weights.length) {
            throw new IllegalArgumentException("weights, importance and uncertainty must have one value per position");
        }
        if (first < 0) {
            throw new IllegalArgumentException("first must be at least 0, got " + first);
        }
    }

    /** {@return the number of masks in the range} */
    public int count() {
        return similarities.length;
    }

    /** {@return the estimator's state over the range} */
    WeightedWelford state() {
        return WeightedWelford.of(weights, importance, uncertainty);
    }
}
