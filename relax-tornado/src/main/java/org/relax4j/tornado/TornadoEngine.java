package org.relax4j.tornado;

import java.util.ArrayList;
import java.util.List;
import org.relax4j.data.InputTensor;
import org.relax4j.engine.Engine;
import org.relax4j.engine.EngineRun;
import org.relax4j.gpu.PipelinedEngine;
import org.relax4j.mask.MaskSource;

/**
 * The {@code tornado} engine: RELAX's mask drawing, bilinear upsampling, masking and accumulation written in Java
 * ({@link RelaxKernels}) and compiled by TornadoVM, when a run first executes them, for the device TornadoVM picks or
 * is given (OpenCL on these machines; PTX on NVIDIA GPUs with a TornadoVM built for it).
 *
 * <pre>{@code
 * try (Relax relax = new Relax(RelaxConfig.builder().engine("tornado").build())) {
 *     Explanation e = relax.explain(input, encoder);
 * }
 * }</pre>
 *
 * <p>Needs JDK 25 and TornadoVM's JVM options ({@code java @$TORNADOVM_HOME/tornado-argfile ...}); the
 * {@code ./relax} launcher adds them when asked for this engine.
 *
 * <p><b>Device choice.</b> {@code device} is "B:D" (backend B, device D, as {@link #devices()} lists them) or a
 * case-insensitive part of a device's description; when null or blank, the environment variable
 * {@code RELAX4J_TORNADO_DEVICE}, else TornadoVM's default device.
 *
 * <p><b>Results.</b> The same contract as the OpenCL engine: masks drawn on the device by the CPU's counter-based
 * generator (the kernels call {@link org.relax4j.mask.CounterRng} itself), the CPU engine's float32 evaluation order,
 * division correctly rounded ({@code -cl-fp32-correctly-rounded-divide-sqrt}), so masked inputs are bit-identical and
 * maps are too on devices that honour that option. Images only (rank 2, square grids); other ranks are refused by
 * name, as by the OpenCL engine.
 *
 * <p><b>Pipeline.</b> relax-gpu's {@link PipelinedEngine}: two slots, the next batch rendered before the encoder
 * needs it. TornadoVM executes a task graph synchronously, so the rendering does not overlap the encoder as it does
 * with the OpenCL engine; buffers stay on the device between batches.
 */
public final class TornadoEngine implements Engine {
    /** The engine's name in configurations. */
    public static final String NAME = "tornado";

    private final PipelinedEngine pipeline;

    /** TornadoVM's default device (see the class comment). */
    public TornadoEngine() {
        this(null);
    }

    /**
     * @param device "B:D", part of a device's description, or null/blank for the default
     * @throws IllegalArgumentException if the choice matches no device (the message lists them)
     * @throws IllegalStateException if TornadoVM sees no device
     */
    public TornadoEngine(String device) {
        this(device, false);
    }

    /**
     * @param device as {@link #TornadoEngine(String)}
     * @param printKernel print the OpenCL or PTX code TornadoVM generates (TornadoVM's {@code --printKernel})
     */
    public TornadoEngine(String device, boolean printKernel) {
        this.pipeline = new PipelinedEngine(NAME, new TornadoDeviceBackend(device, printKernel));
    }

    /** {@return every device TornadoVM sees, one line each, "B:D backend platform: name (type)"} */
    public static List<String> devices() {
        List<String> out = new ArrayList<>();
        for (TornadoDeviceBackend.Device d : TornadoDeviceBackend.devices()) {
            out.add(d.describe());
        }
        return out;
    }

    @Override
    public String name() {
        return NAME;
    }

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
