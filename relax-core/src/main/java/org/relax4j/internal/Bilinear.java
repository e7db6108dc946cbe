package org.relax4j.internal;

/**
 * Bilinear interpolation with half-pixel centres, exactly as PyTorch's {@code interpolate(mode='bilinear',
 * align_corners=False)} computes its source positions in float32 (spec, "One mask, exactly", step 1). Shared by
 * mask upsampling ({@link MaskGeometry}) and image resizing ({@code org.relax4j.image.Images}).
 */
public final class Bilinear {
    private Bilinear() {
    }

    /**
     * For output index {@code dst} of an axis resized from {@code in} to {@code out} samples, writes the two
     * source indices to {@code index[at]}, {@code index[at + 1]} and their weights to {@code weight[at]},
     * {@code weight[at + 1]}:
     * {@code src = max(scale * (dst + 0.5) - 0.5, 0)} with {@code scale = (float) in / out} (the product in
     * double, stored as float, as PyTorch), {@code i0 = floor(src)}, {@code i1 = min(i0 + 1, in - 1)},
     * {@code w1 = src - i0}, {@code w0 = 1 - w1}.
     *
     * @param in the number of source samples
     * @param out the number of output samples
     * @param dst the output index, in [0, out)
     * @param index receives the two source indices at {@code at}, {@code at + 1}. Modified.
     * @param weight receives the two weights at {@code at}, {@code at + 1}. Modified.
     * @param at index of the first value written to {@code index} and {@code weight}
     */
    public static void source(int in, int out, int dst, int[] index, float[] weight, int at) {
        float scale = (float) in / out;
        float src = (float) (scale * (dst + 0.5) - 0.5);
        if (src < 0f) {
            src = 0f;
        }
        int i0 = (int) src;
        int i1 = i0 + (i0 < in - 1 ? 1 : 0);
        float w1 = Math.min(Math.max(src - i0, 0f), 1f);
        index[at] = i0;
        index[at + 1] = i1;
        weight[at] = 1f - w1;
        weight[at + 1] = w1;
    }
}
