package org.relax4j.mask;

import org.relax4j.internal.Bilinear;

/**
 * Everything about a mask that depends only on (cells, H, W) and the shift, precomputed once per explanation:
 * for each shift s in [0, cells) and each output row (column), which two grid rows (columns) it blends and
 * with which weights. With these tables a mask is a closed-form function of (grid, dx, dy, i, j) — spec,
 * "One mask, exactly":
 * <pre>
 *   blend(a, j) = cw0[dy][j] * g[a][c0[dy][j]] + cw1[dy][j] * g[a][c1[dy][j]]      (width first, as PyTorch)
 *   mask(i, j)  = rw0[dx][i] * blend(r0[dx][i], j) + rw1[dx][i] * blend(r1[dx][i], j)
 * </pre>
 * evaluated in float32 in exactly this order, which reproduces the PyTorch reference bit for bit.
 * The OpenCL kernels upload these same tables, so CPU and device share one source of truth.
 *
 * <p>Immutable and thread-safe.
 */
public final class MaskGeometry implements MaskRenderer {
    private final int cells;
    private final int height;
    private final int width;
    /** Per (shift, row): grid rows [r0, r1] and weights [w0, w1], packed pairwise. */
    private final int[] rowIndex;
    private final float[] rowWeight;
    private final int[] colIndex;
    private final float[] colWeight;

    /**
     * @param cells cells per grid side, at least 1
     * @param height mask height H
     * @param width mask width W
     * @throws IllegalArgumentException if cells &lt; 1, or H or W is not larger than the padding {@code cells / 2}
     *         (reflect padding, like PyTorch's, needs the padding to be smaller than the side)
     */
    public MaskGeometry(int cells, int height, int width) {
        if (cells < 1) {
            throw new IllegalArgumentException("cells must be at least 1, got " + cells);
        }
        int pad = cells / 2;
        if (height <= pad || width <= pad) {
            throw new IllegalArgumentException("input " + height + "x" + width + " is too small for " + cells
                    + " cells: reflect padding of " + pad + " needs height and width > " + pad);
        }
        this.cells = cells;
        this.height = height;
        this.width = width;
        this.rowIndex = new int[2 * cells * height];
        this.rowWeight = new float[2 * cells * height];
        this.colIndex = new int[2 * cells * width];
        this.colWeight = new float[2 * cells * width];
        fillAxis(cells, height, rowIndex, rowWeight);
        fillAxis(cells, width, colIndex, colWeight);
    }

    /**
     * Fills the tables of one axis of length n. For shift s and output index i the crop reads padded index
     * i + s, i.e. unpadded index {@code reflect(i + s - pad)} (steps 2-3, reflect without repeating the edge),
     * whose bilinear source in the grid (step 1) {@link Bilinear#source} gives.
     */
    static void fillAxis(int cells, int n, int[] index, float[] weight) {
        int pad = cells / 2;
        for (int s = 0; s < cells; s++) {
            for (int i = 0; i < n; i++) {
                Bilinear.source(cells, n, reflect(i + s - pad, n), index, weight, 2 * (s * n + i));
            }
        }
    }

    /** Reflect padding without edge repeat (PyTorch {@code pad(mode='reflect')}) for one index, |overhang| &lt; n. */
    static int reflect(int u, int n) {
        if (u < 0) {
            u = -u;
        }
        if (u > n - 1) {
            u = 2 * (n - 1) - u;
        }
        return u;
    }

    /** {@return the domain: smooth masks over H × W with {@link #cells()} cells on both axes} */
    @Override
    public MaskDomain domain() {
        return MaskDomain.smooth(new int[] {height, width}, new int[] {cells, cells});
    }

    /** {@return cells per grid side} */
    public int cells() {
        return cells;
    }

    /** {@return mask height H} */
    public int height() {
        return height;
    }

    /** {@return mask width W} */
    public int width() {
        return width;
    }

    /**
     * {@return row tables: for shift dx and row i, entries {@code 2*(dx*H + i)} and {@code +1} hold grid rows
     * r0, r1. A copy}
     */
    public int[] rowIndices() {
        return rowIndex.clone();
    }

    /** {@return row weights w0, w1, laid out like {@link #rowIndices()}. A copy} */
    public float[] rowWeights() {
        return rowWeight.clone();
    }

    /**
     * {@return column tables: for shift dy and column j, entries {@code 2*(dy*W + j)} and {@code +1} hold grid
     * columns. A copy}
     */
    public int[] colIndices() {
        return colIndex.clone();
    }

    /** {@return column weights, laid out like {@link #colIndices()}. A copy} */
    public float[] colWeights() {
        return colWeight.clone();
    }

    /** {@return scratch floats that {@link #blendColumns} needs: cells × W} */
    public int blendLength() {
        return cells * width;
    }

    /**
     * Step 1 along the width, for every grid row: {@code blend[a*W + j]} for the mask's grid and column shift.
     *
     * @param gridOffset index of the grid's first value in {@code grid}
     * @param dy column shift in [0, cells)
     * @param blendOffset index of the first value written to {@code blend}
     * @param grid cells² values of 0/1 from {@code gridOffset}. Not modified.
     * @param blend receives cells × W values from {@code blendOffset}. Modified.
     */
    public void blendColumns(byte[] grid, int gridOffset, int dy, float[] blend, int blendOffset) {
        int base = 2 * dy * width;
        for (int a = 0; a < cells; a++) {
            int g = gridOffset + a * cells;
            int o = blendOffset + a * width;
            for (int j = 0; j < width; j++) {
                int k = base + 2 * j;
                blend[o + j] = colWeight[k] * grid[g + colIndex[k]] + colWeight[k + 1] * grid[g + colIndex[k + 1]];
            }
        }
    }

    /**
     * Step 1 along the height, for one output row: {@code mask[outOffset + j]} for j in [0, W).
     *
     * @param blendOffset index of the first blended value in {@code blend}
     * @param dx row shift in [0, cells)
     * @param i output row in [0, H)
     * @param outOffset index of the first value written to {@code mask}
     * @param blend the output of {@link #blendColumns} for this mask, from {@code blendOffset}. Not modified.
     * @param mask receives W values from {@code outOffset}. Modified.
     */
    public void maskRow(float[] blend, int blendOffset, int dx, int i, float[] mask, int outOffset) {
        int k = 2 * (dx * height + i);
        float w0 = rowWeight[k];
        float w1 = rowWeight[k + 1];
        int b0 = blendOffset + rowIndex[k] * width;
        int b1 = blendOffset + rowIndex[k + 1] * width;
        for (int j = 0; j < width; j++) {
            mask[outOffset + j] = w0 * blend[b0 + j] + w1 * blend[b1 + j];
        }
    }

    /**
     * Renders one whole mask (H × W, row-major) from an explicit grid and shift.
     *
     * @param gridOffset index of the grid's first value in {@code grid}
     * @param outOffset index of the first value written to {@code out}; ignored when {@code out} is null
     * @param grid cells² values of 0/1, row-major, from {@code gridOffset}. Not modified.
     * @param dx row shift in [0, cells)
     * @param dy column shift in [0, cells)
     * @param out receives H × W values in [0, 1] from {@code outOffset}; if null a new array is allocated
     * @return {@code out}, or the new array
     */
    public float[] render(byte[] grid, int gridOffset, int dx, int dy, float[] out, int outOffset) {
        checkShift(dx, "dx");
        checkShift(dy, "dy");
        if (out == null) {
            out = new float[height * width];
            outOffset = 0;
        }
        float[] blend = new float[blendLength()];
        blendColumns(grid, gridOffset, dy, blend, 0);
        for (int i = 0; i < height; i++) {
            maskRow(blend, 0, dx, i, out, outOffset + i * width);
        }
        return out;
    }

    /**
     * {@return mask {@code index} of {@code source} rendered (H × W, row-major) into a new array}
     *
     * @param source the masks, with this geometry's cells
     * @param index the mask's index in {@code source}
     * @throws IllegalArgumentException if the source has a different number of cells
     */
    @Override
    public float[] render(MaskSource source, long index) {
        if (source.cells() != cells) {
            throw new IllegalArgumentException("source has " + source.cells() + " cells, geometry has " + cells);
        }
        byte[] g = new byte[cells * cells];
        int[] s = new int[2];
        source.draw(index, g, 0, s, 0);
        return render(g, 0, s[0], s[1], null, 0);
    }

    private void checkShift(int s, String name) {
        if (s < 0 || s >= cells) {
            throw new IllegalArgumentException(name + " must be in [0, " + cells + "), got " + s);
        }
    }
}
