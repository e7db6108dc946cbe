package org.relax4j.bench;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.relax4j.data.InputBatch;
import org.relax4j.data.InputTensor;
import org.relax4j.engine.Engine;
import org.relax4j.engine.EngineChecks;
import org.relax4j.engine.EngineRun;
import org.relax4j.estimate.WeightedWelford;
import org.relax4j.mask.MaskGeometry;
import org.relax4j.mask.MaskSource;

/**
 * The baseline the relax4j engines are measured against: RELAX's own work written with ND4J array operations,
 * the way the PyTorch reference would be ported by someone who knows ND4J.
 *
 * <ul>
 *   <li><b>Masks</b>: grids and shifts are drawn on the host through the {@link MaskSource} (so masks are the
 *       CPU engine's), then the bilinear upsampling, reflect padding and crop are two matrix products per mask,
 *       {@code mask = Rh[dx] · G · Rw[dy]ᵀ}, where {@code Rh[s]} (H × cells) and {@code Rw[s]} (W × cells) are
 *       interpolation matrices with the padding and crop for shift s folded in (built once per explanation
 *       from {@link MaskGeometry}'s tables). Each product is {@link Nd4j#gemm} into a preallocated view, so
 *       OpenBLAS does the arithmetic.</li>
 *   <li><b>Masking</b>: one broadcast multiply (B, 1, H·W) × (1, C, H·W) into a preallocated (B, C, H·W)
 *       array, copied to the heap array that {@link InputBatch} wraps (ND4J's arrays live off-heap; that copy is
 *       a cost any ND4J port behind this API pays).</li>
 *   <li><b>Estimator</b>: the reference's per-mask update as in-place array operations over all pixels, in mask
 *       order and in the reference's evaluation order:
 *       {@code W += m; A = s - R; B = A·m; B /= W; R += B; B = s - R; B *= A; B *= m; U += B}.</li>
 * </ul>
 * Nothing is allocated per batch except ND4J's own per-op bookkeeping. ND4J's thread settings are global to
 * the process, so creating this engine sets them for every ND4J user in the JVM. Not thread safe.
 */
public final class Nd4jEngine implements Engine {
    /** The name the configuration and {@link org.relax4j.engine.Engines#create} use. */
    public static final String NAME = "nd4j";

    private final int threads;
    private volatile boolean closed;

    /** @param threads threads ND4J's element-wise operations (OpenMP) may use, at least 1 */
    public Nd4jEngine(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.getEnvironment().setMaxThreads(threads);
        // The products here are tiny (inner dimension = cells): multi-threaded OpenBLAS gains nothing on them, and
        // its spinning workers then slow down the element-wise operations that follow (measured on 2 cores).
        Nd4j.factory().blas().setMaxThreads(1);
        // ND4J's periodic System.gc() (to free off-heap buffers of dropped arrays) only adds pauses here: this
        // engine preallocates everything, as the DL4J performance guide advises for steady workloads.
        Nd4j.getMemoryManager().togglePeriodicGc(false);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String device() {
        return "nd4j-native, " + Nd4j.getBackend().getClass().getSimpleName() + " with "
                + Nd4j.factory().blas().getBlasVendor() + ", " + threads + (threads == 1 ? " thread" : " threads");
    }

    @Override
    public EngineRun open(InputTensor input, MaskSource masks, int maxBatch, float initialWeight) {
        if (closed) {
            throw new IllegalStateException("engine is closed");
        }
        MaskGeometry geometry;
        try {
            geometry = EngineChecks.checkOpen(input, masks, maxBatch, initialWeight);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("nd4j engine: " + e.getMessage(), e);
        }
        return new Run(input, masks, geometry, maxBatch, initialWeight);
    }

    @Override
    public void close() {
        closed = true;
    }

    /** One explanation: every ND4J array it needs, allocated in the constructor and released by {@link #close}. */
    private static final class Run implements EngineRun {
        private final MaskSource source;
        private final int cells;
        private final int channels;
        private final int height;
        private final int width;
        private final int pixels;
        private final int maxBatch;

        /** Arrays this run owns (not views), released in reverse order by {@link #close}. */
        private final List<INDArray> owned = new ArrayList<>();
        /** Row interpolation per shift: rows[s] is (H, cells). */
        private final INDArray[] rows;
        /** Column interpolation per shift, transposed: cols[s] is (cells, W). */
        private final INDArray[] cols;
        /** Per batch slot b: the grid (cells, cells), G·Rw[dy]ᵀ (cells, W), the mask (H, W) and the mask flat (H·W). */
        private final INDArray[] gridView;
        private final INDArray[] blendView;
        private final INDArray[] maskView;
        private final INDArray[] maskFlat;
        /** Views of the first {@code count} masks as (count, 1, H·W) and outputs as (count, C, H·W), made on first use. */
        private final INDArray[] maskPrefix;
        private final INDArray[] maskedPrefix;
        private final INDArray input;
        private final INDArray maskedAll;
        private final INDArray masksAll;
        private final FloatBuffer gridBuffer;
        private final FloatBuffer maskedBuffer;
        private final INDArray w;
        private final INDArray r;
        private final INDArray u;
        private final INDArray scratchA;
        private final INDArray scratchB;

        private final byte[] gridBytes;
        private final float[] gridFloats;
        private final int[] shifts;
        private final float[] masked;
        private long renderedFirst = -1;
        private int renderedCount;
        private boolean closed;

        Run(InputTensor x, MaskSource source, MaskGeometry geometry, int maxBatch, float initialWeight) {
            this.source = source;
            this.cells = source.cells();
            this.channels = x.channels();
            this.maxBatch = maxBatch;
            this.height = x.height();
            this.width = x.width();
            this.pixels = height * width;
            int per = cells * cells;

            INDArray rowTable = own(Nd4j.create(interpolation(geometry.rowIndices(), geometry.rowWeights(), height, false),
                    new long[] {cells, height, cells}, 'c'));
            INDArray colTable = own(Nd4j.create(interpolation(geometry.colIndices(), geometry.colWeights(), width, true),
                    new long[] {cells, cells, width}, 'c'));
            rows = new INDArray[cells];
            cols = new INDArray[cells];
            for (int s = 0; s < cells; s++) {
                rows[s] = rowTable.get(NDArrayIndex.point(s), NDArrayIndex.all(), NDArrayIndex.all());
                cols[s] = colTable.get(NDArrayIndex.point(s), NDArrayIndex.all(), NDArrayIndex.all());
            }

            INDArray grids = own(Nd4j.create(DataType.FLOAT, maxBatch, cells, cells));
            INDArray blends = own(Nd4j.create(DataType.FLOAT, maxBatch, cells, width));
            masksAll = own(Nd4j.create(DataType.FLOAT, maxBatch, height, width));
            INDArray masksFlat = masksAll.reshape('c', maxBatch, pixels);
            gridView = new INDArray[maxBatch];
            blendView = new INDArray[maxBatch];
            maskView = new INDArray[maxBatch];
            maskFlat = new INDArray[maxBatch];
            for (int b = 0; b < maxBatch; b++) {
                gridView[b] = grids.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all());
                blendView[b] = blends.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all());
                maskView[b] = masksAll.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all());
                maskFlat[b] = masksFlat.get(NDArrayIndex.point(b), NDArrayIndex.all());
            }
            maskPrefix = new INDArray[maxBatch + 1];
            maskedPrefix = new INDArray[maxBatch + 1];

            input = own(Nd4j.create(x.toArray(), new long[] {1, channels, pixels}, 'c'));
            maskedAll = own(Nd4j.create(DataType.FLOAT, maxBatch, channels, pixels));
            gridBuffer = grids.data().asNioFloat();
            maskedBuffer = maskedAll.data().asNioFloat();

            w = own(Nd4j.valueArrayOf(new long[] {pixels}, initialWeight, DataType.FLOAT));
            r = own(Nd4j.create(DataType.FLOAT, pixels));
            u = own(Nd4j.create(DataType.FLOAT, pixels));
            scratchA = own(Nd4j.create(DataType.FLOAT, pixels));
            scratchB = own(Nd4j.create(DataType.FLOAT, pixels));

            gridBytes = new byte[maxBatch * per];
            gridFloats = new float[maxBatch * per];
            shifts = new int[2 * maxBatch];
            masked = new float[maxBatch * channels * pixels];
        }

        private INDArray own(INDArray a) {
            owned.add(a);
            return a;
        }

        /**
         * The dense interpolation matrices of one axis, one per shift, from {@link MaskGeometry}'s two-tap tables:
         * entry (s, i, k) is the weight of grid line k in output line i (or (s, k, i) when {@code transposed}).
         */
        private float[] interpolation(int[] index, float[] weight, int n, boolean transposed) {
            float[] m = new float[cells * n * cells];
            for (int s = 0; s < cells; s++) {
                for (int i = 0; i < n; i++) {
                    for (int t = 0; t < 2; t++) {
                        int k = 2 * (s * n + i) + t;
                        int at = transposed ? (s * cells + index[k]) * n + i : (s * n + i) * cells + index[k];
                        m[at] += weight[k];
                    }
                }
            }
            return m;
        }

        private void checkOpen() {
            if (closed) {
                throw new IllegalStateException("run is closed");
            }
        }

        /** Renders masks [first, first + count) into the first count mask slots, unless they hold them already. */
        private void render(long first, int count) {
            checkOpen();
            EngineChecks.checkBatch(first, count, maxBatch, source);
            if (first == renderedFirst && count == renderedCount) {
                return;
            }
            int per = cells * cells;
            for (int b = 0; b < count; b++) {
                source.draw(first + b, gridBytes, b * per, shifts, 2 * b);
            }
            for (int k = 0; k < count * per; k++) {
                gridFloats[k] = gridBytes[k];
            }
            gridBuffer.put(0, gridFloats, 0, count * per);
            for (int b = 0; b < count; b++) {
                // (cells x cells) · (cells x W): the grid blended along the width (shift dy folded in) ...
                Nd4j.gemm(gridView[b], cols[shifts[2 * b + 1]], blendView[b], false, false, 1.0, 0.0);
                // ... then (H x cells) · (cells x W): blended along the height (shift dx folded in).
                Nd4j.gemm(rows[shifts[2 * b]], blendView[b], maskView[b], false, false, 1.0, 0.0);
            }
            renderedFirst = first;
            renderedCount = count;
        }

        @Override
        public InputBatch masked(long firstMask, int count) {
            render(firstMask, count);
            if (maskPrefix[count] == null) {
                maskPrefix[count] = masksAll.reshape('c', maxBatch, 1, pixels)
                        .get(NDArrayIndex.interval(0, count), NDArrayIndex.all(), NDArrayIndex.all());
                maskedPrefix[count] = maskedAll.get(NDArrayIndex.interval(0, count), NDArrayIndex.all(), NDArrayIndex.all());
            }
            // (count, 1, H·W) * (1, C, H·W) -> (count, C, H·W), broadcast over channels and masks.
            maskPrefix[count].mul(input, maskedPrefix[count]);
            int length = count * channels * pixels;
            maskedBuffer.get(0, masked, 0, length);
            return new InputBatch(masked, 0, count, channels, height, width);
        }

        @Override
        public void accumulate(long firstMask, int count, float[] similarities) {
            EngineChecks.checkSimilarities(similarities, count);
            render(firstMask, count);
            for (int b = 0; b < count; b++) {
                INDArray m = maskFlat[b];
                float s = similarities[b];
                w.addi(m);                      // W += m
                r.rsub(s, scratchA);            // A = s - R_old
                scratchA.mul(m, scratchB);      // B = (s - R_old) * m
                scratchB.divi(w);               // B /= W
                r.addi(scratchB);               // R += B
                r.rsub(s, scratchB);            // B = s - R
                scratchB.muli(scratchA);        // B *= (s - R_old)
                scratchB.muli(m);               // B *= m
                u.addi(scratchB);               // U += B
            }
        }

        @Override
        public WeightedWelford state() {
            checkOpen();
            return WeightedWelford.of(w.toFloatVector(), r.toFloatVector(), u.toFloatVector());
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            for (int k = owned.size() - 1; k >= 0; k--) {
                INDArray a = owned.get(k);
                if (a.closeable()) {
                    a.close();
                }
            }
            owned.clear();
        }
    }
}
