package org.relax4j.mask;

/**
 * Where masks come from: the grid (cells × cells of 0/1) and shift (dx, dy) of mask <i>n</i>, for any n.
 *
 * <p>Implementations are stateless with respect to the index, so any mask can be drawn in any order and from
 * any thread: {@link RandomMasks} (counter-based, from a seed), {@link BalancedMasks} (blocks balanced
 * by an orthogonal array; see {@link MaskDesign}) and {@link RecordedMasks} (replaying grids and
 * shifts recorded elsewhere, e.g. from the PyTorch reference).
 */
public interface MaskSource {

    /** Cells per side of each grid. */
    int cells();

    /** Number of masks available, or {@link Long#MAX_VALUE} for an endless source. */
    long size();

    /**
     * Writes mask {@code index}: its grid row-major into {@code grid[gridOffset .. gridOffset + cells²)} (values
     * 0 or 1) and its shift into {@code shift[shiftOffset]} (row shift dx) and {@code shift[shiftOffset + 1]}
     * (column shift dy), each in [0, cells).
     *
     * @throws IndexOutOfBoundsException if {@code index} is not in [0, size())
     */
    void draw(long index, byte[] grid, int gridOffset, int[] shift, int shiftOffset);

    /**
     * Masks per independent block: masks {@code [k·B, (k+1)·B)} form block k; blocks are independent and
     * identically distributed, while the masks inside one block may be chosen together (as {@link BalancedMasks}
     * does). The error estimate groups masks by whole blocks. The default, 1, says every mask is independent
     * ({@link RandomMasks}; {@link RecordedMasks} assumes it of the run it replays).
     */
    default int blockSize() {
        return 1;
    }
}
