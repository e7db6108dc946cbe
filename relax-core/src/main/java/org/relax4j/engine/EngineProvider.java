package org.relax4j.engine;

/**
 * Makes engines of one kind; found through {@link java.util.ServiceLoader}, so that adding a module (such as
 * relax-gpu) to the class path adds its engine without the core depending on it.
 */
public interface EngineProvider {

    /** {@return the name the configuration uses to ask for this engine, e.g. {@code opencl}} */
    String name();

    /**
     * @return a new engine; the caller closes it
     * @param threads host threads the engine may use, at least 1
     * @param device an engine-specific device choice, or null for the engine's default
     * @throws RuntimeException naming the cause when the engine cannot run here (e.g. no OpenCL device)
     */
    Engine create(int threads, String device);
}
