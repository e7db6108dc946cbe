package org.relax4j.tornado;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.relax4j.gpu.DeviceBackend;
import uk.ac.manchester.tornado.api.TornadoBackend;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/**
 * The TornadoVM {@link DeviceBackend}: one TornadoVM device; per run a {@link TornadoRun} (a task graph of
 * {@link RelaxKernels} and its buffers). The host pipeline (batching, two slots, checks) is relax-gpu's
 * {@link org.relax4j.gpu.PipelinedEngine}, shared with the OpenCL engine.
 */
final class TornadoDeviceBackend implements DeviceBackend {
    /** The environment variable read when no device is given, as RELAX4J_OPENCL_DEVICE is for opencl. */
    static final String DEVICE_VARIABLE = "RELAX4J_TORNADO_DEVICE";

    /**
     * TornadoVM's switch for turning a*b+c into fma(): on by default, and a fused multiply-add rounds once where Java
     * (and the CPU engine) rounds twice, which moved masks by an ulp. TornadoVM reads it when its runtime starts, so
     * it is set here, before this class's first call into TornadoVM, unless the JVM was given a value; the launcher
     * and the tests pass it on the command line too.
     */
    static final String FMA_PROPERTY = "tornado.enable.fma";

    /**
     * TornadoVM's switch for running a kernel it cannot compile as plain Java instead, silently (on by default): off,
     * so that such a kernel fails with TornadoVM's reason rather than running on the host.
     */
    static final String BAILOUT_PROPERTY = "tornado.recover.bailout";

    static {
        if (System.getProperty(FMA_PROPERTY) == null) {
            System.setProperty(FMA_PROPERTY, "false");
        }
        if (System.getProperty(BAILOUT_PROPERTY) == null) {
            System.setProperty(BAILOUT_PROPERTY, "false");
        }
    }

    private final TornadoDevice device;
    private final boolean printKernel;

    TornadoDeviceBackend(String deviceChoice, boolean printKernel) {
        String given = deviceChoice == null || deviceChoice.isBlank() ? System.getenv(DEVICE_VARIABLE) : deviceChoice;
        this.device = choose(given);
        this.printKernel = printKernel;
    }

    /** One TornadoVM device: its backend and device index and what it is ("0:0 opencl ...: name"). */
    record Device(int backend, int index, TornadoDevice device) {
        String describe() {
            return backend + ":" + index + " " + device.getTornadoVMBackend().name().toLowerCase(Locale.ROOT) + " "
                    + device.getPlatformName().trim() + ": " + name(device) + " ("
                    + device.getDeviceType().name().toLowerCase(Locale.ROOT).replace("cl_device_type_", "") + ")";
        }
    }

    /** {@return every device TornadoVM sees, backend by backend} */
    static List<Device> devices() {
        List<Device> out = new ArrayList<>();
        List<TornadoBackend> backends = TornadoExecutionPlan.getTornadoDeviceMap().getAllBackends();
        for (int b = 0; b < backends.size(); b++) {
            for (int d = 0; d < backends.get(b).getNumDevices(); d++) {
                out.add(new Device(b, d, backends.get(b).getDevice(d)));
            }
        }
        return out;
    }

    /**
     * The device for a choice: null or blank for TornadoVM's default device; "B:D" for backend B, device D (as
     * {@code tornado --devices} numbers them); else a case-insensitive part of the description.
     */
    static TornadoDevice choose(String choice) {
        List<Device> all = devices();
        if (all.isEmpty()) {
            throw new IllegalStateException("TornadoVM sees no device (is an OpenCL driver installed? "
                    + "TornadoVM's 'tornado --devices' lists what it sees)");
        }
        if (choice == null || choice.isBlank()) {
            return TornadoExecutionPlan.getTornadoDeviceMap().getAllBackends().get(0).getDefaultDevice();
        }
        String c = choice.trim();
        for (Device d : all) {
            if (c.equals(d.backend() + ":" + d.index())) {
                return d.device();
            }
        }
        for (Device d : all) {
            if (d.describe().toLowerCase(Locale.ROOT).contains(c.toLowerCase(Locale.ROOT))) {
                return d.device();
            }
        }
        StringBuilder list = new StringBuilder();
        for (Device d : all) {
            list.append("\n  ").append(d.describe());
        }
        throw new IllegalArgumentException("no TornadoVM device matches '" + choice + "' (give B:D or part of a "
                + "name); devices:" + list);
    }

    @Override
    public String description() {
        return "TornadoVM " + device.getTornadoVMBackend().name().toLowerCase(Locale.ROOT) + " "
                + device.getPlatformName().trim() + ": " + name(device)
                + (fusedMultiplyAdds() ? ", fused multiply-adds on (-D" + FMA_PROPERTY + "=true): maps may differ from "
                        + "the CPU engine by about 1e-7 relative" : "");
    }

    /** The hardware's name (TornadoDevice.getDeviceName() is TornadoVM's own label, e.g. "opencl-0-0"). */
    static String name(TornadoDevice device) {
        return device.getPhysicalDevice().getDeviceName().trim();
    }

    /** Whether TornadoVM was told to emit fma() (then results are close to, not identical with, the CPU's). */
    static boolean fusedMultiplyAdds() {
        return Boolean.parseBoolean(System.getProperty(FMA_PROPERTY));
    }

    @Override
    public long maxAllocationBytes() {
        return device.getMaxAllocMemory();
    }

    @Override
    public long globalMemoryBytes() {
        return device.getMaxGlobalMemory();
    }

    @Override
    public long runMemoryBytes(RunLayout layout) {
        long maxBatch = layout.maxBatch();
        long per = (long) layout.cells() * layout.cells();
        long floats = layout.sampleFloats() // input
                + 3L * layout.pixels() // W, R, U
                + 2L * (2L * layout.cells() * layout.height() + 2L * layout.cells() * layout.width()) // tables
                + DeviceRun.SLOTS * maxBatch * layout.cells() * layout.width() // blends
                + maxBatch // similarities
                + DeviceRun.SLOTS * maxBatch * layout.sampleFloats() // rendered batches
                + (DeviceRun.SLOTS + 1) * 2 * maxBatch; // shifts, device and uploaded
        return 4 * floats + (DeviceRun.SLOTS + 1) * maxBatch * per;
    }

    @Override
    public DeviceRun openRun(RunLayout layout) {
        if (layout.samplesPerBuffer() < layout.maxBatch()) {
            throw new IllegalArgumentException("the tornado engine keeps a batch in one device buffer; a batch of "
                    + layout.maxBatch() + " needs " + (long) layout.maxBatch() * layout.sampleFloats() * Float.BYTES
                    + " bytes, more than the largest buffer of " + description() + " (" + maxAllocationBytes()
                    + " bytes); use a smaller batch size, or the opencl engine, which splits batches");
        }
        if ((long) DeviceRun.SLOTS * layout.maxBatch() * layout.sampleFloats() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the tornado engine keeps both slots' batches in one array; two batches "
                    + "of " + layout.maxBatch() + " inputs of " + layout.sampleFloats() + " floats are more than one "
                    + "Java array holds; use a smaller batch size");
        }
        return new TornadoRun(device, layout, printKernel);
    }

    @Override
    public void close() {
        // TornadoVM owns its devices for the JVM's lifetime; each run frees its own buffers.
    }
}
