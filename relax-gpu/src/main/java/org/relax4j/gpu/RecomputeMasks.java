package org.relax4j.gpu;

import org.jocl.cl_command_queue;
import org.jocl.cl_mem;
import org.relax4j.gpu.DeviceBackend.RunLayout;

/** {@link Accumulation} by {@link AccumulateKernel}: each mask value recomputed from the slot's blends and shifts. */
final class RecomputeMasks implements Accumulation {
    private final AccumulateKernel kernel;
    private final cl_command_queue queue;
    private final RunBuffers buffers;
    private final RunLayout layout;

    RecomputeMasks(KernelProgram program, Releaser handles, cl_command_queue queue, RunBuffers buffers, RunLayout layout) {
        this.kernel = new AccumulateKernel(program, handles, layout.width());
        this.queue = queue;
        this.buffers = buffers;
        this.layout = layout;
    }

    @Override
    public cl_mem masksOut(int slot) {
        return null;
    }

    @Override
    public void gridsChanged(int slot, boolean rendered) {
    }

    @Override
    public void enqueue(int slot, int count) {
        RunBuffers b = buffers;
        kernel.launch(queue, b.rowIndex, b.rowWeight, b.blends[slot], b.shifts[slot], b.sims[slot], layout.cells(),
                layout.height(), layout.width(), count, b.w, b.r, b.u);
    }
}
