package org.relax4j.gpu;

import org.relax4j.engine.Engine;
import org.relax4j.engine.EngineProvider;

/** Registers the {@code opencl} engine with {@link org.relax4j.engine.Engines} through {@link java.util.ServiceLoader}. */
public final class OpenClEngineProvider implements EngineProvider {

    @Override
    public String name() {
        return OpenClEngine.NAME;
    }

    /**
     * @param threads unused beyond validation by the caller: the device does the work, and each run uses one
     *        transfer thread of its own
     * @param device a device index or part of a platform/device name, or null (see {@link OpenClEngine})
     */
    @Override
    public Engine create(int threads, String device) {
        return new OpenClEngine(device);
    }
}
