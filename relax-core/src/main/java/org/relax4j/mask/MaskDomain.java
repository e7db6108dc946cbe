package org.relax4j.mask;

import java.util.Arrays;

/**
 * The positions a mask covers and how a grid becomes a mask over them: the input's spatial shape (rank 1 for a
 * signal or sequence, 2 for an image, 3 for a volume or video), the grid's cells per axis, and whether masks are
 * <b>smooth</b> (a coarse grid upsampled per axis with a random shift — the reference's masks, spec, "One mask,
 * exactly") or <b>discrete</b> (one cell per position, kept or dropped on its own, no upsampling: the words or
 * tokens of a text).
 *
 * <p>A smooth mask is separable: along every axis the same three steps as the reference's image masks (linear
 * interpolation with half-pixel centres, reflect padding of {@code cells / 2}, a crop at the axis's shift), applied
 * to the last axis first. For rank 2 this is exactly the reference's bilinear mask, bit for bit
 * ({@link MaskGeometry}); {@link DomainGeometry} renders any rank.
 *
 * <p>Immutable.
 */
public final class MaskDomain {
    /** Highest rank a domain may have. */
    public static final int MAX_RANK = 3;

    private final int[] shape;
    private final int[] cells;
    private final boolean discrete;

    private MaskDomain(int[] shape, int[] cells, boolean discrete) {
        this.shape = shape;
        this.cells = cells;
        this.discrete = discrete;
    }

    /**
     * A domain of smooth masks.
     *
     * @param shape positions per axis, rank 1 to 3; each larger than its axis's padding {@code cells / 2}. Copied.
     * @param cells grid cells per axis, as many as {@code shape} has axes, each ≥ 1. Copied.
     * @return the domain
     * @throws IllegalArgumentException naming the problem
     */
    public static MaskDomain smooth(int[] shape, int[] cells) {
        checkShape(shape);
        if (cells.length != shape.length) {
            throw new IllegalArgumentException("cells per axis " + Arrays.toString(cells) + " do not match the rank "
                    + shape.length + " of the input's shape " + Arrays.toString(shape));
        }
        for (int a = 0; a < shape.length; a++) {
            if (cells[a] < 1) {
                throw new IllegalArgumentException("cells must be at least 1 on every axis, got " + Arrays.toString(cells));
            }
            int pad = cells[a] / 2;
            if (shape[a] <= pad) {
                throw new IllegalArgumentException("input " + describe(shape) + " is too small for " + cells[a]
                        + " cells on axis " + a + ": reflect padding of " + pad + " needs more than " + pad + " positions");
            }
        }
        return new MaskDomain(shape.clone(), cells.clone(), false);
    }

    /**
     * A domain of discrete masks: one grid cell per position.
     *
     * @param shape positions per axis, rank 1 to 3. Copied.
     * @return the domain
     * @throws IllegalArgumentException if the shape is empty, of rank above 3, or has a non-positive axis
     */
    public static MaskDomain discrete(int[] shape) {
        checkShape(shape);
        return new MaskDomain(shape.clone(), shape.clone(), true);
    }

    /**
     * The domain of {@code source}'s masks over an input of {@code shape}.
     *
     * @param shape the input's spatial shape
     * @param source the masks
     * @return the domain
     * @throws IllegalArgumentException if the source's grids do not fit the shape (another rank; for discrete masks,
     *         another number of positions) or the shape is too small for the cells
     */
    public static MaskDomain of(int[] shape, MaskSource source) {
        int[] grid = source.gridShape();
        if (grid.length != shape.length) {
            throw new IllegalArgumentException("the masks are rank " + grid.length + " (grid " + describe(grid)
                    + ") but the input is rank " + shape.length + " (" + describe(shape) + ")");
        }
        if (source.discrete()) {
            if (!Arrays.equals(grid, shape)) {
                throw new IllegalArgumentException("discrete masks of " + describe(grid) + " positions do not fit an "
                        + "input of " + describe(shape) + " positions");
            }
            return discrete(shape);
        }
        return smooth(shape, grid);
    }

    private static void checkShape(int[] shape) {
        if (shape.length < 1 || shape.length > MAX_RANK) {
            throw new IllegalArgumentException("a mask domain has rank 1 to " + MAX_RANK + ", got shape "
                    + describe(shape));
        }
        long n = 1;
        for (int s : shape) {
            if (s < 1) {
                throw new IllegalArgumentException("every axis needs at least one position, got " + describe(shape));
            }
            n *= s;
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("shape " + describe(shape) + " has too many positions for one array");
        }
    }

    /** {@return e.g. "224x224"} */
    static String describe(int[] shape) {
        StringBuilder b = new StringBuilder();
        for (int a = 0; a < shape.length; a++) {
            b.append(a == 0 ? "" : "x").append(shape[a]);
        }
        return b.toString();
    }

    /** {@return the number of axes, 1 to 3} */
    public int rank() {
        return shape.length;
    }

    /** {@return positions per axis, a copy} */
    public int[] shape() {
        return shape.clone();
    }

    /** {@return grid cells per axis, a copy; equal to {@link #shape()} for discrete masks} */
    public int[] cells() {
        return cells.clone();
    }

    /** {@return whether masks are discrete (one cell per position, no upsampling)} */
    public boolean isDiscrete() {
        return discrete;
    }

    /** {@return positions per mask, the product of the shape} */
    public int positions() {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    /**
     * The renderer of this domain's masks: {@link MaskGeometry}, the fast path, for the reference's case (smooth
     * masks over an image, the same cells on both axes), else {@link DomainGeometry}. Code with a faster path for
     * images asks for it by the renderer's type, never by the domain's shape.
     *
     * @return a new renderer
     */
    public MaskRenderer renderer() {
        boolean squareImage = !discrete && shape.length == 2 && cells[0] == cells[1];
        return squareImage ? new MaskGeometry(cells[0], shape[0], shape[1]) : new DomainGeometry(this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MaskDomain d && d.discrete == discrete && Arrays.equals(d.shape, shape)
                && Arrays.equals(d.cells, cells);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(shape) + Arrays.hashCode(cells)) + Boolean.hashCode(discrete);
    }

    @Override
    public String toString() {
        return discrete ? "MaskDomain(" + describe(shape) + ", discrete)"
                : "MaskDomain(" + describe(shape) + ", cells " + describe(cells) + ")";
    }
}
