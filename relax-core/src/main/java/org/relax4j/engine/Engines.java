package org.relax4j.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Creates engines by name: {@code cpu} is built in; others come from {@link EngineProvider}s on the class path. */
public final class Engines {
    /** The built-in engine's name. */
    public static final String CPU = "cpu";
    /** What the tornado engine needs when it is not on the class path. */
    public static final String TORNADO_HINT = "the tornado engine needs relax-tornado and TornadoVM: set TORNADOVM_HOME "
            + "and run through ./relax, or see the README's Backends section";

    private Engines() {
    }

    /**
     * @return a new engine; the caller closes it
     * @param name {@code cpu}, or the name of an engine provided by a module on the class path ({@code opencl}
     *        comes with relax-gpu)
     * @param threads host threads, at least 1
     * @param device engine-specific device choice, or null
     * @throws IllegalArgumentException if no engine has that name, listing those that exist
     */
    public static Engine create(String name, int threads, String device) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        if (CPU.equals(name)) {
            return new CpuEngine(threads);
        }
        List<String> known = new ArrayList<>(List.of(CPU));
        for (EngineProvider p : ServiceLoader.load(EngineProvider.class)) {
            if (p.name().equals(name)) {
                return p.create(threads, device);
            }
            known.add(p.name());
        }
        throw new IllegalArgumentException("no engine named '" + name + "'; available: " + known
                + (name != null && name.equals("opencl") ? " (the opencl engine needs relax-gpu on the class path)" : "")
                + (name != null && name.equals("tornado") ? " (" + TORNADO_HINT + ")" : ""));
    }

    /** {@return the names of every engine that {@link #create} can make here} */
    public static List<String> available() {
        List<String> known = new ArrayList<>(List.of(CPU));
        for (EngineProvider p : ServiceLoader.load(EngineProvider.class)) {
            known.add(p.name());
        }
        return known;
    }
}
