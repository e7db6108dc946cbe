package org.relax4j.gpu;

import java.util.Objects;

/**
 * The OpenCL {@link DeviceBackend}: one {@link KernelProgram} (context and compiled {@code relax.cl}) per backend;
 * per run an {@link OpenClRun} with its own queue, kernel objects and {@link RunBuffers}.
 *
 * <p>Two choices are strategies fixed per backend by {@link Options}: how a rendered batch reaches the host
 * ({@link TransferMode}, {@link HostTransfer}), and how the estimator is updated ({@link Accumulation.Mode}). The
 * engine uses {@link Options#defaults()}; KernelTimings and the tests vary them.
 */
final class OpenClBackend implements DeviceBackend {

    /**
     * The backend's strategies.
     *
     * @param transfer how rendered batches reach the host; AUTO picks by device
     * @param accumulation how the estimator is updated
     */
    record Options(TransferMode transfer, Accumulation.Mode accumulation) {
        Options {
            Objects.requireNonNull(transfer, "transfer");
            Objects.requireNonNull(accumulation, "accumulation");
        }

        /** AUTO transfer, masks recomputed in accumulation (as fast on PoCL, no mask buffers; see DEVICE.md). */
        static Options defaults() {
            return new Options(TransferMode.AUTO, Accumulation.Mode.RECOMPUTE);
        }
    }

    private final KernelProgram program;
    private final Options options;
    private final TransferMode transfer;

    /**
     * Chooses a device (see {@link OpenClDevices#choose}), creates a context and builds {@code source}.
     *
     * @throws OpenClException if there is no usable device, the choice matches none, or the build fails (the
     *         message then carries the full build log)
     */
    OpenClBackend(String deviceChoice, String source, Options options) {
        this.options = Objects.requireNonNull(options, "options");
        this.program = new KernelProgram(deviceChoice, source);
        this.transfer = options.transfer().resolve(program.device());
    }

    /** The default device choice, the shipped kernels and the default options. */
    OpenClBackend(String deviceChoice) {
        this(deviceChoice, KernelProgram.defaultSource(), Options.defaults());
    }

    KernelProgram program() {
        return program;
    }

    Options options() {
        return options;
    }

    /** The host transfer in use ({@link TransferMode#AUTO} resolved). */
    TransferMode transfer() {
        return transfer;
    }

    @Override
    public String description() {
        OpenClDevices.Device device = program.device();
        return device.describe().substring(device.describe().indexOf(' ') + 1) + ", device #" + device.index()
                + (device.correctlyRoundedDivide() ? "" : ", division not correctly rounded (maps may differ from the"
                        + " CPU engine by about 1e-7 relative)");
    }

    @Override
    public long maxAllocationBytes() {
        return program.device().maxAllocation();
    }

    @Override
    public long globalMemoryBytes() {
        return program.device().globalMemory();
    }

    @Override
    public long runMemoryBytes(RunLayout layout) {
        return RunBuffers.deviceBytes(layout, options.accumulation().needsMaskBuffers());
    }

    @Override
    public OpenClRun openRun(RunLayout layout) {
        return new OpenClRun(program, layout, transfer, options.accumulation());
    }

    @Override
    public void close() {
        program.close();
    }
}
