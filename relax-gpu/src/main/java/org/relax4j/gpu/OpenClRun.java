package org.relax4j.gpu;

import static org.jocl.CL.CL_FALSE;
import static org.jocl.CL.CL_TRUE;
import static org.jocl.CL.clEnqueueReadBuffer;
import static org.jocl.CL.clEnqueueWriteBuffer;
import static org.jocl.CL.clFinish;
import static org.jocl.CL.clFlush;
import static org.jocl.CL.clReleaseCommandQueue;
import static org.relax4j.gpu.ClCalls.awaitAndRelease;
import static org.relax4j.gpu.ClCalls.run;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.relax4j.gpu.DeviceBackend.DeviceRun;
import org.relax4j.gpu.DeviceBackend.RunLayout;
import org.relax4j.mask.CounterDraws;

/**
 * One explanation on an OpenCL device: an in-order queue, its own kernel objects, {@link RunBuffers}, a
 * {@link HostTransfer} and an {@link Accumulation}, released in reverse creation order on {@link #close()} (also
 * after errors). Host-to-device writes go through direct staging buffers, so the caller's arrays are free as soon as a
 * method returns.
 */
final class OpenClRun implements DeviceRun {
    private final RunLayout layout;
    private final Releaser handles = new Releaser();
    private final cl_command_queue queue;
    private final DrawMasksKernel draw;
    private final BlendKernel blend;
    private final RenderKernel render;
    private final RunBuffers buffers;
    private final HostTransfer transfer;
    private final Accumulation accumulation;
    private final ByteBuffer[] gridStage = new ByteBuffer[SLOTS];
    private final ByteBuffer[] shiftStage = new ByteBuffer[SLOTS];
    private final ByteBuffer[] simsStage = new ByteBuffer[SLOTS];
    private final cl_event[] gridWrite = new cl_event[SLOTS];
    private final cl_event[] shiftWrite = new cl_event[SLOTS];
    private final cl_event[] simsWrite = new cl_event[SLOTS];
    private final int[] renderedCount = new int[SLOTS];
    private boolean closed;

    OpenClRun(KernelProgram program, RunLayout layout, TransferMode transferMode, Accumulation.Mode accumulationMode) {
        this.layout = layout;
        int per = layout.cells() * layout.cells();
        try {
            if (accumulationMode.needsMaskBuffers() && RunBuffers.maskBytes(layout) > program.device().maxAllocation()) {
                throw new IllegalArgumentException("accumulation " + accumulationMode + " needs the batch's masks ("
                        + RunBuffers.maskBytes(layout) + " bytes) in one buffer, more than the device's largest ("
                        + program.device().maxAllocation() + ")");
            }
            queue = program.createQueue();
            handles.add("clReleaseCommandQueue", () -> clReleaseCommandQueue(queue));
            draw = new DrawMasksKernel(program, handles);
            blend = new BlendKernel(program, handles, layout.width());
            render = new RenderKernel(program, handles, layout.width());
            transfer = transferMode == TransferMode.MAPPED
                    ? new MappedTransfer(queue, RunBuffers.bufferCount(layout)) : new ArrayReadTransfer(queue);
            buffers = new RunBuffers(program.context(), layout, transfer.bufferFlags(),
                    accumulationMode.needsMaskBuffers(), handles);
            accumulation = accumulationMode == Accumulation.Mode.READ_BACK
                    ? new ReadBackMasks(program, handles, queue, buffers, layout, render)
                    : new RecomputeMasks(program, handles, queue, buffers, layout);
            for (int s = 0; s < SLOTS; s++) {
                gridStage[s] = ByteBuffer.allocateDirect(layout.maxBatch() * per).order(ByteOrder.nativeOrder());
                shiftStage[s] = ByteBuffer.allocateDirect(2 * layout.maxBatch() * Sizeof.cl_int).order(ByteOrder.nativeOrder());
                simsStage[s] = ByteBuffer.allocateDirect(layout.maxBatch() * Sizeof.cl_float).order(ByteOrder.nativeOrder());
            }
            run("clFinish", () -> clFinish(queue));
        } catch (RuntimeException e) {
            handles.releaseAllAfter(e);
            throw e;
        }
    }

    /** The device bytes this run allocated (equal to {@link RunBuffers#deviceBytes}). */
    long allocatedBytes() {
        return buffers.allocatedBytes();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("OpenCL run is closed");
        }
    }

    @Override
    public void drawCounterMasks(int slot, CounterDraws draws, long firstMask, int count) {
        checkOpen();
        if (draws.cells() != layout.cells()) {
            throw new IllegalArgumentException("masks of " + draws.cells() + " cells in a run of " + layout.cells());
        }
        draw.launch(queue, draws.seed(), layout.cells(), draws.keepProbability(), firstMask, count,
                buffers.grids[slot], buffers.shifts[slot]);
        blend(slot, count);
        run("clFlush", () -> clFlush(queue));
    }

    @Override
    public void uploadMasks(int slot, byte[] gridValues, int[] shiftValues, int count) {
        checkOpen();
        int per = layout.cells() * layout.cells();
        awaitAndRelease(gridWrite, slot);
        awaitAndRelease(shiftWrite, slot);
        gridStage[slot].put(0, gridValues, 0, count * per);
        shiftStage[slot].asIntBuffer().put(0, shiftValues, 0, 2 * count);
        gridWrite[slot] = new cl_event();
        run("clEnqueueWriteBuffer(grids)", () -> clEnqueueWriteBuffer(queue, buffers.grids[slot], CL_FALSE, 0,
                (long) count * per, Pointer.to(gridStage[slot]), 0, null, gridWrite[slot]));
        shiftWrite[slot] = new cl_event();
        run("clEnqueueWriteBuffer(shifts)", () -> clEnqueueWriteBuffer(queue, buffers.shifts[slot], CL_FALSE, 0,
                2L * count * Sizeof.cl_int, Pointer.to(shiftStage[slot]), 0, null, shiftWrite[slot]));
        blend(slot, count);
        run("clFlush", () -> clFlush(queue));
    }

    /** Enqueues relax_blend for the slot's new grids (MaskGeometry.blendColumns for every mask). */
    private void blend(int slot, int count) {
        blend.launch(queue, buffers.colIndex, buffers.colWeight, buffers.grids[slot], buffers.shifts[slot],
                layout.cells(), layout.width(), count, buffers.blends[slot]);
        accumulation.gridsChanged(slot, false);
    }

    /** Enqueues the render kernel(s) only: one launch per device buffer of the slot. */
    void renderKernels(int slot, int count) {
        checkOpen();
        int spb = layout.samplesPerBuffer();
        RunBuffers b = buffers;
        for (int c = 0, first = 0; first < count; c++, first += spb) {
            transfer.beforeRender(slot, c, b.rendered[slot][c]);
            render.launch(queue, b.x, b.rowIndex, b.rowWeight, b.blends[slot], b.shifts[slot], layout.cells(),
                    layout.height(), layout.width(), layout.channels(), first, Math.min(spb, count - first),
                    b.rendered[slot][c], accumulation.masksOut(slot));
        }
        renderedCount[slot] = count;
        accumulation.gridsChanged(slot, accumulation.masksOut(slot) != null);
    }

    /** Starts moving the slot's last rendering towards the host. */
    void startTransfer(int slot) {
        int spb = layout.samplesPerBuffer();
        long sampleBytes = (long) layout.sampleFloats() * Sizeof.cl_float;
        for (int c = 0, first = 0; first < renderedCount[slot]; c++, first += spb) {
            int n = Math.min(spb, renderedCount[slot] - first);
            transfer.start(slot, c, buffers.rendered[slot][c], n * sampleBytes);
        }
        run("clFlush", () -> clFlush(queue));
    }

    @Override
    public void render(int slot, int count) {
        renderKernels(slot, count);
        startTransfer(slot);
    }

    @Override
    public void copyRendered(int slot, int count, float[] destination) {
        checkOpen();
        if (count != renderedCount[slot]) {
            throw new IllegalStateException("slot " + slot + " holds a rendering of " + renderedCount[slot]
                    + " masks, not " + count);
        }
        int spb = layout.samplesPerBuffer();
        int sampleFloats = layout.sampleFloats();
        for (int c = 0, first = 0; first < count; c++, first += spb) {
            int n = Math.min(spb, count - first);
            transfer.copy(slot, c, buffers.rendered[slot][c], destination, first * sampleFloats, n * sampleFloats);
        }
        run("clFlush", () -> clFlush(queue));
    }

    @Override
    public void accumulate(int slot, int count, float[] similarities) {
        checkOpen();
        awaitAndRelease(simsWrite, slot);
        simsStage[slot].asFloatBuffer().put(0, similarities, 0, count);
        simsWrite[slot] = new cl_event();
        run("clEnqueueWriteBuffer(similarities)", () -> clEnqueueWriteBuffer(queue, buffers.sims[slot], CL_FALSE, 0,
                (long) count * Sizeof.cl_float, Pointer.to(simsStage[slot]), 0, null, simsWrite[slot]));
        accumulation.enqueue(slot, count);
        run("clFlush", () -> clFlush(queue));
    }

    @Override
    public void readState(float[] weights, float[] importance, float[] uncertainty) {
        checkOpen();
        long bytes = (long) layout.pixels() * Sizeof.cl_float;
        run("clEnqueueReadBuffer(W)", () -> clEnqueueReadBuffer(queue, buffers.w, CL_TRUE, 0, bytes, Pointer.to(weights), 0, null, null));
        run("clEnqueueReadBuffer(R)", () -> clEnqueueReadBuffer(queue, buffers.r, CL_TRUE, 0, bytes, Pointer.to(importance), 0, null, null));
        run("clEnqueueReadBuffer(U)", () -> clEnqueueReadBuffer(queue, buffers.u, CL_TRUE, 0, bytes, Pointer.to(uncertainty), 0, null, null));
    }

    @Override
    public void readMasks(int slot, int count, byte[] gridValues, int[] shiftValues) {
        checkOpen();
        int per = layout.cells() * layout.cells();
        run("clEnqueueReadBuffer(grids)", () -> clEnqueueReadBuffer(queue, buffers.grids[slot], CL_TRUE, 0,
                (long) count * per, Pointer.to(gridValues), 0, null, null));
        run("clEnqueueReadBuffer(shifts)", () -> clEnqueueReadBuffer(queue, buffers.shifts[slot], CL_TRUE, 0,
                2L * count * Sizeof.cl_int, Pointer.to(shiftValues), 0, null, null));
    }

    @Override
    public void finish() {
        checkOpen();
        run("clFinish", () -> clFinish(queue));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            for (int s = 0; s < SLOTS; s++) {
                for (int c = 0; c < buffers.rendered[s].length; c++) {
                    transfer.finish(s, c, buffers.rendered[s][c]);
                }
                awaitAndRelease(gridWrite, s);
                awaitAndRelease(shiftWrite, s);
                awaitAndRelease(simsWrite, s);
            }
            run("clFinish", () -> clFinish(queue));
        } catch (RuntimeException e) {
            // Release whatever events are left even though the queue failed.
            transfer.releaseAfter(e);
            for (int s = 0; s < SLOTS; s++) {
                ClCalls.releaseAfter(gridWrite, s, e);
                ClCalls.releaseAfter(shiftWrite, s, e);
                ClCalls.releaseAfter(simsWrite, s, e);
            }
            handles.releaseAllAfter(e);
            throw e;
        }
        handles.releaseAll();
    }
}
