package org.relax4j.mask;

import java.util.Objects;
import java.util.Optional;

/**
 * RELAX's random masks (spec, "One mask, exactly"): each grid cell is kept (1) with probability
 * {@code keepProbability}, and each shift is uniform in [0, cells), all drawn by {@link CounterRng} from
 * (seed, mask index, draw index).
 *
 * <p>A cell is kept when {@code CounterRng.uniform(bits) < keepProbability}, compared in float32, as the
 * reference's {@code rand < p}. Immutable and thread-safe.
 */
public final class RandomMasks implements MaskSource {
    private final long seed;
    private final int cells;
    private final float keepProbability;

    /**
     * @param seed any 64-bit value
     * @param cells cells per grid side, at least 1
     * @param keepProbability probability that a cell is 1, in [0, 1]
     */
    public RandomMasks(long seed, int cells, float keepProbability) {
        if (cells < 1) {
            throw new IllegalArgumentException("cells must be at least 1, got " + cells);
        }
        if (!(keepProbability >= 0f && keepProbability <= 1f)) {
            throw new IllegalArgumentException("keepProbability must be in [0, 1], got " + keepProbability);
        }
        this.seed = seed;
        this.cells = cells;
        this.keepProbability = keepProbability;
    }

    /** {@return the seed of the masks} */
    public long seed() {
        return seed;
    }

    @Override
    public int cells() {
        return cells;
    }

    /** {@return the probability that a grid cell is kept} */
    public float keepProbability() {
        return keepProbability;
    }

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
        int n = cells * cells;
        for (int k = 0; k < n; k++) {
            grid[gridOffset + k] = CounterRng.uniform(CounterRng.bits(key, k)) < keepProbability ? (byte) 1 : (byte) 0;
        }
        shift[shiftOffset] = CounterRng.below(CounterRng.bits(key, n), cells);
        shift[shiftOffset + 1] = CounterRng.below(CounterRng.bits(key, n + 1), cells);
    }

    /** Always present: every mask of this source is a {@link CounterRng} draw. */
    @Override
    public Optional<CounterDraws> counterDraws() {
        return Optional.of(new CounterDraws(seed, cells, keepProbability));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RandomMasks r && r.seed == seed && r.cells == cells
                && Float.compare(r.keepProbability, keepProbability) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(seed, cells, keepProbability);
    }

    @Override
    public String toString() {
        return "RandomMasks(seed=" + seed + ", cells=" + cells + ", keepProbability=" + keepProbability + ")";
    }
}
