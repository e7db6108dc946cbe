/**
 * RELAX on OpenCL devices: the {@code opencl} engine ({@link org.relax4j.gpu.OpenClEngine}), registered through
 * {@link java.util.ServiceLoader} so that {@code Engines.create("opencl", threads, device)} and
 * {@code RelaxConfig.builder().engine("opencl")} work whenever this module is on the class path.
 *
 * <p>The kernels ({@code org/relax4j/gpu/relax.cl}, one readable OpenCL C 1.2 file) are compiled by the driver
 * when an engine is created and reproduce the CPU engine's float32 arithmetic operation for operation: masks are
 * bit-identical, maps are bit-identical where the device rounds division correctly (reported in
 * {@link org.relax4j.gpu.OpenClEngine#device()}).
 *
 * <p>Stability: {@link org.relax4j.gpu.OpenClEngine}, {@link org.relax4j.gpu.OpenClEngineProvider} and
 * {@link org.relax4j.gpu.OpenClException} are the public API; so is the seam for other device backends,
 * {@link org.relax4j.gpu.DeviceBackend} (implemented by a backend) and {@link org.relax4j.gpu.PipelinedEngine}
 * (the host pipeline that turns a backend into an engine), though it may still change between 0.x versions.
 * {@link org.relax4j.gpu.DeviceReport} is a command-line tool whose output may change; KernelTimings, the kernel
 * benchmark, lives with the tests (see DEVICE.md). Everything package-private may change in any release.
 *
 * <p>Inside: {@code KernelProgram} (context and build), one typed wrapper per kernel ({@code DrawMasksKernel},
 * {@code BlendKernel}, {@code RenderKernel}, {@code AccumulateKernel}, {@code AccumulateMasksKernel}) whose argument
 * order sits next to the quoted {@code .cl} signature, {@code RunBuffers}, and two strategies as interfaces,
 * {@code HostTransfer} and {@code Accumulation}.
 */
package org.relax4j.gpu;
