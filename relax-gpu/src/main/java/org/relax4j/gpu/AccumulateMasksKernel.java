package org.relax4j.gpu;

import org.jocl.cl_command_queue;
import org.jocl.cl_mem;

/**
 * {@code relax_accumulate_masks}: the same update as {@link AccumulateKernel}, masks read from
 * {@link RenderKernel}'s {@code masks} output.
 * <pre>
 * __kernel void relax_accumulate_masks(__global const float *masks, __global const float *sims,
 *                                      const int pixels, const int count,
 *                                      __global float *w, __global float *r, __global float *u)
 * </pre>
 * One work-item per pixel.
 */
final class AccumulateMasksKernel extends ClKernel {
    static final String NAME = "relax_accumulate_masks";

    private final long local;

    AccumulateMasksKernel(KernelProgram program, Releaser handles) {
        super(program, NAME, handles);
        this.local = localSize(256);
    }

    /** Binds the arguments in the signature's order. */
    static void bind(KernelArgs a, cl_mem masks, cl_mem sims, int pixels, int count, cl_mem w, cl_mem r, cl_mem u) {
        a.mem("masks", masks).mem("sims", sims).i32("pixels", pixels).i32("count", count).mem("w", w).mem("r", r)
                .mem("u", u);
    }

    void launch(cl_command_queue queue, cl_mem masks, cl_mem sims, int pixels, int count, cl_mem w, cl_mem r, cl_mem u) {
        bind(args(), masks, sims, pixels, count, w, r, u);
        enqueue(queue, new long[] {ClCalls.roundUp(pixels, local)}, new long[] {local});
    }
}
