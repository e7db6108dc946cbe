package org.relax4j;

import java.util.Arrays;
import java.util.function.IntConsumer;
import org.relax4j.internal.Parallel;
import org.relax4j.estimate.BlockErrorEstimator;
import org.relax4j.estimate.ControlVariate;
import org.relax4j.estimate.ErrorEstimate;
import org.relax4j.mask.DomainGeometry;
import org.relax4j.mask.MaskDomain;
import org.relax4j.mask.MaskGeometry;
import org.relax4j.mask.MaskSource;

/**
 * What an explanation computes on the host beside the engine: the error estimate ({@link BlockErrorEstimator}) and,
 * if asked for, the control-variate importance ({@link ControlVariate}). The masks are rendered again on the host
 * from their grids and shifts ({@link DomainGeometry}, the same formula every engine uses), so neither needs anything
 * from the engine and both work with all of them, on every domain (the estimate sees a map of any rank as rows ×
 * last axis).
 *
 * <p>The work is split over the configured host threads by ranges of map rows (each pixel's sums see the masks in
 * the same order whatever thread owns it, so results do not depend on the thread count); an image's masks without
 * the control variate are rendered a row at a time where the estimator adds them, never whole. The worker threads
 * start with the first batch and stop at {@link #close()}. Not thread safe.
 */
final class ErrorTracking implements AutoCloseable {
    /** Floats of whole masks rendered at a time where whole masks are needed (2 MB). */
    private static final int CHUNK_FLOATS = 1 << 19;
    /** Blocks needed before a run may stop at its target error: as few as give an estimate at all. */
    static final int MIN_BLOCKS_TO_STOP = ErrorEstimate.MIN_BLOCKS;
    /**
     * With the control variate, an adaptive run fits it at a block's end only once the plain bound is within this
     * factor of the target (the fit renders every mask so far again; the control variate rarely divides the error
     * by more than this).
     */
    private static final double CONTROL_VARIATE_REACH = 3;
    /**
     * An adaptive run looks at its estimate at block ends at least this factor apart in masks. Every look is a chance
     * to stop on an estimate that is low by luck: looking after every batch of random masks (96), 26 of 30 synthetic
     * runs ended within their target; looking every 25 % more masks, 28 of 30 (BENCHMARKS.md). Balanced blocks are
     * this far apart anyway up to 640 masks. With the control variate it also keeps the refits (each renders every
     * mask so far again) O(n) in all, not O(n²).
     */
    static final double LOOK_SPACING = 1.25;

    private final MaskSource masks;
    private final DomainGeometry geometry;
    private final int rows;
    private final int columns;
    private final int positions;
    private final int poolCells;
    private final double confidence;
    private final double stopConfidence;
    private final BlockErrorEstimator estimator;
    private final int threads;
    private Parallel parallel;
    // An image's masks without the control variate: each batch's grids, shifts and width-blended grid rows
    // (MaskGeometry, the same arithmetic as DomainGeometry for rank 2), one array per grid row so that the
    // estimator's loops index them from 0 (which the JIT vectorises); mask rows are rendered from these on demand.
    private final MaskGeometry image;
    private final int imageCells;
    private final int[] rowIndex;
    private final float[] rowWeight;
    private byte[] grids = new byte[0];
    private int[] shifts = new int[0];
    private float[][] blendRows = new float[0][];
    private final float[][] blend;
    // Otherwise: up to chunkMasks whole masks at a time, each thread with its own grid, shift and scratch.
    private final int chunkMasks;
    private float[] chunk;
    private final byte[][] grid;
    private final int[][] shift;
    private final float[][] scratch;
    private ErrorEstimate last;
    private int lastBlocks = -1;
    // Control variate: every mask's features and similarity (F + 1 floats a mask), kept for the fit.
    private final ControlVariate controlVariate;
    private float[] features;
    private float[] similarities;
    private int count;
    // Masks added so far (all of them, whatever the estimator), and at the last look of an adaptive run.
    private long added;
    private long lastLook;
    private Adjusted adjusted;

    /** The control-variate importance and its error estimate over the first {@code masks} masks. */
    record Adjusted(long masks, float[] importance, ErrorEstimate error) {
    }

    /**
     * @param confidence of the reported bound
     * @param stopConfidence of the bound {@link #reached} compares with a target
     */
    ErrorTracking(MaskSource masks, MaskDomain domain, double confidence, double stopConfidence,
                  ControlVariate controlVariate, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.masks = masks;
        this.geometry = new DomainGeometry(domain);
        int[] shape = domain.shape();
        this.columns = shape[shape.length - 1];
        this.positions = domain.positions();
        this.rows = positions / columns;
        int[] cells = domain.cells();
        this.poolCells = cells[cells.length - 1];
        this.confidence = confidence;
        this.stopConfidence = stopConfidence;
        this.estimator = newEstimator();
        this.threads = threads;
        this.image = controlVariate == null && domain.renderer() instanceof MaskGeometry g ? g : null;
        this.imageCells = cells[0];
        this.rowIndex = image != null ? image.rowIndices() : null;
        this.rowWeight = image != null ? image.rowWeights() : null;
        this.blend = image != null ? new float[threads][image.blendLength()] : null;
        this.chunkMasks = Math.max(1, CHUNK_FLOATS / positions);
        // Per thread, allocated by the thread's first chunk (a volume's scratch can be large).
        this.grid = new byte[threads][];
        this.shift = new int[threads][];
        this.scratch = new float[2 * threads][];
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

    /** Adds masks [first, first + count) with their similarities. Not modified. */
    void add(long first, int n, float[] sims) {
        added = first + n;
        if (image != null) {
            addImage(first, n, sims);
            return;
        }
        for (int c = 0; c < n; c += chunkMasks) {
            int cn = Math.min(chunkMasks, n - c);
            float[] s = Arrays.copyOfRange(sims, c, c + cn);
            renderChunk(first + c, cn);
            if (controlVariate != null) {
                for (int b = 0; b < cn; b++) {
                    keep(b * positions, s[b]);
                }
            }
            estimator.add(first + c, cn, s, this::chunkRow, this::forParts, threads);
        }
    }

    /** An image's batch: grids blended along the width per mask in parallel, rows rendered where they are added. */
    private void addImage(long first, int n, float[] sims) {
        int gridLength = masks.gridLength();
        int cells = imageCells;
        if (shifts.length < 2 * n) {
            grids = new byte[n * gridLength];
            shifts = new int[2 * n];
            blendRows = new float[n * cells][columns];
        }
        byte[] g = grids;
        int[] sh = shifts;
        float[][] rowsOf = blendRows;
        int parts = Math.min(threads, n);
        forParts(parts, t -> {
            for (int b = n * t / parts; b < n * (t + 1) / parts; b++) {
                masks.draw(first + b, g, b * gridLength, sh, 2 * b);
                image.blendColumns(g, b * gridLength, sh[2 * b + 1], blend[t], 0);
                for (int a = 0; a < cells; a++) {
                    System.arraycopy(blend[t], a * columns, rowsOf[b * cells + a], 0, columns);
                }
            }
        });
        // Row i of mask b is MaskGeometry.maskRow's blend of two of the mask's width-blended grid rows.
        estimator.add(first, n, sims, (b, i, r, w) -> {
            int k = 2 * (sh[2 * b] * rows + i);
            r[0] = rowsOf[b * cells + rowIndex[k]];
            r[1] = rowsOf[b * cells + rowIndex[k + 1]];
            w[0] = rowWeight[k];
            w[1] = rowWeight[k + 1];
        }, this::forParts, threads);
    }

    /** Renders masks [first, first + n) whole into {@link #chunk}, split over the threads by mask. */
    private void renderChunk(long first, int n) {
        if (chunk == null) {
            chunk = new float[chunkMasks * positions];
        }
        int parts = Math.min(threads, n);
        forParts(parts, t -> {
            if (grid[t] == null) {
                grid[t] = new byte[masks.gridLength()];
                shift[t] = new int[geometry.domain().rank()];
                scratch[2 * t] = new float[geometry.scratchLength()];
                scratch[2 * t + 1] = new float[geometry.scratchLength()];
            }
            for (int b = n * t / parts; b < n * (t + 1) / parts; b++) {
                masks.draw(first + b, grid[t], 0, shift[t], 0);
                geometry.render(grid[t], 0, shift[t], 0, chunk, b * positions, scratch[2 * t], scratch[2 * t + 1]);
            }
        });
    }

    private void chunkRow(int b, int i, float[] out) {
        System.arraycopy(chunk, b * positions + i * columns, out, 0, columns);
    }

    /** Runs parts [0, n) on the worker threads (started at the first use), part 0 on the calling thread. */
    private void forParts(int n, IntConsumer part) {
        if (parallel == null) {
            parallel = new Parallel(threads);
        }
        parallel.forParts(n, part);
    }

    /** Keeps the features of the mask at {@code offset} in {@link #chunk}, and its similarity. */
    private void keep(int offset, float similarity) {
        int f = controlVariate.features();
        if (count == similarities.length) {
            similarities = Arrays.copyOf(similarities, 2 * count);
            features = Arrays.copyOf(features, 2 * count * f);
        }
        controlVariate.features(chunk, offset, features, count * f);
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

    /**
     * Whether an adaptive run may stop here: at a look — a block's end (a balanced design is balanced over whole
     * blocks only; the control variate's fit could otherwise end a run mid-block), after enough blocks for an
     * estimate, {@link #LOOK_SPACING} past the last look — with the bound at the stop confidence at or below the
     * target.
     */
    boolean reached(double target) {
        ErrorEstimate plain = current();
        if (added % estimator.blockSize() != 0 || estimator.blocks() < MIN_BLOCKS_TO_STOP || !plain.isKnown()
                || added < LOOK_SPACING * lastLook) {
            return false;
        }
        lastLook = added;
        if (controlVariate == null) {
            return plain.boundAt(stopConfidence) <= target;
        }
        if (plain.boundAt(stopConfidence) > CONTROL_VARIATE_REACH * target) {
            return false;
        }
        ErrorEstimate e = adjust().error();
        return e.isKnown() && e.boundAt(stopConfidence) <= target;
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
        int pixels = positions;
        double[] sumS = new double[pixels];
        double[] sumM = new double[pixels];
        for (int c = 0; c < count; c += chunkMasks) {
            int cn = Math.min(chunkMasks, count - c);
            float[] r = new float[cn];
            for (int b = 0; b < cn; b++) {
                r[b] = (float) (similarities[c + b] - ControlVariate.predict(beta, features, (c + b) * f));
            }
            renderChunk(c, cn);
            // Each row is handed out by one thread with the masks in order, so the per-pixel sums below keep the
            // order of a plain loop over the masks.
            residualError.add(c, cn, r, (b, i, out) -> {
                chunkRow(b, i, out);
                int p0 = i * columns;
                for (int j = 0; j < columns; j++) {
                    sumS[p0 + j] += (double) r[b] * out[j];
                    sumM[p0 + j] += out[j];
                }
            }, this::forParts, threads);
        }
        residualError.finish();
        float[] importance = new float[pixels];
        for (int p = 0; p < pixels; p++) {
            importance[p] = (float) (sumS[p] / Math.max(sumM[p], Double.MIN_NORMAL) + surrogate[p]);
        }
        // The map's noise is the residual ratio's (the surrogate term has none); its spread is the importance's.
        // Independent masks (blocks of one) need the fit's correction; a balanced design's blocks cancel it.
        ErrorEstimate error = residualError.estimate(importance);
        if (masks.blockSize() == 1) {
            error = controlVariate.correctedForFit(error, count);
        }
        adjusted = new Adjusted(count, importance, error);
        return adjusted;
    }

    /** {@return whether {@link #adjust} applies: the run estimates importance with the control variate} */
    boolean adjusts() {
        return controlVariate != null;
    }

    /** Stops the worker threads, if any were started. */
    @Override
    public void close() {
        if (parallel != null) {
            parallel.close();
            parallel = null;
        }
    }
}
