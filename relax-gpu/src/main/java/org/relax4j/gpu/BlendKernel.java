package org.relax4j.gpu;

import org.jocl.cl_command_queue;
import org.jocl.cl_mem;

/**
 * {@code relax_blend}: every grid row of every mask blended along the width ({@code MaskGeometry.blendColumns}).
 * <pre>
 * __kernel void relax_blend(__global const int *col_index, __global const float *col_weight,
 *                           __global const uchar *grids, __global const int *shifts,
 *                           const int cells, const int width, const int count, __global float *blends)
 * </pre>
 * Work-item (j, a, b); the global size along j is rounded up to the work-group size.
 */
final class BlendKernel extends ClKernel {
    static final String NAME = "relax_blend";

    private final long local;

    BlendKernel(KernelProgram program, Releaser handles, int width) {
        super(program, NAME, handles);
        this.local = rowLocalSize(width, 256);
    }

    /** Binds the arguments in the signature's order. */
    static void bind(KernelArgs a, cl_mem colIndex, cl_mem colWeight, cl_mem grids, cl_mem shifts, int cells, int width,
                     int count, cl_mem blends) {
        a.mem("col_index", colIndex).mem("col_weight", colWeight).mem("grids", grids).mem("shifts", shifts)
                .i32("cells", cells).i32("width", width).i32("count", count).mem("blends", blends);
    }

    void launch(cl_command_queue queue, cl_mem colIndex, cl_mem colWeight, cl_mem grids, cl_mem shifts, int cells,
                int width, int count, cl_mem blends) {
        bind(args(), colIndex, colWeight, grids, shifts, cells, width, count, blends);
        enqueue(queue, new long[] {ClCalls.roundUp(width, local), cells, count}, new long[] {local, 1, 1});
    }
}
