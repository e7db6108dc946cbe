package org.relax4j;

import java.util.Objects;

/**
 * A per-pixel map (H × W, row-major float32), such as importance or uncertainty. Immutable: {@link #values()}
 * returns a copy.
 */
public final class PixelMap {
    private final int height;
    private final int width;
    private final float[] values;

    /**
     * @param height rows H
     * @param width columns W
     * @param values {@code height * width} values, row-major. Copied.
     */
    public PixelMap(int height, int width, float[] values) {
        Objects.requireNonNull(values, "values");
        if (height <= 0 || width <= 0 || (long) height * width != values.length) {
            throw new IllegalArgumentException("map " + height + "x" + width + " needs " + ((long) height * width)
                    + " values, got " + values.length);
        }
        this.height = height;
        this.width = width;
        this.values = values.clone();
    }

    /** {@return rows H} */
    public int height() {
        return height;
    }

    /** {@return columns W} */
    public int width() {
        return width;
    }

    /**
     * {@return value at row i, column j}
     *
     * @param i row
     * @param j column
     */
    public float get(int i, int j) {
        Objects.checkIndex(i, height);
        Objects.checkIndex(j, width);
        return values[i * width + j];
    }

    /** {@return a copy of the values, row-major} */
    public float[] values() {
        return values.clone();
    }

    /** {@return smallest value} */
    public float min() {
        float m = Float.POSITIVE_INFINITY;
        for (float v : values) {
            m = Math.min(m, v);
        }
        return m;
    }

    /** {@return largest value} */
    public float max() {
        float m = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            m = Math.max(m, v);
        }
        return m;
    }

    /**
     * {@return mean of the values over the rectangle [i0, i1) × [j0, j1), in double}
     *
     * @param i0 first row
     * @param i1 row after the last
     * @param j0 first column
     * @param j1 column after the last
     */
    public double mean(int i0, int i1, int j0, int j1) {
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
        return "PixelMap(" + height + "x" + width + ", min=" + min() + ", max=" + max() + ")";
    }
}
