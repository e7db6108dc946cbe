package org.relax4j.bench;

import org.relax4j.engine.Engine;
import org.relax4j.engine.EngineProvider;

/** Makes {@link Nd4jEngine}s for {@code Engines.create("nd4j", threads, device)}; found through the ServiceLoader. */
public final class Nd4jEngineProvider implements EngineProvider {

    @Override
    public String name() {
        return Nd4jEngine.NAME;
    }

    /**
     * @param device null or {@code cpu}: nd4j-native runs on the host only
     * @throws IllegalArgumentException for any other device
     */
    @Override
    public Engine create(int threads, String device) {
        if (device != null && !device.equalsIgnoreCase("cpu")) {
            throw new IllegalArgumentException("the nd4j engine (nd4j-native) runs on the cpu only; device '" + device
                    + "' is not available");
        }
        return new Nd4jEngine(threads);
    }
}
