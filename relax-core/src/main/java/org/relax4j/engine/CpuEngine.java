package org.relax4j.engine;

import java.util.Arrays;

import org.relax4j.data.InputBatch;
import org.relax4j.data.InputTensor;
import org.relax4j.estimate.WeightedWelford;
import org.relax4j.mask.DomainGeometry;
import org.relax4j.internal.Parallel;
import org.relax4j.mask.MaskDomain;
import org.relax4j.mask.MaskGeometry;
import org.relax4j.mask.MaskRenderer;
import org.relax4j.mask.MaskSource;

/**
 * The reference engine: pure Java, multi-threaded, bit-identical to the PyTorch reference on the same masks.
 *
 * <p>Per batch it blends each mask's grid rows along the width once ({@link MaskGeometry#blendColumns}, cells × W
 * floats a mask); {@link EngineRun#masked} then renders each mask row ({@link MaskGeometry#maskRow}), keeps it
 * in the batch's mask buffer (B × H × W floats, bounded by the batch size) and writes it times every channel
 * while it is in cache; {@link EngineRun#accumulate} streams the stored masks through
 * {@link WeightedWelford#update} one pixel tile at a time in long, vectorisable loops, so the estimator's state
 * stays in cache. Masking runs in parallel over masks, accumulation over pixel tiles with the masks in order
 * inside each tile, so results are bit-identical for every thread count.
 *
 * <p>That is the image path. Every other {@link MaskDomain} (sequences, volumes, discrete masks such as words)
 * renders each whole mask with {@link DomainGeometry}, the same per-axis formula, and multiplies it into every
 * channel; accumulation is the same.
 */
public final class CpuEngine implements Engine {
    private final Parallel parallel;
    private volatile boolean closed;
    /**
     * The two large buffers (masked batch, masks) of the last closed run, kept for the next run of the same size:
     * fresh 80 MB arrays per explanation cost page faults and humongous-object GC work that show in short runs.
     */
    private float[][] spare;

    /** @param threads worker threads, at least 1 */
    public CpuEngine(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.parallel = new Parallel(threads);
    }

    @Override
    public String name() {
        return Engines.CPU;
    }

    @Override
    public String device() {
        return "cpu, " + parallel.threads() + (parallel.threads() == 1 ? " thread" : " threads");
    }

    @Override
    public EngineRun open(InputTensor input, MaskSource masks, int maxBatch, float initialWeight) {
        if (closed) {
            throw new IllegalStateException("engine is closed");
        }
        MaskDomain domain = EngineChecks.checkDomain(input, masks, maxBatch, initialWeight);
        return new Run(input, masks, domain, maxBatch, initialWeight);
    }

    @Override
    public void close() {
        closed = true;
        spare = null;
        parallel.close();
    }

    /** The spare buffers if they have exactly these lengths (the batch view exposes its whole array). */
    private synchronized float[][] takeSpare(int maskedLength, int masksLength) {
        float[][] s = spare;
        if (s != null && s[0].length == maskedLength && s[1].length == masksLength) {
            spare = null;
            return s;
        }
        return null;
    }

    private synchronized void giveSpare(float[] masked, float[] masks) {
        if (!closed) {
            spare = new float[][] {masked, masks};
        }
    }

    private final class Run implements EngineRun {
        /** Pixels per accumulation tile: the tile's state (3 floats a pixel) stays in L2 while a batch streams by. */
        private static final int TILE = 8192;

        private final float[] x;
        private final MaskSource source;
        /** The image fast path's tables (smooth masks over an image); null for other domains. */
        private final MaskGeometry geometry;
        /** Any other domain: whole masks rendered one at a time; null on the image fast path. */
        private final DomainGeometry generic;
        private final float[][] scratch;
        private final int maxBatch;
        private final int gridLength;
        private final int rank;
        private final int height;
        private final int width;
        private final int channels;
        private final int pixels;
        private final int blendLength;
        private final float[] w;
        private final float[] r;
        private final float[] u;
        // The current batch: grids, shifts and each mask's width-blended grid rows (cells x W floats a mask).
        private final byte[] grids;
        private final int[] shifts;
        private final float[] blends;
        /** The batch's masks (B, H, W), written while masking, read by the estimator's long, vectorised loops. */
        private final float[] masks;
        private boolean masksRendered;
        private boolean closed;
        private long preparedFirst = -1;
        private int preparedCount;
        private final float[] masked;
        private final int[] shape;

        Run(InputTensor input, MaskSource source, MaskDomain domain, int maxBatch, float initialWeight) {
            this.x = input.unsafeData();
            this.source = source;
            int[] shape = domain.shape();
            MaskRenderer renderer = domain.renderer();
            if (renderer instanceof MaskGeometry image) {
                this.geometry = image;
                this.generic = null;
                this.scratch = null;
                this.blendLength = geometry.blendLength();
                this.height = shape[0];
                this.width = shape[1];
            } else {
                this.geometry = null;
                this.generic = (DomainGeometry) renderer;
                this.scratch = new float[2 * parallel.threads()][generic.scratchLength()];
                this.blendLength = 0;
                this.height = 1;
                this.width = domain.positions();
            }
            this.gridLength = source.gridLength();
            this.rank = domain.rank();
            this.maxBatch = maxBatch;
            this.channels = input.channels();
            this.pixels = input.pixels();
            this.shape = input.shape();
            this.w = new float[pixels];
            Arrays.fill(w, initialWeight);
            this.r = new float[pixels];
            this.u = new float[pixels];
            this.grids = new byte[maxBatch * gridLength];
            this.shifts = new int[maxBatch * rank];
            this.blends = new float[maxBatch * blendLength];
            float[][] reuse = takeSpare(maxBatch * channels * pixels, maxBatch * pixels);
            this.masked = reuse != null ? reuse[0] : new float[maxBatch * channels * pixels];
            this.masks = reuse != null ? reuse[1] : new float[maxBatch * pixels];
        }

        /**
         * Draws the batch's grids and shifts and blends each mask's grid rows along the width (spec, "One mask,
         * exactly", step 1 along the width), unless this batch is already prepared. A mask row is then two
         * multiplies and an add away ({@link MaskGeometry#maskRow}).
         */
        private void prepare(long first, int count) {
            checkOpen();
            EngineChecks.checkBatch(first, count, maxBatch, source);
            if (first == preparedFirst && count == preparedCount) {
                return;
            }
            preparedFirst = -1;
            masksRendered = false;
            int per = gridLength;
            parallel.forRange(count, (slot, from, to) -> {
                for (int b = from; b < to; b++) {
                    source.draw(first + b, grids, b * per, shifts, rank * b);
                    if (geometry != null) {
                        geometry.blendColumns(grids, b * per, shifts[2 * b + 1], blends, b * blendLength);
                    }
                }
            });
            preparedFirst = first;
            preparedCount = count;
        }

        @Override
        public InputBatch masked(long firstMask, int count) {
            prepare(firstMask, count);
            renderMasks(count, true);
            return new InputBatch(masked, 0, count, channels, shape);
        }

        /** Renders the prepared batch's masks row by row and, if asked, writes each row times every channel. */
        private void renderMasks(int count, boolean multiply) {
            if (generic != null) {
                renderWholeMasks(count, multiply);
                return;
            }
            parallel.forRange(count, (slot, from, to) -> {
                for (int b = from; b < to; b++) {
                    int dx = shifts[2 * b];
                    for (int i = 0; i < height; i++) {
                        int row = b * pixels + i * width;
                        geometry.maskRow(blends, b * blendLength, dx, i, masks, row);
                        if (multiply) {
                            for (int c = 0; c < channels; c++) {
                                int p = c * pixels + i * width;
                                multiply(x, p, masks, row, masked, b * channels * pixels + p, width);
                            }
                        }
                    }
                }
            });
            masksRendered = true;
        }

        /** Any domain but an image's: each mask rendered whole ({@link DomainGeometry}), then times every channel. */
        private void renderWholeMasks(int count, boolean multiply) {
            parallel.forRange(count, (slot, from, to) -> {
                for (int b = from; b < to; b++) {
                    int m = b * pixels;
                    generic.render(grids, b * gridLength, shifts, rank * b, masks, m, scratch[2 * slot],
                            scratch[2 * slot + 1]);
                    if (multiply) {
                        for (int c = 0; c < channels; c++) {
                            multiply(x, c * pixels, masks, m, masked, b * channels * pixels + c * pixels, pixels);
                        }
                    }
                }
            });
            masksRendered = true;
        }

        @Override
        public void accumulate(long firstMask, int count, float[] similarities) {
            EngineChecks.checkSimilarities(similarities, count);
            prepare(firstMask, count);
            if (!masksRendered) {
                renderMasks(count, false);
            }
            int tiles = (pixels + TILE - 1) / TILE;
            // Each pixel sees the batch's masks in order, whichever thread owns its tile.
            parallel.forRange(tiles, (slot, from, to) -> {
                for (int t = from; t < to; t++) {
                    int p0 = t * TILE;
                    int length = Math.min(TILE, pixels - p0);
                    for (int b = 0; b < count; b++) {
                        WeightedWelford.update(w, r, u, p0, masks, b * pixels + p0, length, similarities[b]);
                    }
                }
            });
        }

        @Override
        public WeightedWelford state() {
            checkOpen();
            return WeightedWelford.of(w, r, u);
        }

        /** A closed run's buffers may already serve the next run. */
        private void checkOpen() {
            if (closed) {
                throw new IllegalStateException("this run is closed");
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                giveSpare(masked, masks);
            }
        }
    }

    /** {@code out[o + k] = x[xo + k] * mask[mo + k]}: the masked input (spec, "The estimator": x ⊙ m). */
    private static void multiply(float[] x, int xo, float[] mask, int mo, float[] out, int o, int n) {
        for (int k = 0; k < n; k++) {
            out[o + k] = x[xo + k] * mask[mo + k];
        }
    }
}
