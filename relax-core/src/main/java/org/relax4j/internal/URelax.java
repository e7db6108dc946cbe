package org.relax4j.internal;

import java.util.Arrays;

/**
 * U-RELAX (spec, "The estimator"): the importance where the uncertainty is at most its median, 0 elsewhere.
 */
public final class URelax {
    private URelax() {
    }

    /**
     * The median as PyTorch's {@code torch.median} defines it: for an even count, the <i>lower</i> of the two
     * middle values (element {@code (n - 1) / 2} of the sorted values).
     *
     * @return the lower median
     * @param values at least one value. Not modified.
     */
    public static float lowerMedian(float[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("median of no values");
        }
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(sorted.length - 1) / 2];
    }

    /**
     * @param importance R per pixel. Not modified.
     * @param uncertainty U per pixel, same length. Not modified.
     * @return a new array: {@code R[p]} where {@code U[p] <= median(U)}, else 0
     */
    public static float[] compute(float[] importance, float[] uncertainty) {
        if (importance.length != uncertainty.length) {
            throw new IllegalArgumentException("importance has " + importance.length + " pixels, uncertainty "
                    + uncertainty.length);
        }
        float median = lowerMedian(uncertainty);
        float[] out = new float[importance.length];
        for (int p = 0; p < out.length; p++) {
            out[p] = uncertainty[p] <= median ? importance[p] : 0f;
        }
        return out;
    }
}
