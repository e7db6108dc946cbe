package org.relax4j.estimate;

import java.util.Arrays;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.relax4j.data.PixelMap;
import org.relax4j.mask.MaskSource;

/**
 * Estimates the error of RELAX's importance map from the run itself. Masks are grouped into independent blocks
 * (whole blocks of the mask design, {@link org.relax4j.mask.MaskSource#blockSize()}); per block k and pixel p it
 * sums {@code S_k(p) = Σ s·m(p)} and {@code M_k(p) = Σ m(p)}. The importance is the ratio estimator
 * {@code R(p) = Σ_k S_k / Σ_k M_k}, whose variance over independent blocks is, by the delta method,
 * <pre>
 *   Var R(p) ≈ K / (K − 1) · Σ_k (S_k(p) − R(p)·M_k(p))² / (Σ_k M_k(p))²
 * </pre>
 * streamed through the per-pixel sums of S_k², S_k·M_k and M_k², so memory does not grow with the mask count.
 *
 * <p>The relative error of the centred map is {@code sqrt(D / G)}: D = Σ_p Var R(p) less what centring removes
 * (the variance of the map's mean), G = ‖R − R̄‖² − D (the limit map's spread, corrected for the noise in R).
 * Centring and the error field's effective number of independent components ν are computed from each block's
 * residual pooled over small pixel squares (the field is smooth at the scale of a grid cell; at most
 * {@value #MAX_STORED} pooled residuals are kept, adjacent ones merged beyond that).
 *
 * <p>The bound: D is, block by block, the squared norm of a centred residual field, so its estimate is known to
 * ν·(K − 1) degrees of freedom; the run's own squared error scatters around D like χ²_ν / ν would for a Gaussian
 * field, but measured its tails are heavier, as if it had about half as many components
 * ({@value #TAIL_DOF_FRACTION}·ν). The bound at confidence c is the point estimate times the square root of the
 * c-quantile of F(ν / 2, ν·(K − 1)). ν comes from the spread of the blocks' cross products, which says little with
 * few blocks, so it is shrunk towards a deliberately low prior ({@value #PRIOR_DOF}, worth {@value #PRIOR_PAIRS}
 * pairs of blocks): an overestimate would make the bound too narrow exactly when an adaptive run decides whether to
 * stop.
 *
 * <p>Masks must be added in index order. Not thread safe (a batch's {@code add} splits its own work over threads).
 */
public final class BlockErrorEstimator {
    /** Most pooled block residuals kept; beyond that adjacent blocks are merged pairwise. */
    static final int MAX_STORED = 256;
    /**
     * The prior for ν: below what was measured (ν ≈ 35 for i.i.d. random masks and ≈ 50 for balanced ones, on
     * MobileNetV2 and on the synthetic encoder, BENCHMARKS.md), so that with few blocks the bound errs wide.
     */
    static final double PRIOR_DOF = 20;
    /** How many pairs of blocks the prior for ν is worth. */
    static final double PRIOR_PAIRS = 6;
    /**
     * The share of ν the run's own error scatters with. Measured (BENCHMARKS.md, the synthetic encoder, 60 seeds per
     * design): the 90 % quantile of true over estimated error was 1.17–1.21 where ν components predict 1.13–1.15,
     * and a bound from ν covered 83–92 % of (run, checkpoint) pairs instead of 90 %; from ν / 2, 89–96 %.
     */
    static final double TAIL_DOF_FRACTION = 0.5;

    private final int height;
    private final int width;
    private final int pixels;
    private final int blockSize;
    private final double confidence;
    // The open block, one array per map row: the JIT vectorises loops over arrays indexed from 0, not from an offset.
    private final float[][] blockS;
    private final float[][] blockM;
    private long openBlock = -1;
    private int openCount;
    // Per pixel, over closed blocks.
    private final double[] sumS;
    private final double[] sumM;
    private final double[] sumSS;
    private final double[] sumSM;
    private final double[] sumMM;
    private int blocks;
    // Pooled residual inputs: per stored block, pooled S then pooled M.
    private final int poolSide;
    private final int poolRows;
    private final int poolCols;
    private final int[] poolSize;
    private double[][] stored = new double[8][];
    private int storedCount;
    private int storedSpan = 1;
    private int pendingMerge;

    /**
     * @param height map height
     * @param width map width
     * @param blockSize masks per independent block, at least 1
     * @param cells the masks' cells per side (sets the pooling scale: two pooled squares per cell and axis)
     * @param confidence the bound's confidence, in (0, 1)
     */
    public BlockErrorEstimator(int height, int width, int blockSize, int cells, double confidence) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("map must be at least 1x1, got " + height + "x" + width);
        }
        if (blockSize < 1) {
            throw new IllegalArgumentException("blockSize must be at least 1, got " + blockSize);
        }
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
        }
        this.height = height;
        this.width = width;
        this.pixels = height * width;
        this.blockSize = blockSize;
        this.confidence = confidence;
        this.blockS = new float[height][width];
        this.blockM = new float[height][width];
        this.sumS = new double[pixels];
        this.sumM = new double[pixels];
        this.sumSS = new double[pixels];
        this.sumSM = new double[pixels];
        this.sumMM = new double[pixels];
        int side = Math.max(1, Math.max(height, width) / Math.max(8, 2 * cells));
        this.poolSide = side;
        this.poolRows = (height + side - 1) / side;
        this.poolCols = (width + side - 1) / side;
        this.poolSize = new int[poolRows * poolCols];
        for (int i = 0; i < height; i++) {
            for (int j = 0; j < width; j++) {
                poolSize[(i / side) * poolCols + j / side]++;
            }
        }
    }

    /** Masks per block when every mask is independent: small enough for many blocks, large enough to be cheap. */
    public static final int INDEPENDENT_BLOCK = 16;

    /**
     * The block size to estimate the error of {@code masks} with: its design's blocks, or
     * {@value #INDEPENDENT_BLOCK} masks when every mask is independent.
     *
     * @param masks the mask source
     * @return the block size, in masks
     */
    public static int blockSizeFor(MaskSource masks) {
        return masks.blockSize() > 1 ? masks.blockSize() : INDEPENDENT_BLOCK;
    }

    /** {@return masks per block} */
    public int blockSize() {
        return blockSize;
    }

    /** {@return closed blocks so far (a block closes when its last mask is added, or at {@link #finish()})} */
    public int blocks() {
        return blocks;
    }

    /**
     * Adds mask {@code index} with its similarity. Indices must not decrease.
     *
     * @param index the mask index
     * @param offset index of the mask's first value in {@code mask}
     * @param similarity the mask's similarity
     * @param mask the rendered mask, H × W from {@code offset}. Not modified.
     */
    public void add(long index, float[] mask, int offset, float similarity) {
        long block = index / blockSize;
        if (block < openBlock) {
            throw new IllegalArgumentException("mask " + index + " added after a mask of a later block");
        }
        if (block != openBlock && openCount > 0) {
            closeBlock();
        }
        openBlock = block;
        for (int i = 0; i < height; i++) {
            float[] rowS = blockS[i];
            float[] rowM = blockM[i];
            int p0 = offset + i * width;
            for (int j = 0; j < width; j++) {
                float m = mask[p0 + j];
                rowS[j] += similarity * m;
                rowM[j] += m;
            }
        }
        if (++openCount == blockSize) {
            closeBlock();
        }
    }

    /**
     * A batch's masks, one map row at a time, for {@link #add(long, int, float[], MaskRows, Parts, int)}: a caller
     * can render each row where it is needed instead of whole masks.
     */
    @FunctionalInterface
    public interface MaskRows {
        /**
         * Writes row {@code row} of the batch's mask {@code b}. Called from several threads at once (each with its own
         * {@code out}); every row is handled by one thread, which asks for it with {@code b} ascending.
         *
         * @param b the mask's position in the batch, in [0, count)
         * @param row the map row, in [0, height)
         * @param out receives the row's width values from index 0. Modified.
         */
        void row(int b, int row, float[] out);
    }

    /**
     * A batch's masks whose every row is a blend of two source rows, {@code m(j) = w0 · r0[j] + w1 · r1[j]} in
     * float32 in this order (an image mask's last rendering step, {@link org.relax4j.mask.MaskGeometry#maskRow}), for
     * {@link #add(long, int, float[], BlendedRows, Parts, int)}: the estimator then renders each row inside its own
     * loop, with no row buffer in between.
     */
    @FunctionalInterface
    public interface BlendedRows {
        /**
         * Describes row {@code row} of the batch's mask {@code b}. Called from several threads at once (each with its
         * own arrays).
         *
         * @param b the mask's position in the batch, in [0, count)
         * @param row the map row, in [0, height)
         * @param sources receives r0 and r1, arrays holding the source rows from index 0 (read, not modified).
         *        Modified.
         * @param weights receives w0 and w1. Modified.
         */
        void blend(int b, int row, float[][] sources, float[] weights);
    }

    /** Runs parts 0 … n − 1 of a loop, possibly at once, and returns when every part has finished. */
    @FunctionalInterface
    public interface Parts {
        /** Runs every part on the calling thread, one after another. */
        Parts SEQUENTIAL = (n, part) -> {
            for (int k = 0; k < n; k++) {
                part.accept(k);
            }
        };

        /**
         * Runs {@code part.accept(k)} for every k in [0, n); rethrows a part's failure.
         *
         * @param n the number of parts
         * @param part the work of part k
         */
        void run(int n, IntConsumer part);
    }

    /**
     * Adds masks [first, first + count) with their similarities, in up to {@code threads} parts over ranges of
     * map rows. Every pixel sees the same arithmetic in the same order as {@link #add(long, float[], int, float)} once
     * per mask (ranges are whole rows of pooling squares, so each pooled sum is also built by one part, in the same
     * order), so the result is identical for every thread count and to the one-mask-at-a-time path. Rows are
     * visited outermost, so a row's sums stay in cache for the whole batch.
     *
     * @param first the first mask's index; indices must not decrease across calls
     * @param count masks in the batch
     * @param similarities the masks' similarities from index 0. Not modified.
     * @param rows the masks' rows
     * @param parts runs the parts
     * @param threads the most parts to split into, at least 1
     */
    public void add(long first, int count, float[] similarities, MaskRows rows, Parts parts, int threads) {
        addBatch(first, count, parts, threads, () -> {
            float[] row = new float[width];
            return (b, i) -> {
                rows.row(b, i, row);
                addRow(blockS[i], blockM[i], row, similarities[b], width);
            };
        });
    }

    /**
     * As {@link #add(long, int, float[], MaskRows, Parts, int)}, for masks given as blends of source rows: the same
     * mask values, rendered where they are added.
     *
     * @param first the first mask's index; indices must not decrease across calls
     * @param count masks in the batch
     * @param similarities the masks' similarities from index 0. Not modified.
     * @param rows how each mask row blends its source rows
     * @param parts runs the parts
     * @param threads the most parts to split into, at least 1
     */
    public void add(long first, int count, float[] similarities, BlendedRows rows, Parts parts, int threads) {
        addBatch(first, count, parts, threads, () -> {
            float[][] r = new float[2][];
            float[] w = new float[2];
            return (b, i) -> {
                rows.blend(b, i, r, w);
                addBlendedRow(blockS[i], blockM[i], r[0], r[1], w[0], w[1], similarities[b], width);
            };
        });
    }

    /** Adds row i of the batch's mask b to the open block. */
    @FunctionalInterface
    private interface RowAdder {
        void add(int b, int i);
    }

    /** The batch paths' common loop; each part gets its own {@link RowAdder} (with its own scratch). */
    private void addBatch(long first, int count, Parts parts, int threads, Supplier<RowAdder> adders) {
        if (count < 1) {
            return;
        }
        if (first / blockSize < openBlock) {
            throw new IllegalArgumentException("mask " + first + " added after a mask of a later block");
        }
        // Where blocks close, exactly as one add per mask would close them: event e before or after mask b.
        int[] before = new int[count];
        int[] after = new int[count];
        Arrays.fill(before, -1);
        Arrays.fill(after, -1);
        int events = 0;
        long block = openBlock;
        int open = openCount;
        for (int b = 0; b < count; b++) {
            long k = (first + b) / blockSize;
            if (k != block && open > 0) {
                before[b] = events++;
                open = 0;
            }
            block = k;
            if (++open == blockSize) {
                after[b] = events++;
                open = 0;
            }
        }
        double[][] pooled = new double[events][2 * poolSize.length];
        int n = Math.max(1, Math.min(threads, poolRows));
        parts.run(n, t -> {
            int from = Math.min(height, poolRows * t / n * poolSide);
            int to = Math.min(height, poolRows * (t + 1) / n * poolSide);
            RowAdder adder = adders.get();
            for (int i = from; i < to; i++) {
                for (int b = 0; b < count; b++) {
                    if (before[b] >= 0) {
                        closeRow(i, pooled[before[b]]);
                    }
                    adder.add(b, i);
                    if (after[b] >= 0) {
                        closeRow(i, pooled[after[b]]);
                    }
                }
            }
        });
        openBlock = block;
        openCount = open;
        for (double[] p : pooled) {
            blocks++;
            store(p);
        }
    }

    /** One mask row into a row of the open block's sums. */
    private static void addRow(float[] rowS, float[] rowM, float[] row, float similarity, int width) {
        for (int j = 0; j < width; j++) {
            float m = row[j];
            rowS[j] += similarity * m;
            rowM[j] += m;
        }
    }

    /** One blended mask row (the arithmetic of {@link org.relax4j.mask.MaskGeometry#maskRow}) into the sums. */
    private static void addBlendedRow(float[] rowS, float[] rowM, float[] r0, float[] r1, float w0, float w1,
                                      float similarity, int width) {
        for (int j = 0; j < width; j++) {
            float m = w0 * r0[j] + w1 * r1[j];
            rowS[j] += similarity * m;
            rowM[j] += m;
        }
    }

    /** Closes a partly filled last block, so that every added mask counts in {@link #estimate()}. */
    public void finish() {
        if (openCount > 0) {
            closeBlock();
        }
    }

    private void closeBlock() {
        double[] pooled = new double[2 * poolSize.length];
        for (int i = 0; i < height; i++) {
            closeRow(i, pooled);
        }
        openCount = 0;
        blocks++;
        store(pooled);
    }

    /** Row i's share of closing the open block: its sums over blocks, its pooled sums, and a cleared row. */
    private void closeRow(int i, double[] pooled) {
        int n = poolSize.length;
        int p0 = i * width;
        float[] rowS = blockS[i];
        float[] rowM = blockM[i];
        for (int j = 0; j < width; j++) {
            int p = p0 + j;
            double s = rowS[j];
            double m = rowM[j];
            sumS[p] += s;
            sumM[p] += m;
            sumSS[p] += s * s;
            sumSM[p] += s * m;
            sumMM[p] += m * m;
        }
        // Square by square, each in the order of a per-pixel loop (columns ascending), without a division per pixel.
        int q = (i / poolSide) * poolCols;
        for (int j0 = 0; j0 < width; j0 += poolSide, q++) {
            double s = pooled[q];
            double m = pooled[n + q];
            for (int j = j0; j < Math.min(width, j0 + poolSide); j++) {
                s += rowS[j];
                m += rowM[j];
            }
            pooled[q] = s;
            pooled[n + q] = m;
        }
        Arrays.fill(rowS, 0f);
        Arrays.fill(rowM, 0f);
    }

    /** Keeps a pooled block residual input; past {@link #MAX_STORED}, sums adjacent pairs (still independent). */
    private void store(double[] pooled) {
        if (pendingMerge > 0) {
            double[] last = stored[storedCount - 1];
            for (int k = 0; k < last.length; k++) {
                last[k] += pooled[k];
            }
            pendingMerge--;
            return;
        }
        if (storedCount == MAX_STORED) {
            for (int k = 0; k < MAX_STORED / 2; k++) {
                double[] a = stored[2 * k];
                double[] b = stored[2 * k + 1];
                for (int t = 0; t < a.length; t++) {
                    a[t] += b[t];
                }
                stored[k] = a;
            }
            Arrays.fill(stored, MAX_STORED / 2, MAX_STORED, null);
            storedCount = MAX_STORED / 2;
            storedSpan *= 2;
        }
        if (storedCount == stored.length) {
            stored = Arrays.copyOf(stored, Math.min(MAX_STORED, 2 * stored.length));
        }
        stored[storedCount++] = pooled;
        pendingMerge = storedSpan - 1;
    }

    /**
     * The estimate over the closed blocks. Cheap enough to call after every batch (one pass over the pixels and a
     * Gram matrix of at most {@value #MAX_STORED} pooled residuals).
     *
     * @return the error estimate
     */
    public ErrorEstimate estimate() {
        return estimate(null);
    }

    /**
     * The estimate over the closed blocks, with the error made relative to {@code map}'s spread instead of the
     * estimator's own ratio map: for a map that is this estimator's ratio plus a term without noise (the
     * control-variate estimate, whose noise is that of the ratio of residuals estimated here).
     *
     * @return the error estimate
     * @param map H × W values, or null for the estimator's own map. Not modified.
     */
    public ErrorEstimate estimate(float[] map) {
        float[] se = new float[pixels];
        if (blocks < ErrorEstimate.MIN_BLOCKS) {
            Arrays.fill(se, Float.NaN);
            return new ErrorEstimate(Double.NaN, Double.NaN, confidence, blocks, Double.NaN, Double.NaN, Double.NaN,
                    new PixelMap(height, width, se));
        }
        double k = blocks;
        double total = 0;
        double mean = 0;
        double[] r = new double[pixels];
        for (int p = 0; p < pixels; p++) {
            double m = sumM[p];
            if (m <= 0) {
                continue;
            }
            double rp = sumS[p] / m;
            r[p] = rp;
            mean += rp;
            double ss = Math.max(0, sumSS[p] - 2 * rp * sumSM[p] + rp * rp * sumMM[p]);
            double var = k / (k - 1) * ss / (m * m);
            se[p] = (float) Math.sqrt(var);
            total += var;
        }
        if (map != null) {
            mean = 0;
            for (int p = 0; p < pixels; p++) {
                r[p] = map[p];
                mean += map[p];
            }
        }
        mean /= pixels;
        double spread = 0;
        for (int p = 0; p < pixels; p++) {
            double d = r[p] - mean;
            spread += d * d;
        }
        Pooled pooled = pooledResiduals();
        double noise = Math.max(0, total - pixels * pooled.meanVariance);
        double signal = spread - noise;
        double relative = signal > 0 ? Math.sqrt(noise / signal) : Double.POSITIVE_INFINITY;
        double nu = pooled.dof;
        double estimateDof = nu * Math.max(1, storedCount - 1);
        double bound = relative * ErrorEstimate.boundFactor(confidence, nu, estimateDof);
        return new ErrorEstimate(relative, bound, confidence, blocks, nu, estimateDof, noise,
                new PixelMap(height, width, se));
    }

    /** What the pooled residuals tell: the variance of the map's mean error, and the error field's dof. */
    private record Pooled(double meanVariance, double dof) {
    }

    private Pooled pooledResiduals() {
        int n = poolSize.length;
        int kk = storedCount;
        double[] totalS = new double[n];
        double[] totalM = new double[n];
        for (int b = 0; b < kk; b++) {
            double[] v = stored[b];
            for (int q = 0; q < n; q++) {
                totalS[q] += v[q];
                totalM[q] += v[n + q];
            }
        }
        // e_b(q): block b's share of the pooled ratio's error; centred per block, weighted so that dot products
        // approximate sums over pixels.
        double[][] c = new double[kk][n];
        double meanSq = 0;
        for (int b = 0; b < kk; b++) {
            double[] v = stored[b];
            double avg = 0;
            for (int q = 0; q < n; q++) {
                if (totalM[q] > 0) {
                    double rq = totalS[q] / totalM[q];
                    c[b][q] = (v[q] - rq * v[n + q]) / totalM[q];
                    avg += poolSize[q] * c[b][q];
                }
            }
            avg /= pixels;
            meanSq += avg * avg;
            for (int q = 0; q < n; q++) {
                c[b][q] = (c[b][q] - avg) * Math.sqrt(poolSize[q]);
            }
        }
        double meanVariance = kk > 1 ? (double) kk / (kk - 1) * meanSq : 0;
        // ν = (tr Σ)² / tr Σ²: tr Σ from the squared norms, tr Σ² from the spread of the cross products.
        double trace = 0;
        double cross = 0;
        double crossSq = 0;
        int pairs = 0;
        double[] d4 = new double[4];
        for (int a = 0; a < kk; a++) {
            trace += dot(c[a], c[a]);
            int b = a + 1;
            // Four products at a time: independent sums (each in index order, as dot's) instead of one long chain.
            for (; b + 4 <= kk; b += 4) {
                dot4(c[a], c[b], c[b + 1], c[b + 2], c[b + 3], d4);
                for (double d : d4) {
                    cross += d;
                    crossSq += d * d;
                }
                pairs += 4;
            }
            for (; b < kk; b++) {
                double d = dot(c[a], c[b]);
                cross += d;
                crossSq += d * d;
                pairs++;
            }
        }
        trace /= kk;
        // tr Σ² from the pairs' cross products, shrunk towards the prior's (tr Σ)² / PRIOR_DOF.
        double crossVariance = 0;
        if (pairs > 0) {
            double m = cross / pairs;
            crossVariance = Math.max(0, crossSq / pairs - m * m);
        }
        double traceSq = (pairs * crossVariance + PRIOR_PAIRS * trace * trace / PRIOR_DOF) / (pairs + PRIOR_PAIRS);
        double dof = traceSq > 0 ? Math.max(1, Math.min(n, trace * trace / traceSq)) : n;
        return new Pooled(meanVariance, dof);
    }

    /** {@code out[k]} = dot(a, b_k), each summed exactly as {@link #dot} sums it. */
    private static void dot4(double[] a, double[] b0, double[] b1, double[] b2, double[] b3, double[] out) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        for (int i = 0; i < a.length; i++) {
            double x = a[i];
            s0 += x * b0[i];
            s1 += x * b1[i];
            s2 += x * b2[i];
            s3 += x * b3[i];
        }
        out[0] = s0;
        out[1] = s1;
        out[2] = s2;
        out[3] = s3;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
