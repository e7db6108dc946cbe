package org.relax4j.gpu;

import static org.jocl.CL.CL_CONTEXT_PLATFORM;
import static org.jocl.CL.CL_DEVICE_MAX_WORK_ITEM_SIZES;
import static org.jocl.CL.CL_FALSE;
import static org.jocl.CL.CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE;
import static org.jocl.CL.CL_KERNEL_WORK_GROUP_SIZE;
import static org.jocl.CL.CL_MAP_READ;
import static org.jocl.CL.CL_MEM_ALLOC_HOST_PTR;
import static org.jocl.CL.CL_MEM_COPY_HOST_PTR;
import static org.jocl.CL.CL_MEM_HOST_READ_ONLY;
import static org.jocl.CL.CL_MEM_READ_ONLY;
import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.CL_MEM_WRITE_ONLY;
import static org.jocl.CL.CL_PROGRAM_BUILD_LOG;
import static org.jocl.CL.CL_TRUE;
import static org.jocl.CL.clBuildProgram;
import static org.jocl.CL.clCreateBuffer;
import static org.jocl.CL.clCreateCommandQueue;
import static org.jocl.CL.clCreateContext;
import static org.jocl.CL.clCreateKernel;
import static org.jocl.CL.clCreateProgramWithSource;
import static org.jocl.CL.clEnqueueCopyBuffer;
import static org.jocl.CL.clEnqueueMapBuffer;
import static org.jocl.CL.clEnqueueNDRangeKernel;
import static org.jocl.CL.clEnqueueReadBuffer;
import static org.jocl.CL.clEnqueueUnmapMemObject;
import static org.jocl.CL.clEnqueueWriteBuffer;
import static org.jocl.CL.clFinish;
import static org.jocl.CL.clFlush;
import static org.jocl.CL.clGetDeviceInfo;
import static org.jocl.CL.clGetKernelWorkGroupInfo;
import static org.jocl.CL.clGetProgramBuildInfo;
import static org.jocl.CL.clReleaseCommandQueue;
import static org.jocl.CL.clReleaseContext;
import static org.jocl.CL.clReleaseEvent;
import static org.jocl.CL.clReleaseKernel;
import static org.jocl.CL.clReleaseMemObject;
import static org.jocl.CL.clReleaseProgram;
import static org.jocl.CL.clSetKernelArg;
import static org.jocl.CL.clWaitForEvents;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Supplier;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;

/**
 * The OpenCL {@link DeviceBackend}: one context and one compiled program ({@code relax.cl}) per backend; per run a
 * command queue (in order), its own kernel objects and buffers. Every JOCL call runs with
 * {@link CL#setExceptionsEnabled exceptions enabled}, and a failing call surfaces as an {@link OpenClException}
 * naming the call.
 *
 * <p>Host transfer ({@link HostTransfer}): on a discrete GPU a slot's masked batch is rendered into a buffer
 * allocated with {@code CL_MEM_ALLOC_HOST_PTR} and mapped for reading (the driver's pinned-memory path); on a device
 * that shares the host's memory (PoCL) it is read into the Java array with a blocking {@code clEnqueueReadBuffer},
 * measured slightly faster there than mapping. Both end in the caller's {@code float[]}, which
 * {@link org.relax4j.InputBatch} needs, and both run on the pipeline's transfer thread.
 */
final class OpenClBackend implements DeviceBackend {
    /** The kernel source, next to this class on the class path. */
    static final String KERNEL_RESOURCE = "relax.cl";
    static final String K_DRAW = "relax_draw_masks";
    static final String K_BLEND = "relax_blend";
    static final String K_RENDER = "relax_render";
    static final String K_ACCUMULATE = "relax_accumulate";
    static final String K_ACCUMULATE_MASKS = "relax_accumulate_masks";

    /** How a rendered batch reaches the host array (both run on the run's transfer thread, off the critical path). */
    enum HostTransfer {
        /**
         * {@link #ARRAY_READ} on devices that share the host's memory (CL_DEVICE_HOST_UNIFIED_MEMORY, e.g. PoCL,
         * where KernelTimings measured it about 8% faster than MAPPED), {@link #MAPPED} on discrete GPUs, where
         * mapping a CL_MEM_ALLOC_HOST_PTR buffer is the driver's pinned-memory DMA path.
         */
        AUTO,
        /** Render into a CL_MEM_ALLOC_HOST_PTR buffer, map it (non-blocking), copy into the array, unmap. */
        MAPPED,
        /** Render into a device buffer, then a blocking clEnqueueReadBuffer into the array (Pointer.to(float[])). */
        ARRAY_READ
    }

    /**
     * Choices that tests and {@link KernelTimings} vary; the engine uses {@link #defaults()}.
     *
     * @param accumulateFromMasks if true, rendering also writes the masks (B, H, W) and accumulation reads them;
     *        if false (default; as fast on PoCL, no mask buffer, see DEVICE.md) accumulation recomputes
     *        each mask value from the blended grid rows
     * @param maxAllocationOverride if positive, pretend the device's largest buffer is this many bytes (tests
     *        the splitting of large batches on any device)
     */
    record Options(HostTransfer transfer, boolean accumulateFromMasks, long maxAllocationOverride) {
        Options {
            Objects.requireNonNull(transfer, "transfer");
        }

        static Options defaults() {
            return new Options(HostTransfer.AUTO, false, 0);
        }
    }

    private final OpenClDevices.Device device;
    private final Options options;
    private final HostTransfer transfer;
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
    OpenClBackend(String deviceChoice, String source, Options options) {
        Objects.requireNonNull(source, "source");
        this.options = Objects.requireNonNull(options, "options");
        this.device = OpenClDevices.choose(deviceChoice);
        this.transfer = options.transfer() != HostTransfer.AUTO ? options.transfer()
                : device.unifiedMemory() ? HostTransfer.ARRAY_READ : HostTransfer.MAPPED;
        this.buildOptions = "-cl-std=CL1.2" + (device.correctlyRoundedDivide() ? " -cl-fp32-correctly-rounded-divide-sqrt" : "");
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
        try (InputStream in = OpenClBackend.class.getResourceAsStream(KERNEL_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("kernel source org/relax4j/gpu/" + KERNEL_RESOURCE
                        + " is missing from the class path (is the relax-gpu jar complete?)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel source org/relax4j/gpu/" + KERNEL_RESOURCE, e);
        }
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
            throw new OpenClException("building the RELAX kernels (" + KERNEL_RESOURCE + ") for " + device.describe()
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

    OpenClDevices.Device deviceInfo() {
        return device;
    }

    Options options() {
        return options;
    }

    String buildOptions() {
        return buildOptions;
    }

    /** The host transfer in use ({@link HostTransfer#AUTO} resolved). */
    HostTransfer transfer() {
        return transfer;
    }

    @Override
    public String description() {
        return device.describe().substring(device.describe().indexOf(' ') + 1) + ", device #" + device.index()
                + (device.correctlyRoundedDivide() ? "" : ", division not correctly rounded (maps may differ from the"
                        + " CPU engine by about 1e-7 relative)");
    }

    @Override
    public long maxAllocationBytes() {
        return options.maxAllocationOverride() > 0 ? options.maxAllocationOverride() : device.maxAllocation();
    }

    @Override
    public long globalMemoryBytes() {
        return device.globalMemory();
    }

    @Override
    public DeviceRun openRun(RunLayout layout) {
        if (closed) {
            throw new IllegalStateException("OpenCL backend is closed");
        }
        return new Run(layout);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        resources.releaseAll();
    }

    /**
     * Seconds for one device-to-device {@code clEnqueueCopyBuffer} of {@code bytes}, the average of
     * {@code repetitions} after one warm-up; the bandwidth yardstick of {@link KernelTimings}.
     */
    double copyBufferSeconds(long bytes, int repetitions) {
        Releaser r = new Releaser();
        try {
            cl_command_queue q = createQueue();
            r.add("clReleaseCommandQueue", () -> clReleaseCommandQueue(q));
            cl_mem a = call("clCreateBuffer", () -> clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, null, null));
            r.add("clReleaseMemObject", () -> clReleaseMemObject(a));
            cl_mem b = call("clCreateBuffer", () -> clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, null, null));
            r.add("clReleaseMemObject", () -> clReleaseMemObject(b));
            run("clEnqueueCopyBuffer", () -> clEnqueueCopyBuffer(q, b, a, 0, 0, bytes, 0, null, null));
            run("clFinish", () -> clFinish(q));
            long t = System.nanoTime();
            for (int k = 0; k < repetitions; k++) {
                run("clEnqueueCopyBuffer", () -> clEnqueueCopyBuffer(q, a, b, 0, 0, bytes, 0, null, null));
            }
            run("clFinish", () -> clFinish(q));
            return (System.nanoTime() - t) / 1e9 / repetitions;
        } finally {
            r.releaseAll();
        }
    }

    /**
     * An in-order queue. clCreateCommandQueue is deprecated since OpenCL 2.0, but it is the call that OpenCL 1.2
     * devices have, and 2.x/3.0 platforms keep it.
     */
    @SuppressWarnings("deprecation")
    private cl_command_queue createQueue() {
        return call("clCreateCommandQueue", () -> clCreateCommandQueue(context, device.id(), 0, null));
    }

    static <T> T call(String what, Supplier<T> op) {
        try {
            return op.get();
        } catch (CLException e) {
            throw fail(what, e);
        }
    }

    static void run(String what, Runnable op) {
        try {
            op.run();
        } catch (CLException e) {
            throw fail(what, e);
        }
    }

    static OpenClException fail(String what, CLException e) {
        return new OpenClException(what + " failed: " + CL.stringFor_errorCode(e.getStatus()), e);
    }

    private static long roundUp(long n, long multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }

    /** One explanation's queue, kernels and buffers. */
    final class Run implements DeviceRun {
        private final RunLayout layout;
        private final Releaser handles = new Releaser();
        private final cl_command_queue queue;
        private final cl_kernel drawKernel;
        private final cl_kernel blendKernel;
        private final cl_kernel renderKernel;
        private final cl_kernel accumulateKernel;
        private final long renderLocal;
        private final long accumulateLocal;
        private final long drawLocal;
        private final long blendLocal;
        private final cl_mem x;
        private final cl_mem rowIndex;
        private final cl_mem rowWeight;
        private final cl_mem colIndex;
        private final cl_mem colWeight;
        private final cl_mem w;
        private final cl_mem r;
        private final cl_mem u;
        private final cl_mem[] grids = new cl_mem[SLOTS];
        private final cl_mem[] shifts = new cl_mem[SLOTS];
        private final cl_mem[] blends = new cl_mem[SLOTS];
        private final cl_mem[] sims = new cl_mem[SLOTS];
        private final cl_mem[] masks = new cl_mem[SLOTS];
        /** Per slot, the buffers that hold the rendered batch, samplesPerBuffer masked inputs each. */
        private final cl_mem[][] rendered;
        private final ByteBuffer[] gridStage = new ByteBuffer[SLOTS];
        private final ByteBuffer[] shiftStage = new ByteBuffer[SLOTS];
        private final ByteBuffer[] simsStage = new ByteBuffer[SLOTS];
        private final cl_event[] gridWrite = new cl_event[SLOTS];
        private final cl_event[] shiftWrite = new cl_event[SLOTS];
        private final cl_event[] simsWrite = new cl_event[SLOTS];
        /** MAPPED transfer: per slot and buffer, the pending map and its host view. */
        private final cl_event[][] mapEvent;
        private final ByteBuffer[][] mapped;
        private final int[] renderedCount = new int[SLOTS];
        private final boolean[] masksValid = new boolean[SLOTS];
        private boolean closed;

        Run(RunLayout layout) {
            this.layout = layout;
            int per = layout.cells() * layout.cells();
            int buffers = (layout.maxBatch() + layout.samplesPerBuffer() - 1) / layout.samplesPerBuffer();
            this.rendered = new cl_mem[SLOTS][buffers];
            this.mapEvent = new cl_event[SLOTS][buffers];
            this.mapped = new ByteBuffer[SLOTS][buffers];
            try {
                queue = createQueue();
                handles.add("clReleaseCommandQueue", () -> clReleaseCommandQueue(queue));
                drawKernel = kernel(K_DRAW);
                blendKernel = kernel(K_BLEND);
                renderKernel = kernel(K_RENDER);
                accumulateKernel = kernel(options.accumulateFromMasks() ? K_ACCUMULATE_MASKS : K_ACCUMULATE);
                drawLocal = localSize(drawKernel, 64);
                blendLocal = rowLocalSize(blendKernel, 256);
                renderLocal = rowLocalSize(renderKernel, 256);
                accumulateLocal = options.accumulateFromMasks() ? localSize(accumulateKernel, 256)
                        : rowLocalSize(accumulateKernel, 256);

                MaskTables t = new MaskTables(layout);
                x = buffer("input", CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, (long) layout.input().length * Sizeof.cl_float,
                        Pointer.to(layout.input()));
                rowIndex = buffer("row indices", CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                        (long) t.rowIndex.length * Sizeof.cl_int, Pointer.to(t.rowIndex));
                rowWeight = buffer("row weights", CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                        (long) t.rowWeight.length * Sizeof.cl_float, Pointer.to(t.rowWeight));
                colIndex = buffer("column indices", CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                        (long) t.colIndex.length * Sizeof.cl_int, Pointer.to(t.colIndex));
                colWeight = buffer("column weights", CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                        (long) t.colWeight.length * Sizeof.cl_float, Pointer.to(t.colWeight));
                int pixels = layout.pixels();
                float[] w0 = new float[pixels];
                java.util.Arrays.fill(w0, layout.initialWeight());
                float[] zeros = new float[pixels];
                long stateBytes = (long) pixels * Sizeof.cl_float;
                w = buffer("weights W", CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, stateBytes, Pointer.to(w0));
                r = buffer("importance R", CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, stateBytes, Pointer.to(zeros));
                u = buffer("uncertainty U", CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, stateBytes, Pointer.to(zeros));

                long sampleBytes = (long) layout.sampleFloats() * Sizeof.cl_float;
                long renderFlags = CL_MEM_WRITE_ONLY | CL_MEM_HOST_READ_ONLY
                        | (transfer == HostTransfer.MAPPED ? CL_MEM_ALLOC_HOST_PTR : 0);
                for (int s = 0; s < SLOTS; s++) {
                    grids[s] = buffer("grids", CL_MEM_READ_WRITE, (long) layout.maxBatch() * per, null);
                    shifts[s] = buffer("shifts", CL_MEM_READ_WRITE, 2L * layout.maxBatch() * Sizeof.cl_int, null);
                    blends[s] = buffer("blends", CL_MEM_READ_WRITE,
                            (long) layout.maxBatch() * layout.cells() * layout.width() * Sizeof.cl_float, null);
                    sims[s] = buffer("similarities", CL_MEM_READ_ONLY, (long) layout.maxBatch() * Sizeof.cl_float, null);
                    if (options.accumulateFromMasks()) {
                        long maskBytes = (long) layout.maxBatch() * pixels * Sizeof.cl_float;
                        if (maskBytes > maxAllocationBytes()) {
                            throw new IllegalArgumentException("accumulateFromMasks needs the batch's masks (" + maskBytes
                                    + " bytes) in one buffer, more than the device's largest (" + maxAllocationBytes() + ")");
                        }
                        masks[s] = buffer("masks", CL_MEM_READ_WRITE, (long) layout.maxBatch() * pixels * Sizeof.cl_float, null);
                    }
                    for (int c = 0; c < buffers; c++) {
                        int n = Math.min(layout.samplesPerBuffer(), layout.maxBatch() - c * layout.samplesPerBuffer());
                        rendered[s][c] = buffer("masked batch", renderFlags, n * sampleBytes, null);
                    }
                    gridStage[s] = ByteBuffer.allocateDirect(layout.maxBatch() * per).order(ByteOrder.nativeOrder());
                    shiftStage[s] = ByteBuffer.allocateDirect(2 * layout.maxBatch() * Sizeof.cl_int).order(ByteOrder.nativeOrder());
                    simsStage[s] = ByteBuffer.allocateDirect(layout.maxBatch() * Sizeof.cl_float).order(ByteOrder.nativeOrder());
                }
                run("clFinish", () -> clFinish(queue));
            } catch (RuntimeException e) {
                handles.releaseAllAfter(e);
                throw e;
            }
        }

        private cl_kernel kernel(String name) {
            cl_kernel k = call("clCreateKernel(" + name + ")", () -> clCreateKernel(program, name, null));
            handles.add("clReleaseKernel(" + name + ")", () -> clReleaseKernel(k));
            return k;
        }

        private cl_mem buffer(String what, long flags, long bytes, Pointer host) {
            cl_mem m = call("clCreateBuffer(" + what + ", " + bytes + " bytes)",
                    () -> clCreateBuffer(context, flags, bytes, host, null));
            handles.add("clReleaseMemObject(" + what + ")", () -> clReleaseMemObject(m));
            return m;
        }

        /**
         * A work-group size along the image width: one row (rounded up to the kernel's preferred multiple) when it
         * fits in {@code cap} and the device's limits, else the largest such multiple that does.
         */
        private long rowLocalSize(cl_kernel k, long cap) {
            long multiple = preferredMultiple(k);
            long max = localSize(k, cap);
            return Math.min(max, roundUp(layout.width(), multiple));
        }

        private long preferredMultiple(cl_kernel k) {
            long[] v = new long[1];
            call("clGetKernelWorkGroupInfo", () -> clGetKernelWorkGroupInfo(k, device.id(),
                    CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE, Sizeof.size_t, Pointer.to(v), null));
            return Math.max(1, v[0]);
        }

        /** A 1-D work-group size: at most {@code cap}, a multiple of the kernel's preferred multiple. */
        private long localSize(cl_kernel k, long cap) {
            long[] v = new long[1];
            call("clGetKernelWorkGroupInfo", () -> clGetKernelWorkGroupInfo(k, device.id(), CL_KERNEL_WORK_GROUP_SIZE,
                    Sizeof.size_t, Pointer.to(v), null));
            long max = Math.min(Math.min(v[0], cap), maxWorkItems0);
            long multiple = preferredMultiple(k);
            return max >= multiple ? max / multiple * multiple : Math.max(1, max);
        }

        private void checkOpen() {
            if (closed) {
                throw new IllegalStateException("OpenCL run is closed");
            }
        }

        @Override
        public void drawRandomMasks(int slot, long seed, float keepProbability, long firstMask, int count) {
            checkOpen();
            cl_kernel k = drawKernel;
            run("clSetKernelArg(" + K_DRAW + ")", () -> {
                clSetKernelArg(k, 0, Sizeof.cl_ulong, Pointer.to(new long[] {seed}));
                clSetKernelArg(k, 1, Sizeof.cl_int, Pointer.to(new int[] {layout.cells()}));
                clSetKernelArg(k, 2, Sizeof.cl_float, Pointer.to(new float[] {keepProbability}));
                clSetKernelArg(k, 3, Sizeof.cl_ulong, Pointer.to(new long[] {firstMask}));
                clSetKernelArg(k, 4, Sizeof.cl_int, Pointer.to(new int[] {count}));
                clSetKernelArg(k, 5, Sizeof.cl_mem, Pointer.to(grids[slot]));
                clSetKernelArg(k, 6, Sizeof.cl_mem, Pointer.to(shifts[slot]));
            });
            long items = (long) count * (layout.cells() * layout.cells() + 2);
            run("clEnqueueNDRangeKernel(" + K_DRAW + ")", () -> clEnqueueNDRangeKernel(queue, k, 1, null,
                    new long[] {roundUp(items, drawLocal)}, new long[] {drawLocal}, 0, null, null));
            blend(slot, count);
            run("clFlush", () -> clFlush(queue));
        }

        @Override
        public void uploadMasks(int slot, byte[] gridValues, int[] shiftValues, int count) {
            checkOpen();
            int per = layout.cells() * layout.cells();
            awaitAndRelease(gridWrite, slot);
            awaitAndRelease(shiftWrite, slot);
            gridStage[slot].put(0, gridValues, 0, count * per);
            IntBuffer sb = shiftStage[slot].asIntBuffer();
            sb.put(0, shiftValues, 0, 2 * count);
            gridWrite[slot] = new cl_event();
            run("clEnqueueWriteBuffer(grids)", () -> clEnqueueWriteBuffer(queue, grids[slot], CL_FALSE, 0, (long) count * per,
                    Pointer.to(gridStage[slot]), 0, null, gridWrite[slot]));
            shiftWrite[slot] = new cl_event();
            run("clEnqueueWriteBuffer(shifts)", () -> clEnqueueWriteBuffer(queue, shifts[slot], CL_FALSE, 0,
                    2L * count * Sizeof.cl_int, Pointer.to(shiftStage[slot]), 0, null, shiftWrite[slot]));
            blend(slot, count);
            run("clFlush", () -> clFlush(queue));
        }

        /** Enqueues relax_blend for the slot's new grids (MaskGeometry.blendColumns for every mask). */
        private void blend(int slot, int count) {
            cl_kernel k = blendKernel;
            run("clSetKernelArg(" + K_BLEND + ")", () -> {
                clSetKernelArg(k, 0, Sizeof.cl_mem, Pointer.to(colIndex));
                clSetKernelArg(k, 1, Sizeof.cl_mem, Pointer.to(colWeight));
                clSetKernelArg(k, 2, Sizeof.cl_mem, Pointer.to(grids[slot]));
                clSetKernelArg(k, 3, Sizeof.cl_mem, Pointer.to(shifts[slot]));
                clSetKernelArg(k, 4, Sizeof.cl_int, Pointer.to(new int[] {layout.cells()}));
                clSetKernelArg(k, 5, Sizeof.cl_int, Pointer.to(new int[] {layout.width()}));
                clSetKernelArg(k, 6, Sizeof.cl_int, Pointer.to(new int[] {count}));
                clSetKernelArg(k, 7, Sizeof.cl_mem, Pointer.to(blends[slot]));
            });
            run("clEnqueueNDRangeKernel(" + K_BLEND + ")", () -> clEnqueueNDRangeKernel(queue, k, 3, null,
                    new long[] {roundUp(layout.width(), blendLocal), layout.cells(), count}, new long[] {blendLocal, 1, 1},
                    0, null, null));
            masksValid[slot] = false;
        }

        /** Enqueues the render kernel(s) only: one launch per device buffer of the slot. */
        void renderKernels(int slot, int count) {
            checkOpen();
            int spb = layout.samplesPerBuffer();
            for (int c = 0, first = 0; first < count; c++, first += spb) {
                unmapIfMapped(slot, c);
                launchRender(slot, first, Math.min(spb, count - first), rendered[slot][c],
                        options.accumulateFromMasks() ? masks[slot] : null);
            }
            renderedCount[slot] = count;
            masksValid[slot] = options.accumulateFromMasks();
        }

        private void launchRender(int slot, int first, int n, cl_mem out, cl_mem masksOut) {
            cl_kernel k = renderKernel;
            run("clSetKernelArg(" + K_RENDER + ")", () -> {
                clSetKernelArg(k, 0, Sizeof.cl_mem, Pointer.to(x));
                clSetKernelArg(k, 1, Sizeof.cl_mem, Pointer.to(rowIndex));
                clSetKernelArg(k, 2, Sizeof.cl_mem, Pointer.to(rowWeight));
                clSetKernelArg(k, 3, Sizeof.cl_mem, Pointer.to(blends[slot]));
                clSetKernelArg(k, 4, Sizeof.cl_mem, Pointer.to(shifts[slot]));
                clSetKernelArg(k, 5, Sizeof.cl_int, Pointer.to(new int[] {layout.cells()}));
                clSetKernelArg(k, 6, Sizeof.cl_int, Pointer.to(new int[] {layout.height()}));
                clSetKernelArg(k, 7, Sizeof.cl_int, Pointer.to(new int[] {layout.width()}));
                clSetKernelArg(k, 8, Sizeof.cl_int, Pointer.to(new int[] {layout.channels()}));
                clSetKernelArg(k, 9, Sizeof.cl_int, Pointer.to(new int[] {first}));
                clSetKernelArg(k, 10, Sizeof.cl_int, Pointer.to(new int[] {n}));
                // A NULL buffer argument is a NULL pointer in the kernel (OpenCL 1.2, clSetKernelArg).
                clSetKernelArg(k, 11, Sizeof.cl_mem, out == null ? null : Pointer.to(out));
                clSetKernelArg(k, 12, Sizeof.cl_mem, masksOut == null ? null : Pointer.to(masksOut));
            });
            run("clEnqueueNDRangeKernel(" + K_RENDER + ")", () -> clEnqueueNDRangeKernel(queue, k, 3, null,
                    new long[] {roundUp(layout.width(), renderLocal), layout.height(), n}, new long[] {renderLocal, 1, 1},
                    0, null, null));
        }

        /** Starts moving the slot's last rendering towards the host (MAPPED: a non-blocking map per buffer). */
        void startTransfer(int slot) {
            if (transfer == HostTransfer.MAPPED) {
                int spb = layout.samplesPerBuffer();
                long sampleBytes = (long) layout.sampleFloats() * Sizeof.cl_float;
                for (int c = 0, first = 0; first < renderedCount[slot]; c++, first += spb) {
                    int n = Math.min(spb, renderedCount[slot] - first);
                    cl_event e = new cl_event();
                    int cc = c;
                    mapped[slot][c] = call("clEnqueueMapBuffer(masked batch)", () -> clEnqueueMapBuffer(queue,
                            rendered[slot][cc], CL_FALSE, CL_MAP_READ, 0, n * sampleBytes, 0, null, e, null));
                    mapEvent[slot][c] = e;
                }
            }
            run("clFlush", () -> clFlush(queue));
        }

        @Override
        public void render(int slot, int count) {
            renderKernels(slot, count);
            startTransfer(slot);
        }

        @Override
        public void copyRendered(int slot, int count, float[] destination) {
            checkOpen();
            if (count != renderedCount[slot]) {
                throw new IllegalStateException("slot " + slot + " holds a rendering of " + renderedCount[slot]
                        + " masks, not " + count);
            }
            int spb = layout.samplesPerBuffer();
            int sampleFloats = layout.sampleFloats();
            for (int c = 0, first = 0; first < count; c++, first += spb) {
                int n = Math.min(spb, count - first);
                int offset = first * sampleFloats;
                int length = n * sampleFloats;
                if (transfer == HostTransfer.MAPPED) {
                    ByteBuffer view = mapped[slot][c];
                    if (view == null) {
                        throw new IllegalStateException("slot " + slot + " has no transfer in flight");
                    }
                    awaitAndRelease(mapEvent[slot], c);
                    FloatBuffer floats = view.order(ByteOrder.nativeOrder()).asFloatBuffer();
                    floats.get(0, destination, offset, length);
                    unmapIfMapped(slot, c);
                } else {
                    cl_mem m = rendered[slot][c];
                    run("clEnqueueReadBuffer(masked batch)", () -> clEnqueueReadBuffer(queue, m, CL_TRUE, 0,
                            (long) length * Sizeof.cl_float, Pointer.to(destination).withByteOffset((long) offset * Sizeof.cl_float),
                            0, null, null));
                }
            }
            run("clFlush", () -> clFlush(queue));
        }

        private void unmapIfMapped(int slot, int c) {
            ByteBuffer view = mapped[slot][c];
            if (view == null) {
                return;
            }
            awaitAndRelease(mapEvent[slot], c);
            mapped[slot][c] = null;
            run("clEnqueueUnmapMemObject(masked batch)",
                    () -> clEnqueueUnmapMemObject(queue, rendered[slot][c], view, 0, null, null));
        }

        @Override
        public void accumulate(int slot, int count, float[] similarities) {
            checkOpen();
            if (options.accumulateFromMasks() && !masksValid[slot]) {
                launchRender(slot, 0, count, null, masks[slot]);
                masksValid[slot] = true;
            }
            awaitAndRelease(simsWrite, slot);
            simsStage[slot].asFloatBuffer().put(0, similarities, 0, count);
            simsWrite[slot] = new cl_event();
            run("clEnqueueWriteBuffer(similarities)", () -> clEnqueueWriteBuffer(queue, sims[slot], CL_FALSE, 0,
                    (long) count * Sizeof.cl_float, Pointer.to(simsStage[slot]), 0, null, simsWrite[slot]));
            cl_kernel k = accumulateKernel;
            String name = options.accumulateFromMasks() ? K_ACCUMULATE_MASKS : K_ACCUMULATE;
            run("clSetKernelArg(" + name + ")", () -> {
                if (options.accumulateFromMasks()) {
                    clSetKernelArg(k, 0, Sizeof.cl_mem, Pointer.to(masks[slot]));
                    clSetKernelArg(k, 1, Sizeof.cl_mem, Pointer.to(sims[slot]));
                    clSetKernelArg(k, 2, Sizeof.cl_int, Pointer.to(new int[] {layout.pixels()}));
                    clSetKernelArg(k, 3, Sizeof.cl_int, Pointer.to(new int[] {count}));
                    clSetKernelArg(k, 4, Sizeof.cl_mem, Pointer.to(w));
                    clSetKernelArg(k, 5, Sizeof.cl_mem, Pointer.to(r));
                    clSetKernelArg(k, 6, Sizeof.cl_mem, Pointer.to(u));
                } else {
                    clSetKernelArg(k, 0, Sizeof.cl_mem, Pointer.to(rowIndex));
                    clSetKernelArg(k, 1, Sizeof.cl_mem, Pointer.to(rowWeight));
                    clSetKernelArg(k, 2, Sizeof.cl_mem, Pointer.to(blends[slot]));
                    clSetKernelArg(k, 3, Sizeof.cl_mem, Pointer.to(shifts[slot]));
                    clSetKernelArg(k, 4, Sizeof.cl_mem, Pointer.to(sims[slot]));
                    clSetKernelArg(k, 5, Sizeof.cl_int, Pointer.to(new int[] {layout.cells()}));
                    clSetKernelArg(k, 6, Sizeof.cl_int, Pointer.to(new int[] {layout.height()}));
                    clSetKernelArg(k, 7, Sizeof.cl_int, Pointer.to(new int[] {layout.width()}));
                    clSetKernelArg(k, 8, Sizeof.cl_int, Pointer.to(new int[] {count}));
                    clSetKernelArg(k, 9, Sizeof.cl_mem, Pointer.to(w));
                    clSetKernelArg(k, 10, Sizeof.cl_mem, Pointer.to(r));
                    clSetKernelArg(k, 11, Sizeof.cl_mem, Pointer.to(u));
                }
            });
            if (options.accumulateFromMasks()) {
                run("clEnqueueNDRangeKernel(" + name + ")", () -> clEnqueueNDRangeKernel(queue, k, 1, null,
                        new long[] {roundUp(layout.pixels(), accumulateLocal)}, new long[] {accumulateLocal}, 0, null, null));
            } else {
                run("clEnqueueNDRangeKernel(" + name + ")", () -> clEnqueueNDRangeKernel(queue, k, 2, null,
                        new long[] {roundUp(layout.width(), accumulateLocal), layout.height()},
                        new long[] {accumulateLocal, 1}, 0, null, null));
            }
            run("clFlush", () -> clFlush(queue));
        }

        @Override
        public void readState(float[] weights, float[] importance, float[] uncertainty) {
            checkOpen();
            long bytes = (long) layout.pixels() * Sizeof.cl_float;
            run("clEnqueueReadBuffer(W)", () -> clEnqueueReadBuffer(queue, w, CL_TRUE, 0, bytes, Pointer.to(weights), 0, null, null));
            run("clEnqueueReadBuffer(R)", () -> clEnqueueReadBuffer(queue, r, CL_TRUE, 0, bytes, Pointer.to(importance), 0, null, null));
            run("clEnqueueReadBuffer(U)", () -> clEnqueueReadBuffer(queue, u, CL_TRUE, 0, bytes, Pointer.to(uncertainty), 0, null, null));
        }

        @Override
        public void readMasks(int slot, int count, byte[] gridValues, int[] shiftValues) {
            checkOpen();
            int per = layout.cells() * layout.cells();
            run("clEnqueueReadBuffer(grids)", () -> clEnqueueReadBuffer(queue, grids[slot], CL_TRUE, 0, (long) count * per,
                    Pointer.to(gridValues), 0, null, null));
            run("clEnqueueReadBuffer(shifts)", () -> clEnqueueReadBuffer(queue, shifts[slot], CL_TRUE, 0,
                    2L * count * Sizeof.cl_int, Pointer.to(shiftValues), 0, null, null));
        }

        @Override
        public void finish() {
            checkOpen();
            run("clFinish", () -> clFinish(queue));
        }

        private void awaitAndRelease(cl_event[] events, int i) {
            cl_event e = events[i];
            if (e != null) {
                events[i] = null;
                try {
                    run("clWaitForEvents", () -> clWaitForEvents(1, new cl_event[] {e}));
                } finally {
                    run("clReleaseEvent", () -> clReleaseEvent(e));
                }
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            RuntimeException failure = null;
            try {
                for (int s = 0; s < SLOTS; s++) {
                    for (int c = 0; c < mapped[s].length; c++) {
                        unmapIfMapped(s, c);
                    }
                    awaitAndRelease(gridWrite, s);
                    awaitAndRelease(shiftWrite, s);
                    awaitAndRelease(simsWrite, s);
                }
                run("clFinish", () -> clFinish(queue));
            } catch (RuntimeException e) {
                failure = e;
                // Release whatever events are left even though the queue failed.
                for (int s = 0; s < SLOTS; s++) {
                    for (cl_event[] events : new cl_event[][] {mapEvent[s], gridWrite, shiftWrite, simsWrite}) {
                        for (int i = 0; i < events.length; i++) {
                            if (events[i] != null) {
                                try {
                                    clReleaseEvent(events[i]);
                                } catch (CLException ignoredAfterFailure) {
                                    e.addSuppressed(ignoredAfterFailure);
                                }
                                events[i] = null;
                            }
                        }
                    }
                }
            }
            if (failure != null) {
                handles.releaseAllAfter(failure);
                throw failure;
            }
            handles.releaseAll();
        }
    }

    /** MaskGeometry's tables, copied once per run (the accessors return copies). */
    private static final class MaskTables {
        final int[] rowIndex;
        final float[] rowWeight;
        final int[] colIndex;
        final float[] colWeight;

        MaskTables(RunLayout layout) {
            rowIndex = layout.geometry().rowIndices();
            rowWeight = layout.geometry().rowWeights();
            colIndex = layout.geometry().colIndices();
            colWeight = layout.geometry().colWeights();
        }
    }
}
