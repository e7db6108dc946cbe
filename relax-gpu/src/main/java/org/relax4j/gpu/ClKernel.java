package org.relax4j.gpu;

import static org.jocl.CL.CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE;
import static org.jocl.CL.CL_KERNEL_WORK_GROUP_SIZE;
import static org.jocl.CL.clEnqueueNDRangeKernel;
import static org.jocl.CL.clGetKernelWorkGroupInfo;
import static org.jocl.CL.clSetKernelArg;
import static org.relax4j.gpu.ClCalls.call;
import static org.relax4j.gpu.ClCalls.run;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

/**
 * One kernel object of {@link KernelProgram}, created per run (kernel objects hold their arguments, so runs do not
 * share them), with the work-group sizes it may use. The subclasses, one per {@code __kernel} of {@code relax.cl},
 * add a typed {@code bind} whose argument order sits next to the quoted signature, and the launch.
 */
abstract class ClKernel {
    private final KernelProgram program;
    private final cl_kernel kernel;
    private final String name;

    /** Creates the kernel; its release is registered with {@code handles}. */
    ClKernel(KernelProgram program, String name, Releaser handles) {
        this.program = program;
        this.name = name;
        this.kernel = call("clCreateKernel(" + name + ")", () -> org.jocl.CL.clCreateKernel(program.program(), name, null));
        handles.add("clReleaseKernel(" + name + ")", () -> org.jocl.CL.clReleaseKernel(kernel));
    }

    final String name() {
        return name;
    }

    /** A binder that sets this kernel's arguments from index 0, in call order. */
    final KernelArgs args() {
        return new Binder();
    }

    /** Enqueues the kernel with the arguments last bound. */
    final void enqueue(cl_command_queue queue, long[] global, long[] local) {
        run("clEnqueueNDRangeKernel(" + name + ")",
                () -> clEnqueueNDRangeKernel(queue, kernel, global.length, null, global, local, 0, null, null));
    }

    /** A 1-D work-group size: at most {@code cap}, a multiple of the kernel's preferred multiple. */
    final long localSize(long cap) {
        long[] v = new long[1];
        call("clGetKernelWorkGroupInfo", () -> clGetKernelWorkGroupInfo(kernel, program.device().id(),
                CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t, Pointer.to(v), null));
        long max = Math.min(Math.min(v[0], cap), program.maxWorkItems0());
        long multiple = preferredMultiple();
        return max >= multiple ? max / multiple * multiple : Math.max(1, max);
    }

    /**
     * A work-group size along an image row of {@code width}: one row (rounded up to the kernel's preferred multiple)
     * when it fits in {@code cap} and the device's limits, else the largest such multiple that does.
     */
    final long rowLocalSize(int width, long cap) {
        return Math.min(localSize(cap), ClCalls.roundUp(width, preferredMultiple()));
    }

    private long preferredMultiple() {
        long[] v = new long[1];
        call("clGetKernelWorkGroupInfo", () -> clGetKernelWorkGroupInfo(kernel, program.device().id(),
                CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE, Sizeof.size_t, Pointer.to(v), null));
        return Math.max(1, v[0]);
    }

    /** Sets arguments 0, 1, ... in call order; a failure names the kernel, the index and the argument. */
    private final class Binder implements KernelArgs {
        private int index;

        private void set(String arg, long size, Pointer value) {
            int i = index++;
            run("clSetKernelArg(" + name + ", " + i + " " + arg + ")", () -> clSetKernelArg(kernel, i, size, value));
        }

        @Override
        public KernelArgs mem(String arg, cl_mem buffer) {
            // A NULL buffer argument is a NULL pointer in the kernel (OpenCL 1.2, clSetKernelArg).
            set(arg, Sizeof.cl_mem, buffer == null ? null : Pointer.to(buffer));
            return this;
        }

        @Override
        public KernelArgs i32(String arg, int value) {
            set(arg, Sizeof.cl_int, Pointer.to(new int[] {value}));
            return this;
        }

        @Override
        public KernelArgs f32(String arg, float value) {
            set(arg, Sizeof.cl_float, Pointer.to(new float[] {value}));
            return this;
        }

        @Override
        public KernelArgs u64(String arg, long value) {
            set(arg, Sizeof.cl_ulong, Pointer.to(new long[] {value}));
            return this;
        }
    }
}
