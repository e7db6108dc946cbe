package org.relax4j.gpu;

import static org.jocl.CL.CL_TRUE;
import static org.jocl.CL.clEnqueueReadBuffer;
import static org.relax4j.gpu.ClCalls.run;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_mem;

/**
 * Render into a device buffer, then a blocking {@code clEnqueueReadBuffer} into the array: the faster choice where
 * the device shares the host's memory (PoCL).
 */
final class ArrayReadTransfer implements HostTransfer {
    private final cl_command_queue queue;

    ArrayReadTransfer(cl_command_queue queue) {
        this.queue = queue;
    }

    @Override
    public long bufferFlags() {
        return 0;
    }

    @Override
    public void beforeRender(int slot, int c, cl_mem buffer) {
    }

    @Override
    public void start(int slot, int c, cl_mem buffer, long bytes) {
    }

    @Override
    public void copy(int slot, int c, cl_mem buffer, float[] destination, int offset, int length) {
        run("clEnqueueReadBuffer(masked batch)", () -> clEnqueueReadBuffer(queue, buffer, CL_TRUE, 0,
                (long) length * Sizeof.cl_float, Pointer.to(destination).withByteOffset((long) offset * Sizeof.cl_float),
                0, null, null));
    }

    @Override
    public void finish(int slot, int c, cl_mem buffer) {
    }

    @Override
    public void releaseAfter(Throwable primary) {
    }
}
