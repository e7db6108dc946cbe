package org.relax4j.gpu;

import org.jocl.cl_command_queue;
import org.jocl.cl_mem;

/**
 * {@code relax_draw_masks}: the grids and shifts of masks [first, first + count) from the counter-based generator.
 * <pre>
 * __kernel void relax_draw_masks(const ulong seed, const int cells, const float keep, const ulong first,
 *                                const int count, __global uchar *grids, __global int *shifts)
 * </pre>
 * One work-item per (mask, draw): {@code count · (cells² + 2)} items.
 */
final class DrawMasksKernel extends ClKernel {
    static final String NAME = "relax_draw_masks";

    private final long local;

    DrawMasksKernel(KernelProgram program, Releaser handles) {
        super(program, NAME, handles);
        this.local = localSize(64);
    }

    /** Binds the arguments in the signature's order. */
    static void bind(KernelArgs a, long seed, int cells, float keep, long first, int count, cl_mem grids, cl_mem shifts) {
        a.u64("seed", seed).i32("cells", cells).f32("keep", keep).u64("first", first).i32("count", count)
                .mem("grids", grids).mem("shifts", shifts);
    }

    void launch(cl_command_queue queue, long seed, int cells, float keep, long first, int count, cl_mem grids,
                cl_mem shifts) {
        bind(args(), seed, cells, keep, first, count, grids, shifts);
        long items = (long) count * (cells * cells + 2);
        enqueue(queue, new long[] {ClCalls.roundUp(items, local)}, new long[] {local});
    }
}
