package org.relax4j.gpu;

import static org.jocl.CL.CL_MEM_COPY_HOST_PTR;
import static org.jocl.CL.CL_MEM_HOST_READ_ONLY;
import static org.jocl.CL.CL_MEM_READ_ONLY;
import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.CL_MEM_WRITE_ONLY;
import static org.jocl.CL.clCreateBuffer;
import static org.jocl.CL.clReleaseMemObject;
import static org.relax4j.gpu.ClCalls.call;

import java.util.Arrays;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_context;
import org.jocl.cl_mem;
import org.relax4j.gpu.DeviceBackend.DeviceRun;
import org.relax4j.gpu.DeviceBackend.RunLayout;

/**
 * One run's device buffers: the input, MaskGeometry's four tables, the estimator state, and per slot the grids,
 * shifts, blended grid rows, similarities, the rendered batch (split over several buffers when one batch is larger
 * than the device's largest buffer) and, when accumulation reads masks back, the masks. Releases are registered with
 * the run's {@link Releaser}. {@link #deviceBytes} states the total before anything is allocated, and
 * {@link #allocatedBytes()} counts what was; they agree.
 */
final class RunBuffers {
    final cl_mem x;
    final cl_mem rowIndex;
    final cl_mem rowWeight;
    final cl_mem colIndex;
    final cl_mem colWeight;
    final cl_mem w;
    final cl_mem r;
    final cl_mem u;
    final cl_mem[] grids = new cl_mem[DeviceRun.SLOTS];
    final cl_mem[] shifts = new cl_mem[DeviceRun.SLOTS];
    final cl_mem[] blends = new cl_mem[DeviceRun.SLOTS];
    final cl_mem[] sims = new cl_mem[DeviceRun.SLOTS];
    /** Per slot the masks (B, H, W), or nulls when accumulation recomputes them. */
    final cl_mem[] masks = new cl_mem[DeviceRun.SLOTS];
    /** Per slot, the buffers that hold the rendered batch, samplesPerBuffer masked inputs each. */
    final cl_mem[][] rendered;

    private final cl_context context;
    private final Releaser handles;
    private long allocated;

    /**
     * Allocates every buffer and uploads the input, the tables and the initial state.
     *
     * @param renderFlags extra flags of the rendered-batch buffers (the host transfer's)
     * @param withMasks whether to allocate the per-slot mask buffers
     */
    RunBuffers(cl_context context, RunLayout layout, long renderFlags, boolean withMasks, Releaser handles) {
        this.context = context;
        this.handles = handles;
        int per = layout.cells() * layout.cells();
        int buffers = bufferCount(layout);
        this.rendered = new cl_mem[DeviceRun.SLOTS][buffers];
        x = upload("input", CL_MEM_READ_ONLY, layout.input());
        rowIndex = upload("row indices", layout.geometry().rowIndices());
        rowWeight = upload("row weights", CL_MEM_READ_ONLY, layout.geometry().rowWeights());
        colIndex = upload("column indices", layout.geometry().colIndices());
        colWeight = upload("column weights", CL_MEM_READ_ONLY, layout.geometry().colWeights());
        float[] w0 = new float[layout.pixels()];
        Arrays.fill(w0, layout.initialWeight());
        float[] zeros = new float[layout.pixels()];
        w = upload("weights W", CL_MEM_READ_WRITE, w0);
        r = upload("importance R", CL_MEM_READ_WRITE, zeros);
        u = upload("uncertainty U", CL_MEM_READ_WRITE, zeros);
        long sampleBytes = (long) layout.sampleFloats() * Sizeof.cl_float;
        for (int s = 0; s < DeviceRun.SLOTS; s++) {
            grids[s] = buffer("grids", CL_MEM_READ_WRITE, (long) layout.maxBatch() * per, null);
            shifts[s] = buffer("shifts", CL_MEM_READ_WRITE, 2L * layout.maxBatch() * Sizeof.cl_int, null);
            blends[s] = buffer("blends", CL_MEM_READ_WRITE, blendBytes(layout), null);
            sims[s] = buffer("similarities", CL_MEM_READ_ONLY, (long) layout.maxBatch() * Sizeof.cl_float, null);
            if (withMasks) {
                masks[s] = buffer("masks", CL_MEM_READ_WRITE, maskBytes(layout), null);
            }
            for (int c = 0; c < buffers; c++) {
                rendered[s][c] = buffer("masked batch", CL_MEM_WRITE_ONLY | CL_MEM_HOST_READ_ONLY | renderFlags,
                        samplesIn(layout, c) * sampleBytes, null);
            }
        }
    }

    /**
     * The device memory a run of {@code layout} allocates, in bytes: input and state
     * {@code 4·(C·H·W + 3·H·W)}, tables {@code 16·cells·(H + W)}, and per slot grids, shifts, blends, similarities,
     * the rendered batch and (withMasks) the masks.
     */
    static long deviceBytes(RunLayout layout, boolean withMasks) {
        long cells = layout.cells();
        long tables = 2L * cells * layout.height() * (Sizeof.cl_int + Sizeof.cl_float)
                + 2L * cells * layout.width() * (Sizeof.cl_int + Sizeof.cl_float);
        long fixed = (long) layout.sampleFloats() * Sizeof.cl_float + 3L * layout.pixels() * Sizeof.cl_float + tables;
        long slot = (long) layout.maxBatch() * cells * cells + 2L * layout.maxBatch() * Sizeof.cl_int + blendBytes(layout)
                + (long) layout.maxBatch() * Sizeof.cl_float + (withMasks ? maskBytes(layout) : 0)
                + (long) layout.maxBatch() * layout.sampleFloats() * Sizeof.cl_float;
        return fixed + DeviceRun.SLOTS * slot;
    }

    /** Bytes of one slot's blended grid rows: maxBatch · cells · W floats. */
    static long blendBytes(RunLayout layout) {
        return (long) layout.maxBatch() * layout.cells() * layout.width() * Sizeof.cl_float;
    }

    /** Bytes of one slot's masks: maxBatch · H · W floats. */
    static long maskBytes(RunLayout layout) {
        return (long) layout.maxBatch() * layout.pixels() * Sizeof.cl_float;
    }

    /** How many device buffers one slot's rendered batch spans. */
    static int bufferCount(RunLayout layout) {
        return (layout.maxBatch() + layout.samplesPerBuffer() - 1) / layout.samplesPerBuffer();
    }

    /** How many masked inputs rendered buffer {@code c} holds. */
    static int samplesIn(RunLayout layout, int c) {
        return Math.min(layout.samplesPerBuffer(), layout.maxBatch() - c * layout.samplesPerBuffer());
    }

    /** The bytes allocated so far. */
    long allocatedBytes() {
        return allocated;
    }

    private cl_mem upload(String what, long flags, float[] values) {
        return buffer(what, flags | CL_MEM_COPY_HOST_PTR, (long) values.length * Sizeof.cl_float, Pointer.to(values));
    }

    private cl_mem upload(String what, int[] values) {
        return buffer(what, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, (long) values.length * Sizeof.cl_int,
                Pointer.to(values));
    }

    private cl_mem buffer(String what, long flags, long bytes, Pointer host) {
        cl_mem m = call("clCreateBuffer(" + what + ", " + bytes + " bytes)",
                () -> clCreateBuffer(context, flags, bytes, host, null));
        handles.add("clReleaseMemObject(" + what + ")", () -> clReleaseMemObject(m));
        allocated += bytes;
        return m;
    }
}
