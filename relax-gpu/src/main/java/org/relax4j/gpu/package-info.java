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
 * {@link org.relax4j.gpu.OpenClException} are the public API. {@link org.relax4j.gpu.DeviceReport} and
 * {@link org.relax4j.gpu.KernelTimings} are command-line tools whose output may change. Everything
 * package-private (the {@code DeviceBackend} seam between the host pipeline and the device code included) may
 * change in any release.
 */
package org.relax4j.gpu;
