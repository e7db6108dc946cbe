package org.relax4j.tornado;

import org.relax4j.engine.Engine;
import org.relax4j.engine.EngineProvider;

/** Registers the {@code tornado} engine with {@link org.relax4j.engine.Engines} through {@link java.util.ServiceLoader}. */
public final class TornadoEngineProvider implements EngineProvider {

    @Override
    public String name() {
        return TornadoEngine.NAME;
    }

    /**
     * @param threads unused: the device does the work
     * @param device "B:D" or part of a device's description, or null (see {@link TornadoEngine})
     */
    @Override
    public Engine create(int threads, String device) {
        return new TornadoEngine(device);
    }
}
