package org.relax4j.image;

import java.util.Arrays;
import java.util.Locale;
import org.relax4j.data.InputTensor;

/**
 * A pixel space: the per-channel affine map {@code x[c] = (rgb[c] − mean[c]) / std[c]} from RGB in {@code [0, 1]}
 * to what a model, or RELAX's input, holds. Immutable; the accessors return copies.
 *
 * <ul>
 *   <li>{@link #imagenet()}: the ImageNet statistics, as the reference implementation normalises its input (the
 *       only place in relax4j that states them);</li>
 *   <li>{@link #unit()}: RGB in {@code [0, 1]} as read (mean 0, std 1);</li>
 *   <li>{@link #of(float[], float[])}: any other statistics, for any number of channels.</li>
 * </ul>
 *
 * <p>{@link #conversionTo(Normalization)} gives the affine map between two spaces, which an encoder applies while
 * it copies a batch into the model's input (see {@code OnnxEncoder.Builder.pixels}).
 *
 * <p>Thread safety: immutable, so safe to share.
 */
public final class Normalization {
    private static final Normalization IMAGENET =
            new Normalization("imagenet", new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
    private static final Normalization UNIT = new Normalization("unit", new float[] {0f, 0f, 0f},
            new float[] {1f, 1f, 1f});

    private final String name;
    private final float[] mean;
    private final float[] std;

    private Normalization(String name, float[] mean, float[] std) {
        this.name = name;
        this.mean = mean;
        this.std = std;
    }

    /** {@return ImageNet's RGB statistics: mean {0.485, 0.456, 0.406}, std {0.229, 0.224, 0.225}} */
    public static Normalization imagenet() {
        return IMAGENET;
    }

    /** {@return RGB in {@code [0, 1]} as read from the image: mean 0, std 1 on 3 channels} */
    public static Normalization unit() {
        return UNIT;
    }

    /**
     * Any per-channel statistics.
     *
     * @param mean per-channel mean of the values in {@code [0, 1]}; finite. Not modified (copied).
     * @param std per-channel standard deviation; finite and {@code > 0}. Not modified (copied).
     * @return the pixel space
     * @throws IllegalArgumentException if the lengths differ or are 0, or a value is not finite or a std is not
     *     positive; the message names the value
     */
    public static Normalization of(float[] mean, float[] std) {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("need one mean and one std per channel, got " + mean.length
                    + " means and " + std.length + " stds");
        }
        for (int c = 0; c < mean.length; c++) {
            if (!Float.isFinite(mean[c])) {
                throw new IllegalArgumentException("mean[" + c + "] (" + mean[c] + ") must be finite");
            }
            if (!(std[c] > 0f) || !Float.isFinite(std[c])) {
                throw new IllegalArgumentException("std[" + c + "] (" + std[c] + ") must be finite and > 0");
            }
        }
        return new Normalization("custom", mean.clone(), std.clone());
    }

    /** {@return number of channels} */
    public int channels() {
        return mean.length;
    }

    /** {@return per-channel means (a copy)} */
    public float[] mean() {
        return mean.clone();
    }

    /** {@return per-channel standard deviations (a copy)} */
    public float[] std() {
        return std.clone();
    }

    /**
     * {@return mean of channel {@code c}}
     *
     * @param c channel index
     */
    public float mean(int c) {
        return mean[c];
    }

    /**
     * {@return standard deviation of channel {@code c}}
     *
     * @param c channel index
     */
    public float std(int c) {
        return std[c];
    }

    /**
     * {@code (x − mean[c]) / std[c]} per channel: from RGB in [0, 1] into this space.
     *
     * @param rgb (C, H, W) with C = {@link #channels()}. Not modified.
     * @return a new tensor
     * @throws IllegalArgumentException if the channel counts differ
     */
    public InputTensor normalize(InputTensor rgb) {
        checkChannels(rgb.channels());
        float[] d = rgb.toArray();
        int pixels = rgb.pixels();
        for (int c = 0; c < mean.length; c++) {
            float m = mean[c];
            float s = std[c];
            for (int p = c * pixels; p < (c + 1) * pixels; p++) {
                d[p] = (d[p] - m) / s;
            }
        }
        return InputTensor.of(rgb.channels(), rgb.height(), rgb.width(), d);
    }

    /**
     * The inverse of {@link #normalize}: {@code x · std[c] + mean[c]} per channel, back to RGB in [0, 1].
     *
     * @param x (C, H, W) in this space. Not modified.
     * @return a new tensor
     * @throws IllegalArgumentException if the channel counts differ
     */
    public InputTensor denormalize(InputTensor x) {
        checkChannels(x.channels());
        float[] d = x.toArray();
        int pixels = x.pixels();
        for (int c = 0; c < mean.length; c++) {
            float m = mean[c];
            float s = std[c];
            for (int p = c * pixels; p < (c + 1) * pixels; p++) {
                d[p] = d[p] * s + m;
            }
        }
        return InputTensor.of(x.channels(), x.height(), x.width(), d);
    }

    /**
     * The per-channel affine map from this space to {@code target}: with {@code rgb = x · std[c] + mean[c]},
     * {@code y = (rgb − target.mean[c]) / target.std[c] = x · scale[c] + shift[c]}, where
     * {@code scale[c] = std[c] / target.std[c]} and {@code shift[c] = (mean[c] − target.mean[c]) / target.std[c]}
     * (each computed once in float). From ImageNet to {@link #unit()} this is {@code x · std[c] + mean[c]} exactly.
     *
     * @param target the pixel space to convert to
     * @return the conversion
     * @throws IllegalArgumentException if the channel counts differ
     */
    public Conversion conversionTo(Normalization target) {
        target.checkChannels(mean.length);
        float[] scale = new float[mean.length];
        float[] shift = new float[mean.length];
        boolean identity = true;
        for (int c = 0; c < mean.length; c++) {
            scale[c] = std[c] / target.std[c];
            shift[c] = (mean[c] - target.mean[c]) / target.std[c];
            identity &= scale[c] == 1f && shift[c] == 0f;
        }
        return new Conversion(scale, shift, identity, this + " -> " + target);
    }

    private void checkChannels(int channels) {
        if (channels != mean.length) {
            throw new IllegalArgumentException("pixel space " + this + " has " + mean.length + " channels, the input "
                    + channels);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    /** {@code imagenet}, {@code unit}, or {@code custom(mean=[..], std=[..])}. */
    @Override
    public String toString() {
        if (!name.equals("custom")) {
            return name;
        }
        return String.format(Locale.ROOT, "custom(mean=%s, std=%s)", Arrays.toString(mean), Arrays.toString(std));
    }

    /**
     * A per-channel affine map {@code y[c] = x[c] · scale[c] + shift[c]} between two pixel spaces (see
     * {@link #conversionTo}). Immutable.
     */
    public static final class Conversion {
        private final float[] scale;
        private final float[] shift;
        private final boolean identity;
        private final String description;

        private Conversion(float[] scale, float[] shift, boolean identity, String description) {
            this.scale = scale;
            this.shift = shift;
            this.identity = identity;
            this.description = description;
        }

        /**
         * The map that changes nothing on {@code channels} channels; {@link #applyToNhwc} then only transposes.
         *
         * @param channels the number of channels, {@code > 0}
         * @return the identity map
         */
        public static Conversion identity(int channels) {
            if (channels <= 0) {
                throw new IllegalArgumentException("channels (" + channels + ") must be > 0");
            }
            float[] one = new float[channels];
            Arrays.fill(one, 1f);
            return new Conversion(one, new float[channels], true, "identity(" + channels + ")");
        }

        /**
         * Whether the map changes nothing (same statistics on both sides); then callers may skip it.
         *
         * @return true for an identity map
         */
        public boolean isIdentity() {
            return identity;
        }

        /**
         * Number of channels.
         *
         * @return the channel count
         */
        public int channels() {
            return scale.length;
        }

        /**
         * Scale of a channel.
         *
         * @param c the channel
         * @return {@code scale[c]}
         */
        public float scale(int c) {
            return scale[c];
        }

        /**
         * Shift of a channel.
         *
         * @param c the channel
         * @return {@code shift[c]}
         */
        public float shift(int c) {
            return shift[c];
        }

        /**
         * Applies the map to {@code n} samples of shape (C, plane), NCHW:
         * {@code dst[dstOffset + (b·C + c)·plane + p] = src[srcOffset + (b·C + c)·plane + p] · scale[c] + shift[c]}.
         *
         * @param srcOffset index of the first input value in {@code src}
         * @param dstOffset index of the first value written to {@code dst}
         * @param n the number of samples
         * @param channels channels C per sample
         * @param plane values per channel of one sample (H·W)
         * @param src input values. Not modified (unless it is {@code dst}, which is allowed with equal offsets).
         * @param dst receives the result. Modified.
         * @throws IllegalArgumentException if {@code channels} differs from {@link #channels()}
         */
        public void apply(float[] src, int srcOffset, float[] dst, int dstOffset, int n, int channels, int plane) {
            checkChannels(channels);
            for (int b = 0; b < n; b++) {
                for (int c = 0; c < channels; c++) {
                    float s = scale[c];
                    float t = shift[c];
                    int from = srcOffset + (b * channels + c) * plane;
                    int to = dstOffset + (b * channels + c) * plane;
                    for (int p = 0; p < plane; p++) {
                        dst[to + p] = src[from + p] * s + t;
                    }
                }
            }
        }

        /**
         * Applies the map while transposing {@code n} samples from (C, H·W) to (H·W, C), NCHW to NHWC:
         * {@code dst[dstOffset + (b·plane + p)·C + c] = src[srcOffset + (b·C + c)·plane + p] · scale[c] + shift[c]}.
         * An identity map copies the values unchanged.
         *
         * @param srcOffset index of the first input value in {@code src}
         * @param dstOffset index of the first value written to {@code dst}
         * @param n the number of samples
         * @param channels channels C per sample
         * @param plane values per channel of one sample (H·W)
         * @param src input values, NCHW. Not modified.
         * @param dst receives the NHWC result; must not overlap {@code src}. Modified.
         * @throws IllegalArgumentException if {@code channels} differs from {@link #channels()}
         */
        public void applyToNhwc(float[] src, int srcOffset, float[] dst, int dstOffset, int n, int channels,
                                int plane) {
            checkChannels(channels);
            int sample = plane * channels;
            for (int b = 0; b < n; b++) {
                int sBase = srcOffset + b * sample;
                int dBase = dstOffset + b * sample;
                for (int c = 0; c < channels; c++) {
                    float s = scale[c];
                    float t = shift[c];
                    int from = sBase + c * plane;
                    int to = dBase + c;
                    if (identity) {
                        for (int p = 0; p < plane; p++) {
                            dst[to + p * channels] = src[from + p];
                        }
                    } else {
                        for (int p = 0; p < plane; p++) {
                            dst[to + p * channels] = src[from + p] * s + t;
                        }
                    }
                }
            }
        }

        private void checkChannels(int channels) {
            if (channels != scale.length) {
                throw new IllegalArgumentException("pixel conversion " + description + " has " + scale.length
                        + " channels, the batch " + channels);
            }
        }

        @Override
        public String toString() {
            return description;
        }
    }
}
