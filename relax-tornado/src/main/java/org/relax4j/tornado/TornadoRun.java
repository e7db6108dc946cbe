package org.relax4j.tornado;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.relax4j.gpu.DeviceBackend.DeviceRun;
import org.relax4j.gpu.DeviceBackend.RunLayout;
import org.relax4j.mask.CounterDraws;
import uk.ac.manchester.tornado.api.DataRange;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.LongArray;

/**
 * One explanation on a TornadoVM device: one task graph ({@link RelaxKernels}' five kernels) in one execution plan.
 * The input, the mask tables, both slots' grids, shifts and blends and the estimator state stay on the device for
 * the whole run; what crosses per batch is the small control arrays and similarities going in, and the slot's masked
 * batch coming out ({@link #render}). The maps cross once, in {@link #readState}.
 *
 * <p>Each method executes the graph synchronously (TornadoVM's {@code execute()} returns when the device is done), so
 * unlike the OpenCL engine nothing overlaps the encoder; {@link #copyRendered} only copies host memory and is safe on
 * the pipeline's transfer thread.
 */
final class TornadoRun implements DeviceRun {
    /**
     * OpenCL build options, in place of TornadoVM's default "-cl-mad-enable -cl-fast-relaxed-math -w": IEEE division
     * (the estimator's one division) and no fast math, so the device rounds as Java does; -w keeps the driver's
     * warnings about TornadoVM's generated code off the console.
     */
    static final String OPENCL_FLAGS = "-cl-fp32-correctly-rounded-divide-sqrt -w";

    private final RunLayout layout;
    private final IntArray ops = new IntArray(RelaxKernels.OPS_LENGTH);
    private final LongArray longs = new LongArray(2);
    private final FloatArray floats = new FloatArray(1);
    private final ByteArray hostGrids;
    private final IntArray hostShifts;
    private final ByteArray grids;
    private final IntArray shifts;
    private final FloatArray sims;
    private final FloatArray w;
    private final FloatArray r;
    private final FloatArray u;
    /** Both slots' masked batches, slot s from s · maxBatch · C·H·W: one render kernel serves both. */
    private final FloatArray rendered;
    private final TornadoExecutionPlan plan;
    private TornadoExecutionResult last;
    private boolean closed;

    TornadoRun(TornadoDevice device, RunLayout layout, boolean printKernel) {
        this.layout = layout;
        int maxBatch = layout.maxBatch();
        int cells = layout.cells();
        int per = cells * cells;
        int width = layout.width();
        hostGrids = new ByteArray(maxBatch * per);
        hostShifts = new IntArray(2 * maxBatch);
        grids = new ByteArray(SLOTS * maxBatch * per);
        shifts = new IntArray(SLOTS * 2 * maxBatch);
        FloatArray blends = new FloatArray(SLOTS * maxBatch * cells * width);
        sims = new FloatArray(maxBatch);
        FloatArray x = FloatArray.fromArray(layout.input());
        IntArray rowIndex = IntArray.fromArray(layout.geometry().rowIndices());
        FloatArray rowWeight = FloatArray.fromArray(layout.geometry().rowWeights());
        IntArray colIndex = IntArray.fromArray(layout.geometry().colIndices());
        FloatArray colWeight = FloatArray.fromArray(layout.geometry().colWeights());
        w = new FloatArray(layout.pixels());
        w.init(layout.initialWeight());
        r = new FloatArray(layout.pixels());
        r.init(0f);
        u = new FloatArray(layout.pixels());
        u.init(0f);
        rendered = new FloatArray(SLOTS * maxBatch * layout.sampleFloats());
        ops.init(0);
        ops.set(RelaxKernels.CELLS, cells);
        int h = layout.height();
        int c = layout.channels();
        TaskGraph graph = new TaskGraph("relax")
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, x, rowIndex, rowWeight, colIndex, colWeight,
                        w, r, u, grids, shifts, blends)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, ops, longs, floats, hostGrids, hostShifts, sims)
                .task("draw", RelaxKernels::draw, ops, longs, floats, hostGrids, hostShifts, grids, shifts,
                        maxBatch, per + 2)
                .task("blend", RelaxKernels::blend, ops, colIndex, colWeight, grids, shifts, blends, maxBatch,
                        cells, width)
                .task("render", RelaxKernels::render, ops, x, rowIndex, rowWeight, blends, shifts, rendered,
                        maxBatch, cells, c, h, width)
                .task("accumulate", RelaxKernels::accumulate, ops, rowIndex, rowWeight, blends, shifts, sims, w, r,
                        u, maxBatch, cells, h, width)
                .transferToHost(DataTransferMode.UNDER_DEMAND, rendered, w, r, u, grids, shifts);
        ImmutableTaskGraph immutable = graph.snapshot();
        plan = new TornadoExecutionPlan(immutable).withDevice(device)
                .withCompilerFlags(TornadoVMBackendType.OPENCL, OPENCL_FLAGS);
        if (printKernel) {
            plan.withPrintKernel();
        }
        try {
            execute(0, 0, 0); // compiles every kernel and moves the input, tables and state to the device
        } catch (RuntimeException e) {
            closePlan(e);
            throw e;
        }
    }

    private void execute(int op, int slot, int count) {
        ops.set(RelaxKernels.OPS, op);
        ops.set(RelaxKernels.SLOT, slot);
        ops.set(RelaxKernels.COUNT, count);
        last = plan.execute();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("TornadoVM run is closed");
        }
    }

    @Override
    public void drawCounterMasks(int slot, CounterDraws draws, long firstMask, int count) {
        checkOpen();
        if (draws.cells() != layout.cells()) {
            throw new IllegalArgumentException("masks of " + draws.cells() + " cells in a run of " + layout.cells());
        }
        longs.set(RelaxKernels.SEED, draws.seed());
        longs.set(RelaxKernels.FIRST, firstMask);
        floats.set(RelaxKernels.KEEP, draws.keepProbability());
        execute(RelaxKernels.DRAW | RelaxKernels.BLEND, slot, count);
    }

    @Override
    public void uploadMasks(int slot, byte[] gridValues, int[] shiftValues, int count) {
        checkOpen();
        int per = layout.cells() * layout.cells();
        MemorySegment.copy(gridValues, 0, hostGrids.getSegment(), ValueLayout.JAVA_BYTE, 0, count * per);
        MemorySegment.copy(shiftValues, 0, hostShifts.getSegment(), ValueLayout.JAVA_INT, 0, 2 * count);
        execute(RelaxKernels.COPY | RelaxKernels.BLEND, slot, count);
    }

    @Override
    public void render(int slot, int count) {
        checkOpen();
        execute(RelaxKernels.RENDER, slot, count);
        last.transferToHost(new DataRange(rendered).withOffset(slotOffset(slot))
                .withSize((long) count * layout.sampleFloats()));
    }

    @Override
    public void copyRendered(int slot, int count, float[] destination) {
        checkOpen();
        MemorySegment.copy(rendered.getSegment(), ValueLayout.JAVA_FLOAT, slotOffset(slot) * Float.BYTES, destination,
                0, count * layout.sampleFloats());
    }

    /** The index of the slot's first float in {@link #rendered}. */
    private long slotOffset(int slot) {
        return (long) slot * layout.maxBatch() * layout.sampleFloats();
    }

    @Override
    public void accumulate(int slot, int count, float[] similarities) {
        checkOpen();
        MemorySegment.copy(similarities, 0, sims.getSegment(), ValueLayout.JAVA_FLOAT, 0, count);
        execute(RelaxKernels.ACCUMULATE, slot, count);
    }

    @Override
    public void readState(float[] weights, float[] importance, float[] uncertainty) {
        checkOpen();
        last.transferToHost(w, r, u);
        int pixels = layout.pixels();
        MemorySegment.copy(w.getSegment(), ValueLayout.JAVA_FLOAT, 0, weights, 0, pixels);
        MemorySegment.copy(r.getSegment(), ValueLayout.JAVA_FLOAT, 0, importance, 0, pixels);
        MemorySegment.copy(u.getSegment(), ValueLayout.JAVA_FLOAT, 0, uncertainty, 0, pixels);
    }

    @Override
    public void readMasks(int slot, int count, byte[] gridValues, int[] shiftValues) {
        checkOpen();
        int per = layout.cells() * layout.cells();
        int maxBatch = layout.maxBatch();
        last.transferToHost(grids, shifts);
        MemorySegment.copy(grids.getSegment(), ValueLayout.JAVA_BYTE, (long) slot * maxBatch * per, gridValues, 0,
                count * per);
        MemorySegment.copy(shifts.getSegment(), ValueLayout.JAVA_INT, (long) slot * 2 * maxBatch * Integer.BYTES,
                shiftValues, 0, 2 * count);
    }

    @Override
    public void finish() {
        checkOpen(); // every execution is synchronous
    }

    private void closePlan(RuntimeException failure) {
        try {
            plan.freeDeviceMemory();
            plan.close();
        } catch (Exception e) {
            if (failure != null) {
                failure.addSuppressed(e);
            } else {
                throw new IllegalStateException("TornadoVM could not release the run's device memory", e);
            }
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closePlan(null);
        }
    }
}
