package org.relax4j.text;

/** One MiniLM for all tests of a JVM (loading takes about a second); closed at exit. */
final class TextModels {
    private static MiniLm shared;

    private TextModels() {
    }

    static synchronized MiniLm shared() {
        if (shared == null) {
            shared = MiniLm.load(2);
            MiniLm m = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(m::close));
        }
        return shared;
    }
}
