package org.relax4j.examples;

import org.relax4j.Encoder;
import org.relax4j.Explanation;
import org.relax4j.data.InputTensor;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;

/**
 * Example 7: masks rendered and maps accumulated on an OpenCL device (relax-gpu on the class path). The maps
 * equal the CPU engine's (see the README's "Exactness"); only the time changes.
 */
public final class GpuEngine {
    private GpuEngine() {
    }

    /**
     * Explains {@code x} on the OpenCL engine.
     *
     * @param x the input
     * @param encoder the encoder
     * @return the explanation
     */
    public static Explanation run(InputTensor x, Encoder encoder) {
        // snippet:start gpu
        RelaxConfig config = RelaxConfig.builder()
                .engine("opencl")               // relax-gpu, found through the ServiceLoader
                .device("0")                    // an index or a name part; default: a GPU if there is one
                .masks(3000)
                .build();
        try (Relax relax = new Relax(config)) {
            System.out.println("engine: " + relax.engineDescription());
            return relax.explain(x, encoder);
        }
        // snippet:end
    }
}
