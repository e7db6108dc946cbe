package org.relax4j.gpu;

import org.jocl.cl_command_queue;
import org.jocl.cl_mem;

/**
 * {@code relax_accumulate}: the weighted Welford update over a batch, each mask value recomputed from the blends.
 * <pre>
 * __kernel void relax_accumulate(__global const int *row_index, __global const float *row_weight,
 *                                __global const float *blends, __global const int *shifts,
 *                                __global const float *sims,
 *                                const int cells, const int height, const int width, const int count,
 *                                __global float *w, __global float *r, __global float *u)
 * </pre>
 * Work-item (j, i) per pixel; the global size along j is rounded up to the work-group size.
 */
final class AccumulateKernel extends ClKernel {
    static final String NAME = "relax_accumulate";

    private final long local;

    AccumulateKernel(KernelProgram program, Releaser handles, int width) {
        super(program, NAME, handles);
        this.local = rowLocalSize(width, 256);
    }

    /** Binds the arguments in the signature's order. */
    static void bind(KernelArgs a, cl_mem rowIndex, cl_mem rowWeight, cl_mem blends, cl_mem shifts, cl_mem sims,
                     int cells, int height, int width, int count, cl_mem w, cl_mem r, cl_mem u) {
        a.mem("row_index", rowIndex).mem("row_weight", rowWeight).mem("blends", blends).mem("shifts", shifts)
                .mem("sims", sims).i32("cells", cells).i32("height", height).i32("width", width).i32("count", count)
                .mem("w", w).mem("r", r).mem("u", u);
    }

    void launch(cl_command_queue queue, cl_mem rowIndex, cl_mem rowWeight, cl_mem blends, cl_mem shifts, cl_mem sims,
                int cells, int height, int width, int count, cl_mem w, cl_mem r, cl_mem u) {
        bind(args(), rowIndex, rowWeight, blends, shifts, sims, cells, height, width, count, w, r, u);
        enqueue(queue, new long[] {ClCalls.roundUp(width, local), height}, new long[] {local, 1});
    }
}
