package org.relax4j.gpu;

import static org.jocl.CL.CL_FALSE;
import static org.jocl.CL.CL_MAP_READ;
import static org.jocl.CL.CL_MEM_ALLOC_HOST_PTR;
import static org.jocl.CL.clEnqueueMapBuffer;
import static org.jocl.CL.clEnqueueUnmapMemObject;
import static org.relax4j.gpu.ClCalls.awaitAndRelease;
import static org.relax4j.gpu.ClCalls.call;
import static org.relax4j.gpu.ClCalls.run;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;
import org.jocl.cl_mem;
import org.relax4j.gpu.DeviceBackend.DeviceRun;

/**
 * Render into a {@code CL_MEM_ALLOC_HOST_PTR} buffer, map it for reading without blocking, copy the mapped view into
 * the array, unmap: the driver's pinned-memory DMA path on a discrete GPU.
 */
final class MappedTransfer implements HostTransfer {
    private final cl_command_queue queue;
    /** Per slot and buffer: the pending map and its host view. */
    private final cl_event[][] mapEvent;
    private final ByteBuffer[][] mapped;

    MappedTransfer(cl_command_queue queue, int buffers) {
        this.queue = queue;
        this.mapEvent = new cl_event[DeviceRun.SLOTS][buffers];
        this.mapped = new ByteBuffer[DeviceRun.SLOTS][buffers];
    }

    @Override
    public long bufferFlags() {
        return CL_MEM_ALLOC_HOST_PTR;
    }

    @Override
    public void beforeRender(int slot, int c, cl_mem buffer) {
        unmap(slot, c, buffer);
    }

    @Override
    public void start(int slot, int c, cl_mem buffer, long bytes) {
        cl_event e = new cl_event();
        mapped[slot][c] = call("clEnqueueMapBuffer(masked batch)", () -> clEnqueueMapBuffer(queue, buffer, CL_FALSE,
                CL_MAP_READ, 0, bytes, 0, null, e, null));
        mapEvent[slot][c] = e;
    }

    @Override
    public void copy(int slot, int c, cl_mem buffer, float[] destination, int offset, int length) {
        ByteBuffer view = mapped[slot][c];
        if (view == null) {
            throw new IllegalStateException("slot " + slot + " has no transfer in flight");
        }
        awaitAndRelease(mapEvent[slot], c);
        view.order(ByteOrder.nativeOrder()).asFloatBuffer().get(0, destination, offset, length);
        unmap(slot, c, buffer);
    }

    @Override
    public void finish(int slot, int c, cl_mem buffer) {
        unmap(slot, c, buffer);
    }

    private void unmap(int slot, int c, cl_mem buffer) {
        ByteBuffer view = mapped[slot][c];
        if (view == null) {
            return;
        }
        awaitAndRelease(mapEvent[slot], c);
        mapped[slot][c] = null;
        run("clEnqueueUnmapMemObject(masked batch)", () -> clEnqueueUnmapMemObject(queue, buffer, view, 0, null, null));
    }

    @Override
    public void releaseAfter(Throwable primary) {
        for (cl_event[] events : mapEvent) {
            for (int c = 0; c < events.length; c++) {
                ClCalls.releaseAfter(events, c, primary);
            }
        }
    }
}
