package org.relax4j.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * A map over the input's positions, such as importance or uncertainty: H × W for an image (row-major float32),
 * one value per position for a sequence (e.g. per word) or a volume (D × H × W). Immutable: {@link #values()}
 * returns a copy.
 */
public final class PixelMap {
    private final int[] shape;
    private final float[] values;

    /**
     * An image's map.
     *
     * @param height rows H
     * @param width columns W
     * @param values {@code height * width} values, row-major. Copied.
     */
    public PixelMap(int height, int width, float[] values) {
        this(new int[] {height, width}, values);
    }

    /**
     * A map of any rank.
     *
     * @param shape positions per axis (rank 1 to 3), each positive. Copied.
     * @param values as many values as the shape has positions, row-major (last axis fastest). Copied.
     * @throws IllegalArgumentException if the shape is invalid or the number of values does not match it
     */
    public PixelMap(int[] shape, float[] values) {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(values, "values");
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        boolean valid = shape.length >= 1 && shape.length <= 3 && Arrays.stream(shape).allMatch(s -> s > 0);
        if (!valid || n != values.length) {
            throw new IllegalArgumentException("map " + describe(shape) + " needs " + (valid ? n + " values" : "a "
                    + "rank of 1 to 3 and positive axes") + ", got " + values.length + " values");
        }
        this.shape = shape.clone();
        this.values = values.clone();
    }

    private static String describe(int[] shape) {
        StringBuilder b = new StringBuilder();
        for (int a = 0; a < shape.length; a++) {
            b.append(a == 0 ? "" : "x").append(shape[a]);
        }
        return b.toString();
    }

    /** {@return positions per axis, a copy} */
    public int[] shape() {
        return shape.clone();
    }

    /** {@return the number of axes: 2 for an image, 1 for a sequence, 3 for a volume} */
    public int rank() {
        return shape.length;
    }

    /** {@return the number of values} */
    public int size() {
        return values.length;
    }

    /** {@return rows H of an image's map; for another rank, the second-to-last axis (1 for rank 1)} */
    public int height() {
        return shape.length >= 2 ? shape[shape.length - 2] : 1;
    }

    /** {@return columns W: the last axis} */
    public int width() {
        return shape[shape.length - 1];
    }

    /**
     * {@return value (i, j) of an image's map}
     *
     * @param i row, in [0, H)
     * @param j column, in [0, W)
     * @throws IllegalStateException if the map is not rank 2
     */
    public float get(int i, int j) {
        if (shape.length != 2) {
            throw new IllegalStateException("get(i, j) needs a rank-2 map, this one is " + describe(shape)
                    + "; use get(int...)");
        }
        Objects.checkIndex(i, shape[0]);
        Objects.checkIndex(j, shape[1]);
        return values[i * shape[1] + j];
    }

    /**
     * {@return the value at one position}
     *
     * @param index one index per axis
     * @throws IllegalArgumentException if the number of indices is not the rank
     */
    public float get(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException(index.length + " indices for a rank-" + shape.length + " map");
        }
        int p = 0;
        for (int a = 0; a < shape.length; a++) {
            p = p * shape[a] + Objects.checkIndex(index[a], shape[a]);
        }
        return values[p];
    }

    /** {@return the values, row-major (last axis fastest). A copy} */
    public float[] values() {
        return values.clone();
    }

    /**
     * {@return the same values with another shape of as many positions (e.g. a volume's map viewed as D·H × W)}
     *
     * @param newShape the shape
     */
    public PixelMap reshape(int... newShape) {
        return new PixelMap(newShape, values);
    }

    /** {@return the smallest value} */
    public float min() {
        float m = Float.POSITIVE_INFINITY;
        for (float v : values) {
            m = Math.min(m, v);
        }
        return m;
    }

    /** {@return the largest value} */
    public float max() {
        float m = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            m = Math.max(m, v);
        }
        return m;
    }

    /**
     * {@return the mean over rows [i0, i1) and columns [j0, j1) of an image's map}
     *
     * @param i0 first row
     * @param i1 end row (exclusive)
     * @param j0 first column
     * @param j1 end column (exclusive)
     * @throws IllegalArgumentException if the rectangle is empty or not inside the map
     * @throws IllegalStateException if the map is not rank 2
     */
    public double mean(int i0, int i1, int j0, int j1) {
        if (shape.length != 2) {
            throw new IllegalStateException("mean over a rectangle needs a rank-2 map, this one is " + describe(shape));
        }
        int height = shape[0];
        int width = shape[1];
        if (i0 < 0 || j0 < 0 || i1 > height || j1 > width || i0 >= i1 || j0 >= j1) {
            throw new IllegalArgumentException("rectangle [" + i0 + ", " + i1 + ") x [" + j0 + ", " + j1
                    + ") is empty or outside " + height + "x" + width);
        }
        double s = 0;
        for (int i = i0; i < i1; i++) {
            for (int j = j0; j < j1; j++) {
                s += values[i * width + j];
            }
        }
        return s / ((double) (i1 - i0) * (j1 - j0));
    }

    @Override
    public String toString() {
        return "PixelMap(" + describe(shape) + ", min=" + min() + ", max=" + max() + ")";
    }
}
