package org.relax4j.gpu;

import static org.jocl.CL.CL_CONTEXT_PLATFORM;
import static org.jocl.CL.CL_DEVICE_MAX_WORK_ITEM_SIZES;
import static org.jocl.CL.CL_PROGRAM_BUILD_LOG;
import static org.jocl.CL.clBuildProgram;
import static org.jocl.CL.clCreateCommandQueue;
import static org.jocl.CL.clCreateContext;
import static org.jocl.CL.clCreateProgramWithSource;
import static org.jocl.CL.clGetDeviceInfo;
import static org.jocl.CL.clGetProgramBuildInfo;
import static org.jocl.CL.clReleaseContext;
import static org.jocl.CL.clReleaseProgram;
import static org.relax4j.gpu.ClCalls.call;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_program;
import org.relax4j.mask.CounterRng;

/**
 * One OpenCL context on one device and the RELAX kernels ({@code relax.cl}) built for it. Owns the context and the
 * program and releases them in reverse order on {@link #close()}; kernels, queues and buffers belong to runs.
 *
 * <p>Build options: {@code -cl-std=CL1.2}, {@code -cl-fp32-correctly-rounded-divide-sqrt} where the device supports
 * it, and {@link CounterRng}'s constants as macros ({@code RELAX_GOLDEN}, {@code RELAX_DRAW_STEP},
 * {@code RELAX_MIX_1}, {@code RELAX_MIX_2}), so that the Java class is the only place they are written.
 */
final class KernelProgram implements AutoCloseable {
    /** The kernel source, next to this class on the class path. */
    static final String RESOURCE = "relax.cl";

    private final OpenClDevices.Device device;
    private final String buildOptions;
    private final Releaser resources = new Releaser();
    private final cl_context context;
    private final cl_program program;
    private final long maxWorkItems0;
    private boolean closed;

    /**
     * Chooses a device (see {@link OpenClDevices#choose}), creates a context and builds {@code source}.
     *
     * @throws OpenClException if there is no usable device, the choice matches none, or the build fails (the
     *         message then carries the full build log)
     */
    KernelProgram(String deviceChoice, String source) {
        Objects.requireNonNull(source, "source");
        this.device = OpenClDevices.choose(deviceChoice);
        this.buildOptions = buildOptions(device.correctlyRoundedDivide());
        long[] sizes = new long[3];
        call("clGetDeviceInfo(CL_DEVICE_MAX_WORK_ITEM_SIZES)",
                () -> clGetDeviceInfo(device.id(), CL_DEVICE_MAX_WORK_ITEM_SIZES, 3L * Sizeof.size_t, Pointer.to(sizes), null));
        this.maxWorkItems0 = sizes[0];
        try {
            cl_context_properties props = new cl_context_properties();
            props.addProperty(CL_CONTEXT_PLATFORM, device.platform());
            this.context = call("clCreateContext",
                    () -> clCreateContext(props, 1, new cl_device_id[] {device.id()}, null, null, null));
            resources.add("clReleaseContext", () -> clReleaseContext(context));
            this.program = call("clCreateProgramWithSource",
                    () -> clCreateProgramWithSource(context, 1, new String[] {source}, null, null));
            resources.add("clReleaseProgram", () -> clReleaseProgram(program));
            build();
        } catch (RuntimeException e) {
            resources.releaseAllAfter(e);
            throw e;
        }
    }

    /** The kernels shipped with this module, read through the class loader. */
    static String defaultSource() {
        try (InputStream in = KernelProgram.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("kernel source org/relax4j/gpu/" + RESOURCE
                        + " is missing from the class path (is the relax-gpu jar complete?)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel source org/relax4j/gpu/" + RESOURCE, e);
        }
    }

    /** The options {@code relax.cl} is built with (see the class comment). */
    static String buildOptions(boolean correctlyRoundedDivide) {
        return "-cl-std=CL1.2" + (correctlyRoundedDivide ? " -cl-fp32-correctly-rounded-divide-sqrt" : "")
                + define("RELAX_GOLDEN", CounterRng.GOLDEN) + define("RELAX_DRAW_STEP", CounterRng.DRAW_STEP)
                + define("RELAX_MIX_1", CounterRng.MIX_1) + define("RELAX_MIX_2", CounterRng.MIX_2);
    }

    private static String define(String name, long value) {
        return String.format(Locale.ROOT, " -D %s=0x%016XUL", name, value);
    }

    private void build() {
        try {
            clBuildProgram(program, 1, new cl_device_id[] {device.id()}, buildOptions, null, null);
        } catch (CLException e) {
            String log;
            try {
                log = buildLog();
            } catch (RuntimeException logFailure) {
                log = "(the build log could not be read: " + logFailure + ")";
            }
            throw new OpenClException("building the RELAX kernels (" + RESOURCE + ") for " + device.describe()
                    + " failed: clBuildProgram returned " + CL.stringFor_errorCode(e.getStatus()) + " with options '"
                    + buildOptions + "'. Build log:\n" + log, e);
        }
    }

    private String buildLog() {
        long[] size = new long[1];
        clGetProgramBuildInfo(program, device.id(), CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        clGetProgramBuildInfo(program, device.id(), CL_PROGRAM_BUILD_LOG, b.length, Pointer.to(b), null);
        int n = b.length;
        while (n > 0 && b[n - 1] == 0) {
            n--;
        }
        String log = new String(b, 0, n, StandardCharsets.UTF_8).strip();
        return log.isEmpty() ? "(empty)" : log;
    }

    OpenClDevices.Device device() {
        return device;
    }

    String buildOptions() {
        return buildOptions;
    }

    cl_context context() {
        checkOpen();
        return context;
    }

    cl_program program() {
        checkOpen();
        return program;
    }

    /** CL_DEVICE_MAX_WORK_ITEM_SIZES[0]. */
    long maxWorkItems0() {
        return maxWorkItems0;
    }

    /**
     * An in-order queue. clCreateCommandQueue is deprecated since OpenCL 2.0, but it is the call that OpenCL 1.2
     * devices have, and 2.x/3.0 platforms keep it.
     */
    @SuppressWarnings("deprecation")
    cl_command_queue createQueue() {
        checkOpen();
        return call("clCreateCommandQueue", () -> clCreateCommandQueue(context, device.id(), 0, null));
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("OpenCL backend is closed");
        }
    }

    /** Releases the program, then the context. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        resources.releaseAll();
    }
}
