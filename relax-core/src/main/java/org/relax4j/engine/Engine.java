package org.relax4j.engine;

import org.relax4j.data.InputTensor;
import org.relax4j.mask.MaskSource;

/**
 * Does RELAX's own work — rendering masks, writing masked inputs, accumulating the estimator — on some
 * hardware. The encoder is not the engine's business: {@link org.relax4j.Relax} calls it between
 * {@link EngineRun#masked} and {@link EngineRun#accumulate}.
 *
 * <p>An engine may hold expensive resources (an OpenCL context, compiled kernels, a thread pool), so it is
 * created once and reused for many explanations, and closed when done. {@link #close()} is idempotent.
 * Engines are not required to support concurrent runs.
 *
 * <p>Every engine must give the same masks for the same {@link MaskSource} (bit for bit) and the same maps
 * as {@link CpuEngine} to a stated tolerance; the contract tests in relax-core's test-jar check that.
 */
public interface Engine extends AutoCloseable {

    /** {@return the engine's short name as the configuration spells it, e.g. {@code cpu} or {@code opencl}} */
    String name();

    /** {@return what runs the work, in words a person can read, e.g. "cpu, 2 threads" or an OpenCL device name} */
    String device();

    /**
     * Starts one explanation: allocates its buffers (bounded by {@code maxBatch}, never by the number of masks).
     *
     * @return the run; the caller closes it
     * @param input the input to mask; not modified
     * @param masks where mask n comes from
     * @param maxBatch the largest batch that {@link EngineRun#masked} will be asked for
     * @param initialWeight the estimator's starting sum of weights
     * @throws IllegalArgumentException if the input is too small for the masks' cells or a size is out of range
     */
    EngineRun open(InputTensor input, MaskSource masks, int maxBatch, float initialWeight);

    @Override
    void close();
}
