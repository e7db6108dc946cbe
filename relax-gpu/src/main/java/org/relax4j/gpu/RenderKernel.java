package org.relax4j.gpu;

import org.jocl.cl_command_queue;
import org.jocl.cl_mem;

/**
 * {@code relax_render}: the masked batch {@code x · mask} (B, C, H, W) and, optionally, the masks (B, H, W).
 * <pre>
 * __kernel void relax_render(__global const float *x,
 *                            __global const int *row_index, __global const float *row_weight,
 *                            __global const float *blends, __global const int *shifts,
 *                            const int cells, const int height, const int width, const int channels,
 *                            const int first, const int count,
 *                            __global float *out, __global float *masks)
 * </pre>
 * Work-item (j, i, b) for masks first .. first + count - 1 of the slot; {@code out} and {@code masks} may each be
 * null (a NULL pointer: not written).
 */
final class RenderKernel extends ClKernel {
    static final String NAME = "relax_render";

    private final long local;

    RenderKernel(KernelProgram program, Releaser handles, int width) {
        super(program, NAME, handles);
        this.local = rowLocalSize(width, 256);
    }

    /** Binds the arguments in the signature's order. */
    static void bind(KernelArgs a, cl_mem x, cl_mem rowIndex, cl_mem rowWeight, cl_mem blends, cl_mem shifts,
                     int cells, int height, int width, int channels, int first, int count, cl_mem out, cl_mem masks) {
        a.mem("x", x).mem("row_index", rowIndex).mem("row_weight", rowWeight).mem("blends", blends)
                .mem("shifts", shifts).i32("cells", cells).i32("height", height).i32("width", width)
                .i32("channels", channels).i32("first", first).i32("count", count).mem("out", out).mem("masks", masks);
    }

    void launch(cl_command_queue queue, cl_mem x, cl_mem rowIndex, cl_mem rowWeight, cl_mem blends, cl_mem shifts,
                int cells, int height, int width, int channels, int first, int count, cl_mem out, cl_mem masks) {
        bind(args(), x, rowIndex, rowWeight, blends, shifts, cells, height, width, channels, first, count, out, masks);
        enqueue(queue, new long[] {ClCalls.roundUp(width, local), height, count}, new long[] {local, 1, 1});
    }
}
