package org.relax4j;

import org.relax4j.estimate.BlockErrorEstimator;
import org.relax4j.estimate.ErrorEstimate;
import org.relax4j.mask.MaskGeometry;
import org.relax4j.mask.MaskSource;

/**
 * Feeds an explanation's masks and similarities to its {@link BlockErrorEstimator}. The masks are rendered again
 * on the host from their grids and shifts ({@link MaskGeometry}, the same formula every engine uses), so the error
 * estimate needs nothing from the engine and works with all of them. Not thread safe.
 */
final class ErrorTracking {
    /** Blocks needed before a run may stop at its target error: as few as give an estimate at all. */
    static final int MIN_BLOCKS_TO_STOP = ErrorEstimate.MIN_BLOCKS;

    private final MaskSource masks;
    private final MaskGeometry geometry;
    private final BlockErrorEstimator estimator;
    private final byte[] grid;
    private final int[] shift = new int[2];
    private final float[] blend;
    private final float[] mask;
    private ErrorEstimate last;
    private int lastBlocks = -1;

    ErrorTracking(MaskSource masks, int height, int width, double confidence) {
        this.masks = masks;
        this.geometry = new MaskGeometry(masks.cells(), height, width);
        this.estimator = new BlockErrorEstimator(height, width, BlockErrorEstimator.blockSizeFor(masks), masks.cells(),
                confidence);
        this.grid = new byte[masks.cells() * masks.cells()];
        this.blend = new float[geometry.blendLength()];
        this.mask = new float[height * width];
    }

    /** Masks per block of the estimate; an adaptive run checks its target at block ends. */
    int blockSize() {
        return estimator.blockSize();
    }

    /** Adds masks [first, first + count) with their similarities. Not modified. */
    void add(long first, int count, float[] similarities) {
        int height = geometry.height();
        int width = geometry.width();
        for (int b = 0; b < count; b++) {
            masks.draw(first + b, grid, 0, shift, 0);
            geometry.blendColumns(grid, 0, shift[1], blend, 0);
            for (int i = 0; i < height; i++) {
                geometry.maskRow(blend, 0, shift[0], i, mask, i * width);
            }
            estimator.add(first + b, mask, 0, similarities[b]);
        }
    }

    /** The estimate over the blocks closed so far (computed again only when a block has closed). */
    ErrorEstimate current() {
        if (estimator.blocks() != lastBlocks) {
            last = estimator.estimate();
            lastBlocks = estimator.blocks();
        }
        return last;
    }

    /** Whether an adaptive run may stop here: enough whole blocks, and the bound at or below the target. */
    boolean reached(double target) {
        ErrorEstimate e = current();
        return estimator.blocks() >= MIN_BLOCKS_TO_STOP && e.isKnown() && e.bound() <= target;
    }

    /** The final estimate, counting a partly filled last block. */
    ErrorEstimate finish() {
        estimator.finish();
        return current();
    }
}
