package org.relax4j.mask;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * RELAX's random masks (spec, "One mask, exactly"): each grid cell is kept (1) with probability
 * {@code keepProbability}, and each shift is uniform in [0, cells), all drawn by {@link CounterRng} from
 * (seed, mask index, draw index): draws 0 .. G−1 are the G grid cells (row-major), draws G, G+1, … the shifts of
 * axis 0, 1, … (for an image, G = cells², then dx and dy). Discrete masks draw no shifts.
 *
 * <p>A cell is kept when {@code CounterRng.uniform(bits) < keepProbability}, compared in float32, as the
 * reference's {@code rand < p}. Immutable and thread-safe.
 */
public final class RandomMasks implements MaskSource {
    private final long seed;
    private final int[] gridShape;
    private final int gridLength;
    private final boolean discrete;
    private final float keepProbability;

    /**
     * Smooth masks over an image: a cells × cells grid and two shifts.
     *
     * @param seed any 64-bit value
     * @param cells cells per grid side, at least 1
     * @param keepProbability probability that a cell is 1, in [0, 1]
     */
    public RandomMasks(long seed, int cells, float keepProbability) {
        this(seed, new int[] {cells, cells}, false, keepProbability);
    }

    /**
     * Masks of any rank.
     *
     * @param seed any 64-bit value
     * @param gridShape cells per axis (rank 1 to 3), each at least 1; for discrete masks the input's shape. Copied.
     * @param discrete whether the grids are the masks themselves (no shifts drawn; see {@link MaskSource#discrete()})
     * @param keepProbability probability that a cell is 1, in [0, 1]
     */
    public RandomMasks(long seed, int[] gridShape, boolean discrete, float keepProbability) {
        this.gridLength = checkGrid(gridShape);
        if (!(keepProbability >= 0f && keepProbability <= 1f)) {
            throw new IllegalArgumentException("keepProbability must be in [0, 1], got " + keepProbability);
        }
        this.seed = seed;
        this.gridShape = gridShape.clone();
        this.discrete = discrete;
        this.keepProbability = keepProbability;
    }

    /** Checks a grid shape and returns its number of cells. */
    static int checkGrid(int[] gridShape) {
        if (gridShape.length < 1 || gridShape.length > MaskDomain.MAX_RANK) {
            throw new IllegalArgumentException("a grid has rank 1 to " + MaskDomain.MAX_RANK + ", got "
                    + Arrays.toString(gridShape));
        }
        long n = 1;
        for (int c : gridShape) {
            if (c < 1) {
                throw new IllegalArgumentException("cells must be at least 1, got " + Arrays.toString(gridShape));
            }
            n *= c;
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("grid " + Arrays.toString(gridShape) + " has too many cells");
        }
        return (int) n;
    }

    /** {@return the seed of the masks} */
    public long seed() {
        return seed;
    }

    @Override
    public int cells() {
        return gridShape[0];
    }

    @Override
    public int[] gridShape() {
        return gridShape.clone();
    }

    @Override
    public int gridLength() {
        return gridLength;
    }

    @Override
    public boolean discrete() {
        return discrete;
    }

    /** {@return the probability that a cell is kept} */
    public float keepProbability() {
        return keepProbability;
    }

    /** {@return {@link Long#MAX_VALUE}: the masks never run out} */
    @Override
    public long size() {
        return Long.MAX_VALUE;
    }

    @Override
    public void draw(long index, byte[] grid, int gridOffset, int[] shift, int shiftOffset) {
        if (index < 0) {
            throw new IndexOutOfBoundsException("mask index " + index + " is negative");
        }
        long key = CounterRng.maskKey(seed, index);
        int n = gridLength;
        for (int k = 0; k < n; k++) {
            grid[gridOffset + k] = CounterRng.uniform(CounterRng.bits(key, k)) < keepProbability ? (byte) 1 : (byte) 0;
        }
        for (int a = 0; a < gridShape.length; a++) {
            shift[shiftOffset + a] = discrete ? 0 : CounterRng.below(CounterRng.bits(key, n + a), gridShape[a]);
        }
    }

    /** {@return the counter-based draws, for smooth masks over an image (a square rank-2 grid); else empty} */
    @Override
    public Optional<CounterDraws> counterDraws() {
        if (discrete || gridShape.length != 2 || gridShape[0] != gridShape[1]) {
            return Optional.empty();
        }
        return Optional.of(new CounterDraws(seed, gridShape[0], keepProbability));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RandomMasks r && r.seed == seed && Arrays.equals(r.gridShape, gridShape)
                && r.discrete == discrete && Float.compare(r.keepProbability, keepProbability) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(seed, Arrays.hashCode(gridShape), discrete, keepProbability);
    }

    @Override
    public String toString() {
        return "RandomMasks(seed=" + seed + ", " + (discrete ? "discrete " + MaskDomain.describe(gridShape)
                : "cells=" + MaskDomain.describe(gridShape)) + ", keepProbability=" + keepProbability + ")";
    }
}
