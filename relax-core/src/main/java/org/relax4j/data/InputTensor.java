package org.relax4j.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * One input to explain: C channels over a spatial shape of rank 1 to 3 — (C, H, W) for an image, (C, L) for a
 * signal or a sequence, (C, D, H, W) for a volume — float32, row-major, immutable once built.
 *
 * <p>For images this is usually the ImageNet-normalised image (see {@code org.relax4j.image.Images}): RELAX's
 * masks multiply this tensor, so a fully masked pixel becomes 0 in whatever space the tensor is in (or the
 * configured {@link org.relax4j.Baseline}). For a text, it is one channel of ones over the words, which the masks turn into
 * each word's keep value (see the relax-text module).
 */
public final class InputTensor {
    private final int channels;
    private final int[] shape;
    private final int positions;
    private final float[] data;

    private InputTensor(int channels, int[] shape, float[] data) {
        this.channels = channels;
        this.shape = shape;
        this.positions = data.length / channels;
        this.data = data;
    }

    /**
     * Copies {@code data} into a new image tensor after checking its shape and values.
     *
     * @param channels channels C
     * @param height height H
     * @param width width W
     * @return the new tensor
     * @param data {@code channels * height * width} finite values, row-major (C, H, W). Not modified.
     * @throws IllegalArgumentException naming the problem: a non-positive dimension, a length that does not
     *         match the shape, or the first NaN or infinite value with its (c, i, j) position
     */
    public static InputTensor of(int channels, int height, int width, float[] data) {
        return of(channels, new int[] {height, width}, data);
    }

    /**
     * Copies {@code data} into a new tensor of any spatial rank after checking its shape and values.
     *
     * @param channels channels C
     * @param shape the spatial shape, rank 1 to 3 (e.g. {L}, {H, W}, {D, H, W}). Copied.
     * @param data {@code channels * product(shape)} finite values, row-major (C, shape...). Not modified.
     * @return the new tensor
     * @throws IllegalArgumentException naming the problem: a rank outside 1–3, a non-positive dimension, a length
     *         that does not match the shape, or the first NaN or infinite value with its position
     */
    public static InputTensor of(int channels, int[] shape, float[] data) {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(data, "data");
        if (shape.length < 1 || shape.length > 3) {
            throw new IllegalArgumentException("input must have 1 to 3 spatial axes (a sequence, an image, a volume), "
                    + "got shape " + Arrays.toString(shape));
        }
        long n = channels;
        boolean positive = channels > 0;
        for (int s : shape) {
            positive &= s > 0;
            n *= s;
        }
        if (!positive) {
            throw new IllegalArgumentException("input shape must be positive, got " + describe(channels, shape));
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("input " + describe(channels, shape) + " is too large");
        }
        if (data.length != n) {
            throw new IllegalArgumentException("input " + describe(channels, shape) + " needs " + n + " values, got "
                    + data.length);
        }
        for (int k = 0; k < data.length; k++) {
            if (!Float.isFinite(data[k])) {
                throw new IllegalArgumentException("input value at " + position(k, channels, shape) + " is " + data[k]
                        + "; every value must be finite");
            }
        }
        return new InputTensor(channels, shape.clone(), data.clone());
    }

    /** "(C, H, W) = (3, 224, 224)" for images (as before), "(C, shape) = (1, 12)" otherwise. */
    private static String describe(int channels, int[] shape) {
        StringBuilder b = new StringBuilder(shape.length == 2 ? "(C, H, W) = (" : "(C, shape) = (").append(channels);
        for (int s : shape) {
            b.append(", ").append(s);
        }
        return b.append(")").toString();
    }

    /** The position of flat index k: "(c, i, j) = (…)" for images, "(c, …)" otherwise. */
    private static String position(int k, int channels, int[] shape) {
        int[] idx = new int[shape.length + 1];
        int rest = k;
        for (int a = shape.length - 1; a >= 0; a--) {
            idx[a + 1] = rest % shape[a];
            rest /= shape[a];
        }
        idx[0] = rest;
        StringBuilder b = new StringBuilder(shape.length == 2 ? "(c, i, j) = (" : "(");
        for (int a = 0; a < idx.length; a++) {
            b.append(a == 0 ? "" : ", ").append(idx[a]);
        }
        return b.append(")").toString();
    }

    /**
     * {@return an image tensor of {@code value} everywhere (handy for tests and for looking at masks themselves)}
     *
     * @param channels channels C
     * @param height height H
     * @param width width W
     * @param value the value of every element
     */
    public static InputTensor filled(int channels, int height, int width, float value) {
        return filled(channels, new int[] {height, width}, value);
    }

    /**
     * {@return a tensor of {@code value} everywhere, of any spatial rank}
     *
     * @param channels channels C
     * @param shape the spatial shape, rank 1 to 3
     * @param value the value of every element
     */
    public static InputTensor filled(int channels, int[] shape, float value) {
        long n = channels;
        for (int s : shape) {
            n *= Math.max(s, 0);
        }
        float[] d = new float[(int) Math.min(n, Integer.MAX_VALUE - 8)];
        Arrays.fill(d, value);
        return of(channels, shape, d);
    }

    /** {@return channels C} */
    public int channels() {
        return channels;
    }

    /** {@return the spatial shape, a copy: {H, W} for an image} */
    public int[] shape() {
        return shape.clone();
    }

    /** {@return the number of spatial axes: 2 for an image} */
    public int rank() {
        return shape.length;
    }

    /**
     * {@return height H of an image}
     *
     * @throws IllegalStateException if the input is not an image (rank 2)
     */
    public int height() {
        return imageAxis(0);
    }

    /**
     * {@return width W of an image}
     *
     * @throws IllegalStateException if the input is not an image (rank 2)
     */
    public int width() {
        return imageAxis(1);
    }

    private int imageAxis(int a) {
        if (shape.length != 2) {
            throw new IllegalStateException("this input has spatial shape " + Arrays.toString(shape)
                    + ", not an image's (H, W); use shape()");
        }
        return shape[a];
    }

    /** {@return positions per channel: H*W for an image, the product of the spatial shape} */
    public int pixels() {
        return positions;
    }

    /**
     * {@return element (c, i, j) of an image}
     *
     * @param c channel
     * @param i row
     * @param j column
     */
    public float get(int c, int i, int j) {
        return data[(c * height() + i) * width() + j];
    }

    /** {@return a copy of the values, row-major (C, shape...)} */
    public float[] toArray() {
        return data.clone();
    }

    /** {@return the same values without a copy; for engine implementations, which must not modify them} */
    public float[] unsafeData() {
        return data;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("InputTensor(").append(channels);
        for (int s : shape) {
            b.append(", ").append(s);
        }
        return b.append(")").toString();
    }
}
