package org.relax4j.engine;

import java.util.Objects;
import org.relax4j.InputBatch;
import org.relax4j.InputTensor;
import org.relax4j.estimate.WeightedWelford;
import org.relax4j.mask.MaskGeometry;
import org.relax4j.mask.MaskSource;

/**
 * The reference engine: pure Java, multi-threaded, bit-identical to the PyTorch reference on the same masks.
 *
 * <p>Masks are never stored whole. Per batch it keeps, for each mask, only the width-blended grid rows
 * ({@link MaskGeometry#blendColumns}, cells × W floats); a mask row is two multiplies and an add away from
 * those. {@link EngineRun#masked} renders each row and writes it times every channel in one pass;
 * {@link EngineRun#accumulate} re-derives the rows and updates the estimator one image row at a time, so the
 * state it touches stays in cache. Masking runs in parallel over masks, accumulation over image rows with masks
 * in order inside each row, so results are bit-identical for every thread count.
 */
public final class CpuEngine implements Engine {
    private final Parallel parallel;
    private volatile boolean closed;

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
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(masks, "masks");
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        }
        long batchFloats = (long) maxBatch * input.channels() * input.pixels();
        if (batchFloats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a batch of " + maxBatch + " inputs of " + input + " needs " + batchFloats
                    + " floats, more than one Java array holds; use a smaller batch size");
        }
        return new Run(input, masks, maxBatch, initialWeight);
    }

    @Override
    public void close() {
        closed = true;
        parallel.close();
    }

    private final class Run implements EngineRun {
        private final float[] x;
        private final MaskSource source;
        private final MaskGeometry geometry;
        private final int maxBatch;
        private final int cells;
        private final int height;
        private final int width;
        private final int channels;
        private final float[] w;
        private final float[] r;
        private final float[] u;
        // Per batch: grids, shifts and width-blended grid rows of each mask.
        private final byte[] grids;
        private final int[] shifts;
        private final float[] blends;
        private long blendedFirst = -1;
        private int blendedCount;
        private final float[] masked;
        private final float[][] rowScratch;

        Run(InputTensor input, MaskSource source, int maxBatch, float initialWeight) {
            this.x = input.unsafeData();
            this.source = source;
            this.cells = source.cells();
            this.geometry = new MaskGeometry(cells, input.height(), input.width());
            this.maxBatch = maxBatch;
            this.height = input.height();
            this.width = input.width();
            this.channels = input.channels();
            int pixels = input.pixels();
            WeightedWelford fresh = new WeightedWelford(pixels, initialWeight);
            this.w = fresh.weights();
            this.r = fresh.importance();
            this.u = fresh.uncertainty();
            this.grids = new byte[maxBatch * cells * cells];
            this.shifts = new int[maxBatch * 2];
            this.blends = new float[maxBatch * geometry.blendLength()];
            this.masked = new float[maxBatch * channels * pixels];
            this.rowScratch = new float[parallel.threads()][width];
        }

        private void checkRange(long first, int count) {
            if (count < 1 || count > maxBatch) {
                throw new IllegalArgumentException("batch of " + count + " masks is outside [1, " + maxBatch + "]");
            }
            if (first < 0 || first > source.size() - count) {
                throw new IllegalArgumentException("masks [" + first + ", " + (first + count) + ") are outside the source's "
                        + source.size() + " masks");
            }
        }

        /** Draws the batch's grids and blends their columns, unless this batch is already prepared. */
        private void prepare(long first, int count) {
            checkRange(first, count);
            if (first == blendedFirst && count == blendedCount) {
                return;
            }
            int per = cells * cells;
            int blendLength = geometry.blendLength();
            parallel.forRange(count, (slot, from, to) -> {
                for (int b = from; b < to; b++) {
                    source.draw(first + b, grids, b * per, shifts, 2 * b);
                    geometry.blendColumns(grids, b * per, shifts[2 * b + 1], blends, b * blendLength);
                }
            });
            blendedFirst = first;
            blendedCount = count;
        }

        @Override
        public InputBatch masked(long firstMask, int count) {
            prepare(firstMask, count);
            int pixels = height * width;
            int sample = channels * pixels;
            parallel.forRange(count, (slot, from, to) -> {
                float[] row = rowScratch[slot];
                for (int b = from; b < to; b++) {
                    int blendOffset = b * geometry.blendLength();
                    int dx = shifts[2 * b];
                    int out = b * sample;
                    for (int i = 0; i < height; i++) {
                        geometry.maskRow(blends, blendOffset, dx, i, row, 0);
                        for (int c = 0; c < channels; c++) {
                            int o = out + c * pixels + i * width;
                            int xo = c * pixels + i * width;
                            for (int j = 0; j < width; j++) {
                                masked[o + j] = x[xo + j] * row[j];
                            }
                        }
                    }
                }
            });
            return new InputBatch(masked, 0, count, channels, height, width);
        }

        @Override
        public void accumulate(long firstMask, int count, float[] similarities) {
            prepare(firstMask, count);
            if (similarities.length < count) {
                throw new IllegalArgumentException(count + " masks need " + count + " similarities, got " + similarities.length);
            }
            int blendLength = geometry.blendLength();
            parallel.forRange(height, (slot, from, to) -> {
                float[] row = rowScratch[slot];
                for (int i = from; i < to; i++) {
                    int state = i * width;
                    for (int b = 0; b < count; b++) {
                        geometry.maskRow(blends, b * blendLength, shifts[2 * b], i, row, 0);
                        WeightedWelford.update(w, r, u, state, row, 0, width, similarities[b]);
                    }
                }
            });
        }

        @Override
        public WeightedWelford state() {
            return WeightedWelford.of(w, r, u);
        }

        @Override
        public void close() {
            // Buffers are plain heap arrays; dropping the run frees them.
        }
    }
}
