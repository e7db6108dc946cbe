package org.relax4j.data;

import java.util.Objects;

/**
 * A batch of representations (B, D), row-major in a flat float32 array.
 *
 * @param rows number of representations B
 * @param dim length D of each representation
 * @param data {@code rows * dim} values, row {@code b} starting at {@code b * dim}; not copied
 */
public record Embeddings(int rows, int dim, float[] data) {

    /**
     * Checks that the shape is positive and that {@code data} holds exactly {@code rows * dim} values.
     *
     * @param rows number of representations B
     * @param dim length D of each representation
     * @param data {@code rows * dim} values, row-major; not copied
     */
    public Embeddings {
        Objects.requireNonNull(data, "data");
        if (rows <= 0 || dim <= 0) {
            throw new IllegalArgumentException("embeddings shape must be positive, got (" + rows + ", " + dim + ")");
        }
        if ((long) rows * dim != data.length) {
            throw new IllegalArgumentException("embeddings (" + rows + ", " + dim + ") need " + ((long) rows * dim)
                    + " values, array has " + data.length);
        }
    }

    /**
     * {@return rows of equal length copied into one flat array}
     *
     * @param rows the representations, all of one length
     */
    public static Embeddings of(float[]... rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("no rows");
        }
        int dim = rows[0].length;
        float[] flat = new float[rows.length * dim];
        for (int b = 0; b < rows.length; b++) {
            if (rows[b].length != dim) {
                throw new IllegalArgumentException("row " + b + " has " + rows[b].length + " values, row 0 has " + dim);
            }
            System.arraycopy(rows[b], 0, flat, b * dim, dim);
        }
        return new Embeddings(rows.length, dim, flat);
    }

    /**
     * {@return a copy of row {@code b}}
     *
     * @param b row index, in [0, rows)
     */
    public float[] row(int b) {
        Objects.checkIndex(b, rows);
        float[] r = new float[dim];
        System.arraycopy(data, b * dim, r, 0, dim);
        return r;
    }
}
