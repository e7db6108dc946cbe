/**
 * RELAX on TornadoVM: the {@code tornado} engine ({@link org.relax4j.tornado.TornadoEngine}), whose kernels are
 * Java methods ({@code RelaxKernels}) that TornadoVM compiles for an OpenCL or PTX device at run time. Registered
 * through {@link java.util.ServiceLoader}, so {@code RelaxConfig.builder().engine("tornado")} works when this module
 * is on the class path of a JVM started with TornadoVM's options (JDK 25, {@code @tornado-argfile}).
 *
 * <p>Inside: {@code TornadoDeviceBackend} (device choice, memory sizes) and {@code TornadoRun} (one task graph per
 * explanation) implement relax-gpu's {@link org.relax4j.gpu.DeviceBackend}; the host pipeline is relax-gpu's
 * {@link org.relax4j.gpu.PipelinedEngine}, shared with the OpenCL engine.
 */
package org.relax4j.tornado;
