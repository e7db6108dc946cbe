package org.relax4j;

import java.util.Arrays;
import org.relax4j.estimate.BlockErrorEstimator;
import org.relax4j.estimate.ControlVariate;
import org.relax4j.estimate.ErrorEstimate;
import org.relax4j.mask.DomainGeometry;
import org.relax4j.mask.MaskDomain;
import org.relax4j.mask.MaskSource;

/**
 * What an explanation computes on the host beside the engine: the error estimate ({@link BlockErrorEstimator}) and,
 * if asked for, the control-variate importance ({@link ControlVariate}). The masks are rendered again on the host
 * from their grids and shifts ({@link DomainGeometry}, the same formula every engine uses), so neither needs anything
 * from the engine and both work with all of them, on every domain (the estimate sees a map of any rank as rows ×
 * last axis). Not thread safe.
 */
final class ErrorTracking {
    /** Blocks needed before a run may stop at its target error: as few as give an estimate at all. */
    static final int MIN_BLOCKS_TO_STOP = ErrorEstimate.MIN_BLOCKS;
    /**
     * With the control variate, an adaptive run fits it at a block's end only once the plain bound is within this
     * factor of the target (the fit renders every mask so far again; the control variate rarely divides the error
     * by more than this).
     */
    private static final double CONTROL_VARIATE_REACH = 3;
    /**
     * Between two fits of the control variate in an adaptive run the mask count grows by at least this factor, so
     * that refitting (which renders every mask so far again) costs O(n) in all, not O(n²); a run may stop up to
     * this factor later than an exact check would.
     */
    private static final double CONTROL_VARIATE_SPACING = 1.1;

    private final MaskSource masks;
    private final DomainGeometry geometry;
    private final int rows;
    private final int columns;
    private final int poolCells;
    private final double confidence;
    private final BlockErrorEstimator estimator;
    private final byte[] grid;
    private final int[] shift;
    private final float[] scratchA;
    private final float[] scratchB;
    private final float[] mask;
    private ErrorEstimate last;
    private int lastBlocks = -1;
    // Control variate: every mask's features and similarity (F + 1 floats a mask), kept for the fit.
    private final ControlVariate controlVariate;
    private float[] features;
    private float[] similarities;
    private int count;
    private Adjusted adjusted;

    /** The control-variate importance and its error estimate over the first {@code masks} masks. */
    record Adjusted(long masks, float[] importance, ErrorEstimate error) {
    }

    ErrorTracking(MaskSource masks, MaskDomain domain, double confidence, ControlVariate controlVariate) {
        this.masks = masks;
        this.geometry = new DomainGeometry(domain);
        int[] shape = domain.shape();
        this.columns = shape[shape.length - 1];
        this.rows = domain.positions() / columns;
        int[] cells = domain.cells();
        this.poolCells = cells[cells.length - 1];
        this.confidence = confidence;
        this.estimator = newEstimator();
        this.grid = new byte[masks.gridLength()];
        this.shift = new int[domain.rank()];
        this.scratchA = new float[geometry.scratchLength()];
        this.scratchB = new float[geometry.scratchLength()];
        this.mask = new float[domain.positions()];
        this.controlVariate = controlVariate;
        if (controlVariate != null) {
            features = new float[1024 * controlVariate.features()];
            similarities = new float[1024];
        }
    }

    private BlockErrorEstimator newEstimator() {
        return new BlockErrorEstimator(rows, columns, BlockErrorEstimator.blockSizeFor(masks), poolCells, confidence);
    }

    /** Masks per block of the estimate; an adaptive run checks its target at block ends. */
    int blockSize() {
        return estimator.blockSize();
    }

    /** Renders mask {@code index} into {@link #mask}. */
    private void render(long index) {
        masks.draw(index, grid, 0, shift, 0);
        geometry.render(grid, 0, shift, 0, mask, 0, scratchA, scratchB);
    }

    /** Adds masks [first, first + count) with their similarities. Not modified. */
    void add(long first, int n, float[] sims) {
        for (int b = 0; b < n; b++) {
            render(first + b);
            estimator.add(first + b, mask, 0, sims[b]);
            if (controlVariate != null) {
                keep(sims[b]);
            }
        }
    }

    private void keep(float similarity) {
        int f = controlVariate.features();
        if (count == similarities.length) {
            similarities = Arrays.copyOf(similarities, 2 * count);
            features = Arrays.copyOf(features, 2 * count * f);
        }
        controlVariate.features(mask, 0, features, count * f);
        similarities[count++] = similarity;
    }

    /** The plain estimate over the blocks closed so far (computed again only when a block has closed). */
    ErrorEstimate current() {
        if (estimator.blocks() != lastBlocks) {
            last = estimator.estimate();
            lastBlocks = estimator.blocks();
        }
        return last;
    }

    /** The bound to report: the control variate's once it has been fitted at this point, else the plain one. */
    double bound() {
        return adjusted != null && adjusted.masks() == count ? adjusted.error().bound() : current().bound();
    }

    /** Whether an adaptive run may stop here: enough whole blocks, and the bound at or below the target. */
    boolean reached(double target) {
        ErrorEstimate plain = current();
        if (estimator.blocks() < MIN_BLOCKS_TO_STOP || !plain.isKnown()) {
            return false;
        }
        if (controlVariate == null) {
            return plain.bound() <= target;
        }
        if (plain.bound() > CONTROL_VARIATE_REACH * target
                || (adjusted != null && count < CONTROL_VARIATE_SPACING * adjusted.masks())) {
            return false;
        }
        ErrorEstimate e = adjust().error();
        return e.isKnown() && e.bound() <= target;
    }

    /** The final plain estimate, counting a partly filled last block. */
    ErrorEstimate finish() {
        estimator.finish();
        return current();
    }

    /**
     * Fits the control variate on every mask so far, then renders them again to estimate the residuals' ratio and
     * its error: importance = ratio of (s − ŝ) + E[ŝ·m] / E[m] ({@link ControlVariate}).
     */
    Adjusted adjust() {
        if (adjusted != null && adjusted.masks() == count) {
            return adjusted;
        }
        int f = controlVariate.features();
        double[] beta = controlVariate.fit(features, similarities, count);
        double[] surrogate = controlVariate.expectedSurrogate(beta);
        BlockErrorEstimator residualError = newEstimator();
        int pixels = mask.length;
        double[] sumS = new double[pixels];
        double[] sumM = new double[pixels];
        for (int n = 0; n < count; n++) {
            render(n);
            float r = (float) (similarities[n] - ControlVariate.predict(beta, features, n * f));
            residualError.add(n, mask, 0, r);
            for (int p = 0; p < pixels; p++) {
                sumS[p] += (double) r * mask[p];
                sumM[p] += mask[p];
            }
        }
        residualError.finish();
        float[] importance = new float[pixels];
        for (int p = 0; p < pixels; p++) {
            importance[p] = (float) (sumS[p] / Math.max(sumM[p], Double.MIN_NORMAL) + surrogate[p]);
        }
        // The map's noise is the residual ratio's (the surrogate term has none); its spread is the importance's.
        adjusted = new Adjusted(count, importance, residualError.estimate(importance));
        return adjusted;
    }
}
