package org.relax4j.estimate;

import java.util.Arrays;

/**
 * RELAX's streaming per-pixel estimator (spec, "The estimator"): a weighted Welford update over masks in order,
 * with weights = mask values and samples = similarities. Per pixel, from {@code W = w0, R = 0, U = 0}:
 * <pre>
 *   W     += m
 *   R_old  = R
 *   R     += (m * (s - R_old)) / W
 *   U     += ((s - R) * (s - R_old)) * m
 * </pre>
 * in float32, in exactly this evaluation order — which reproduces the PyTorch reference bit for bit.
 * Memory is three floats per pixel, whatever the number of masks.
 *
 * <p>Two states over disjoint sets of masks {@linkplain #merge merge} exactly (Chan et al.). Not thread safe;
 * engines parallelise by giving each thread its own range of pixels through {@link #update(float[], float[],
 * float[], int, float[], int, int, float)}.
 */
public final class WeightedWelford {
    private final float[] w;
    private final float[] r;
    private final float[] u;

    /**
     * @param pixels number of pixels, at least 1
     * @param initialWeight the starting sum of weights (the reference uses 1e-10 to avoid dividing by zero);
     *        finite and positive
     */
    public WeightedWelford(int pixels, float initialWeight) {
        if (pixels < 1) {
            throw new IllegalArgumentException("pixels must be at least 1, got " + pixels);
        }
        if (!(initialWeight > 0f) || !Float.isFinite(initialWeight)) {
            throw new IllegalArgumentException("initialWeight must be finite and > 0, got " + initialWeight);
        }
        w = new float[pixels];
        r = new float[pixels];
        u = new float[pixels];
        Arrays.fill(w, initialWeight);
    }

    private WeightedWelford(float[] w, float[] r, float[] u) {
        this.w = w;
        this.r = r;
        this.u = u;
    }

    /**
     * Wraps a state computed elsewhere (e.g. read back from a device). Arrays are copied.
     *
     * @param weights sums of weights W per pixel
     * @param importance importance R per pixel
     * @param uncertainty uncertainty U per pixel
     * @return a new state holding copies of the arrays
     * @throws IllegalArgumentException if the lengths differ
     */
    public static WeightedWelford of(float[] weights, float[] importance, float[] uncertainty) {
        if (weights.length != importance.length || weights.length != uncertainty.length || weights.length == 0) {
            throw new IllegalArgumentException("state arrays must have one equal, positive length, got W=" + weights.length
                    + ", R=" + importance.length + ", U=" + uncertainty.length);
        }
        return new WeightedWelford(weights.clone(), importance.clone(), uncertainty.clone());
    }

    /**
     * The update kernel for a run of pixels and one mask: every engine's accumulation is this loop.
     *
     * @param stateOffset index of the first pixel in {@code w}, {@code r} and {@code u}
     * @param maskOffset index of the first pixel's value in {@code mask}
     * @param w sums of weights, from {@code stateOffset}. Modified.
     * @param r running weighted means (importance). Modified.
     * @param u running weighted sums of squared deviations (uncertainty). Modified.
     * @param mask mask values of the same pixels, from {@code maskOffset}. Not modified.
     * @param length number of pixels
     * @param s the mask's similarity
     */
    public static void update(float[] w, float[] r, float[] u, int stateOffset,
                              float[] mask, int maskOffset, int length, float s) {
        for (int p = 0; p < length; p++) {
            float m = mask[maskOffset + p];
            int q = stateOffset + p;
            float wNew = w[q] + m;
            float rOld = r[q];
            float rNew = rOld + (m * (s - rOld)) / wNew;
            w[q] = wNew;
            r[q] = rNew;
            u[q] = u[q] + ((s - rNew) * (s - rOld)) * m;
        }
    }

    /**
     * Adds one mask (all pixels) with its similarity.
     *
     * @param offset index of the first pixel's value in {@code mask}
     * @param similarity the mask's similarity
     * @throws IllegalArgumentException if {@code mask} holds fewer than {@link #pixels()} values from {@code offset}
     * @param mask {@link #pixels()} values from {@code offset}. Not modified.
     */
    public void update(float[] mask, int offset, float similarity) {
        if (offset < 0 || offset + w.length > mask.length) {
            throw new IllegalArgumentException("mask needs " + w.length + " values from offset " + offset
                    + ", array has " + mask.length);
        }
        update(w, r, u, 0, mask, offset, w.length, similarity);
    }

    /**
     * Folds {@code other}, a state over masks disjoint from this one's, into this state (Chan et al.):
     * {@code W = Wa + Wb; d = Rb - Ra; R = Ra + d·Wb/W; U = Ua + Ub + d²·Wa·Wb/W}, evaluated in double and
     * rounded once. Both states should start from the same initial weight; the merged state then carries it twice
     * (1e-10 on a weight sum is far below float resolution for any real mask count).
     *
     * @param other not modified
     * @return this
     */
    public WeightedWelford merge(WeightedWelford other) {
        if (other.w.length != w.length) {
            throw new IllegalArgumentException("cannot merge states of " + w.length + " and " + other.w.length + " pixels");
        }
        for (int p = 0; p < w.length; p++) {
            double wa = w[p];
            double wb = other.w[p];
            double wt = wa + wb;
            double d = (double) other.r[p] - r[p];
            w[p] = (float) wt;
            r[p] = (float) (r[p] + d * wb / wt);
            u[p] = (float) ((double) u[p] + other.u[p] + d * d * wa * wb / wt);
        }
        return this;
    }

    /** {@return a deep copy} */
    public WeightedWelford copy() {
        return new WeightedWelford(w.clone(), r.clone(), u.clone());
    }

    /** {@return number of pixels} */
    public int pixels() {
        return w.length;
    }

    /** {@return sum of weights per pixel (initial weight plus the sum of mask values). A copy} */
    public float[] weights() {
        return w.clone();
    }

    /** {@return importance R: the weighted mean of the similarities. A copy} */
    public float[] importance() {
        return r.clone();
    }

    /**
     * {@return uncertainty U: the weighted sum of squared deviations, not divided by W, as the reference returns
     * it. A copy}
     */
    public float[] uncertainty() {
        return u.clone();
    }

    /** {@return weighted variance U / W per pixel (a new array)} */
    public float[] variance() {
        float[] v = new float[w.length];
        for (int p = 0; p < v.length; p++) {
            v[p] = u[p] / w[p];
        }
        return v;
    }
}
