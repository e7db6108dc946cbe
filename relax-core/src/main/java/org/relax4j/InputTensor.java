package org.relax4j;

import java.util.Arrays;
import java.util.Objects;

/**
 * One input to explain: a (C, H, W) float32 tensor, row-major, immutable once built.
 *
 * <p>For images this is usually the ImageNet-normalised image (see {@code org.relax4j.image.Images}): RELAX's
 * masks multiply this tensor, so a fully masked pixel becomes 0 in whatever space the tensor is in.
 */
public final class InputTensor {
    private final int channels;
    private final int height;
    private final int width;
    private final float[] data;

    private InputTensor(int channels, int height, int width, float[] data) {
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.data = data;
    }

    /**
     * Copies {@code data} into a new tensor after checking its shape and values.
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
        Objects.requireNonNull(data, "data");
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("input shape must be positive, got (C, H, W) = (" + channels + ", "
                    + height + ", " + width + ")");
        }
        long n = (long) channels * height * width;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("input (" + channels + ", " + height + ", " + width + ") is too large");
        }
        if (data.length != n) {
            throw new IllegalArgumentException("input (C, H, W) = (" + channels + ", " + height + ", " + width
                    + ") needs " + n + " values, got " + data.length);
        }
        for (int k = 0; k < data.length; k++) {
            if (!Float.isFinite(data[k])) {
                int c = k / (height * width);
                int i = (k / width) % height;
                int j = k % width;
                throw new IllegalArgumentException("input value at (c, i, j) = (" + c + ", " + i + ", " + j + ") is "
                        + data[k] + "; every value must be finite");
            }
        }
        return new InputTensor(channels, height, width, data.clone());
    }

    /**
     * {@return a tensor of {@code value} everywhere (handy for tests and for looking at masks themselves)}
     *
     * @param channels channels C
     * @param height height H
     * @param width width W
     * @param value the value of every element
     */
    public static InputTensor filled(int channels, int height, int width, float value) {
        float[] d = new float[Math.multiplyExact(Math.multiplyExact(channels, height), width)];
        Arrays.fill(d, value);
        return of(channels, height, width, d);
    }

    /** {@return channels C} */
    public int channels() {
        return channels;
    }

    /** {@return height H} */
    public int height() {
        return height;
    }

    /** {@return width W} */
    public int width() {
        return width;
    }

    /** {@return pixels per channel, H*W} */
    public int pixels() {
        return height * width;
    }

    /**
     * {@return element (c, i, j)}
     *
     * @param c channel
     * @param i row
     * @param j column
     */
    public float get(int c, int i, int j) {
        return data[(c * height + i) * width + j];
    }

    /** {@return a copy of the values, row-major (C, H, W)} */
    public float[] toArray() {
        return data.clone();
    }

    /** {@return the same values without a copy; for engine implementations, which must not modify them} */
    public float[] unsafeData() {
        return data;
    }

    @Override
    public String toString() {
        return "InputTensor(" + channels + ", " + height + ", " + width + ")";
    }
}
