package org.relax4j.gpu;

import java.util.ArrayList;
import java.util.List;
import org.relax4j.data.InputTensor;
import org.relax4j.engine.Engine;
import org.relax4j.engine.EngineRun;
import org.relax4j.mask.MaskSource;

/**
 * The {@code opencl} engine: RELAX's mask drawing, rendering, masking and accumulation as OpenCL C kernels
 * ({@code org/relax4j/gpu/relax.cl}) compiled by the driver when the engine is created, called through JOCL.
 *
 * <pre>{@code
 * try (Relax relax = new Relax(RelaxConfig.builder().engine("opencl").device("nvidia").build())) {
 *     Explanation e = relax.explain(input, encoder);
 * }
 * }</pre>
 *
 * <p><b>Device choice.</b> {@code device} is an index into the list of all OpenCL devices of all platforms (the
 * order of {@code clinfo -l}; {@link DeviceReport} prints it) or a case-insensitive part of "platform name device
 * name". When it is null or blank the environment variable {@code RELAX4J_OPENCL_DEVICE} is used the same way;
 * when that is unset too, the first GPU, else the first device. {@link #device()} says which device runs.
 *
 * <p><b>Results.</b> Masks whose source offers {@link MaskSource#counterDraws()} ({@link org.relax4j.mask.RandomMasks}) are drawn on
 * the device by the same
 * counter-based generator as on the CPU, bit for bit; other mask sources are drawn on the host and uploaded. The
 * kernels keep the CPU engine's float32 evaluation order without fused multiply-adds, so masked inputs are
 * bit-identical and maps are bit-identical where the device divides with correct rounding (all PoCL CPU devices
 * and NVIDIA GPUs report it; {@link #device()} says when a device does not, maps then differ by ~1e-7 relative).
 *
 * <p><b>Pipeline.</b> Two batches are in flight: {@link EngineRun#prefetch} renders the next batch on the device and
 * copies it to the host while the encoder runs on the current one, and {@link EngineRun#accumulate} returns
 * before the device has finished. A batch larger than the device's largest buffer is split over several buffers;
 * {@link #open} rejects only inputs of which one does not fit a device buffer, batches larger than a Java array and
 * batches of which two do not fit in device memory, each with the sizes in the message.
 *
 * <p>Thread safety: create, use and close an engine from one thread at a time; each run is single-threaded (it
 * uses one internal transfer thread of its own). Closing the engine closes its open runs and releases every
 * OpenCL object (runs: events, buffers, kernels, queue; engine: program, context), also after errors.
 */
public final class OpenClEngine implements Engine {
    /** The engine's name in configurations. */
    public static final String NAME = "opencl";

    private final PipelinedEngine pipeline;

    /** The default device (see the class comment). */
    public OpenClEngine() {
        this(null);
    }

    /**
     * @param device a device index or part of a platform/device name; null or blank for the default
     * @throws OpenClException if OpenCL has no platform or device here, the choice matches no device (the message
     *         lists them), or the kernels do not build (the message holds the build log)
     */
    public OpenClEngine(String device) {
        this.pipeline = new PipelinedEngine(NAME, new OpenClBackend(device));
    }

    /**
     * Every OpenCL device here, one line each, numbered as the {@code device} argument counts them.
     *
     * @return one line per device
     * @throws OpenClException if there is no OpenCL platform or device
     */
    public static List<String> devices() {
        List<String> out = new ArrayList<>();
        for (OpenClDevices.Device d : OpenClDevices.list()) {
            out.add(d.describe());
        }
        return out;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The device that runs the work: type, name, platform, OpenCL version, driver and index. */
    @Override
    public String device() {
        return pipeline.device();
    }

    @Override
    public EngineRun open(InputTensor input, MaskSource masks, int maxBatch, float initialWeight) {
        return pipeline.open(input, masks, maxBatch, initialWeight);
    }

    @Override
    public void close() {
        pipeline.close();
    }
}
