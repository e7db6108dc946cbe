package org.relax4j.mask;

import java.util.Locale;

/**
 * How the masks of an explanation are chosen. Every design gives single masks with the reference's distribution
 * (each grid cell kept with the keep probability, independently; shifts uniform), so every design's maps converge
 * to the same maps as the mask count grows; they differ in how fast.
 */
public enum MaskDesign {
    /**
     * Independent random masks, as the reference draws them ({@link RandomMasks}). The default: with the same
     * masks it reproduces the reference bit for bit.
     */
    RANDOM,
    /**
     * Balanced blocks ({@link BalancedMasks}): within each block (128 masks for 7 cells) every cell is kept the
     * same number of times, every pair of cells agrees equally often, and each mask is followed by its
     * fold-over. Reaches the random design's map quality with several times fewer encoder passes.
     */
    BALANCED;

    /**
     * {@return the mask source of this design}
     *
     * @param seed the seed of the masks
     * @param cells cells per grid side
     * @param keepProbability the probability that a grid cell is kept
     */
    public MaskSource source(long seed, int cells, float keepProbability) {
        return switch (this) {
            case RANDOM -> new RandomMasks(seed, cells, keepProbability);
            case BALANCED -> new BalancedMasks(seed, cells, keepProbability);
        };
    }

    /**
     * {@return the mask source of this design for grids of any rank}
     *
     * @param seed the seed of the masks
     * @param gridShape cells per axis; for discrete masks the input's shape
     * @param discrete whether the grids are the masks themselves (see {@link MaskSource#discrete()})
     * @param keepProbability the probability that a grid cell is kept
     */
    public MaskSource source(long seed, int[] gridShape, boolean discrete, float keepProbability) {
        return switch (this) {
            case RANDOM -> new RandomMasks(seed, gridShape, discrete, keepProbability);
            case BALANCED -> new BalancedMasks(seed, gridShape, discrete, keepProbability);
        };
    }

    /** {@return the name as the command line spells it: {@code random} or {@code balanced}} */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@link #id()}, case-insensitively.
     *
     * @param id {@code random} or {@code balanced}, in any case; surrounding blanks are ignored
     * @return the design
     * @throws IllegalArgumentException naming the valid designs
     */
    public static MaskDesign parse(String id) {
        for (MaskDesign d : values()) {
            if (d.id().equalsIgnoreCase(id.trim())) {
                return d;
            }
        }
        throw new org.relax4j.data.InvalidSettingException("design", "must be random or balanced, got '" + id + "'");
    }
}
