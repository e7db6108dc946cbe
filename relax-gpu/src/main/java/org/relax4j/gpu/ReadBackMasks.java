package org.relax4j.gpu;

import org.jocl.cl_command_queue;
import org.jocl.cl_mem;
import org.relax4j.gpu.DeviceBackend.DeviceRun;
import org.relax4j.gpu.DeviceBackend.RunLayout;

/**
 * {@link Accumulation} by {@link AccumulateMasksKernel}: rendering writes the slot's masks (B, H, W) and the update
 * reads them; a slot whose masks were not rendered (a replay that only accumulates) gets a masks-only render first.
 */
final class ReadBackMasks implements Accumulation {
    private final AccumulateMasksKernel kernel;
    private final RenderKernel render;
    private final cl_command_queue queue;
    private final RunBuffers buffers;
    private final RunLayout layout;
    private final boolean[] masksValid = new boolean[DeviceRun.SLOTS];

    ReadBackMasks(KernelProgram program, Releaser handles, cl_command_queue queue, RunBuffers buffers, RunLayout layout,
                  RenderKernel render) {
        this.kernel = new AccumulateMasksKernel(program, handles);
        this.render = render;
        this.queue = queue;
        this.buffers = buffers;
        this.layout = layout;
    }

    @Override
    public cl_mem masksOut(int slot) {
        return buffers.masks[slot];
    }

    @Override
    public void gridsChanged(int slot, boolean rendered) {
        masksValid[slot] = rendered;
    }

    @Override
    public void enqueue(int slot, int count) {
        RunBuffers b = buffers;
        if (!masksValid[slot]) {
            render.launch(queue, b.x, b.rowIndex, b.rowWeight, b.blends[slot], b.shifts[slot], layout.cells(),
                    layout.height(), layout.width(), layout.channels(), 0, count, null, b.masks[slot]);
            masksValid[slot] = true;
        }
        kernel.launch(queue, b.masks[slot], b.sims[slot], layout.pixels(), count, b.w, b.r, b.u);
    }
}
