package org.relax4j.mask;

import java.util.Optional;

/**
 * Where masks come from: the grid (cells per axis of 0/1 values; cells × cells for an image) and the shift per
 * axis ((dx, dy) for an image) of mask <i>n</i>, for any n.
 *
 * <p>Implementations are stateless with respect to the index, so any mask can be drawn in any order and from
 * any thread: {@link RandomMasks} (counter-based, from a seed), {@link BalancedMasks} (blocks balanced
 * by an orthogonal array; see {@link MaskDesign}) and {@link RecordedMasks} (replaying grids and
 * shifts recorded elsewhere, e.g. from the PyTorch reference).
 */
public interface MaskSource {

    /** {@return cells per side of each grid; for a grid whose axes differ, the first axis's cells} */
    int cells();

    /**
     * {@return the grid's cells per axis, a new array: its length is the rank of the masks' domain. The default,
     * {cells, cells}, is an image's square grid}
     */
    default int[] gridShape() {
        return new int[] {cells(), cells()};
    }

    /** {@return values per grid: the product of {@link #gridShape()}} */
    default int gridLength() {
        int n = 1;
        for (int c : gridShape()) {
            n = Math.multiplyExact(n, c);
        }
        return n;
    }

    /**
     * Whether the grids are the masks themselves: one cell per position of the input, each kept or dropped on its
     * own, without upsampling or shift (discrete domains such as the words of a text; see {@link MaskDomain}). The
     * default, false, is the reference's smooth masks.
     *
     * @return true for discrete masks
     */
    default boolean discrete() {
        return false;
    }

    /** {@return number of masks available, or {@link Long#MAX_VALUE} for an endless source} */
    long size();

    /**
     * Writes mask {@code index}: its grid row-major into {@code grid[gridOffset .. gridOffset + gridLength())}
     * (values 0 or 1) and one shift per axis from {@code shift[shiftOffset]}, the shift on axis a in
     * [0, gridShape()[a]) (for an image: row shift dx, then column shift dy; for {@link #discrete()} masks, zeros).
     *
     * @param index the mask index, in [0, size())
     * @param grid receives the grid, {@link #gridLength()} values from {@code gridOffset}. Modified.
     * @param gridOffset index of the grid's first value in {@code grid}
     * @param shift receives one shift per axis from {@code shiftOffset}. Modified.
     * @param shiftOffset index of the first axis's shift in {@code shift}
     * @throws IndexOutOfBoundsException if {@code index} is not in [0, size())
     */
    void draw(long index, byte[] grid, int gridOffset, int[] shift, int shiftOffset);

    /**
     * Masks per independent block: masks {@code [k·B, (k+1)·B)} form block k; blocks are independent and
     * identically distributed, while the masks inside one block may be chosen together (as {@link BalancedMasks}
     * does). The error estimate groups masks by whole blocks. The default, 1, says every mask is independent
     * ({@link RandomMasks}; {@link RecordedMasks} assumes it of the run it replays).
     *
     * @return masks per block, at least 1
     */
    default int blockSize() {
        return 1;
    }

    /**
     * An optional capability: if this source's masks are exactly {@link CounterRng} draws, their parameters, so that
     * an engine may draw them where it likes (a GPU engine draws them on the device instead of uploading grids).
     * Sources without it (the default) are drawn through {@link #draw} and their grids handed over.
     *
     * @return the parameters of the counter-based draws, or empty
     */
    default Optional<CounterDraws> counterDraws() {
        return Optional.empty();
    }
}
