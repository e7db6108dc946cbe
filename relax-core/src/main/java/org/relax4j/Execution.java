package org.relax4j;

import java.util.Objects;
import org.relax4j.data.InvalidSettingException;
import org.relax4j.engine.Engines;

/**
 * How an explanation runs: the engine, its device, the host threads and the masks per encoder call. None of these
 * decides the maps (every engine gives the CPU engine's maps within the engine contract's tolerance, and the same
 * maps on every thread count and batch size); what is computed is {@link Settings}. Immutable; checked on
 * construction, naming the setting.
 *
 * @param engine engine name: {@code cpu}, or another engine on the class path (checked when it is created)
 * @param device engine-specific device choice, or null for the engine's default
 * @param threads host threads, at least 1
 * @param batchSize masks per encoder call, at least 1
 */
public record Execution(String engine, String device, int threads, int batchSize) {
    /** Reference default: masks per encoder call. */
    public static final int DEFAULT_BATCH_SIZE = 100;

    /** Checks every value (see the components). */
    public Execution {
        engine = checkEngine(engine);
        checkThreads(threads);
        checkBatchSize(batchSize);
    }

    /** {@return the defaults: the cpu engine on every available processor, batches of 100} */
    public static Execution defaults() {
        return new Execution(Engines.CPU, null, Runtime.getRuntime().availableProcessors(), DEFAULT_BATCH_SIZE);
    }

    static String checkEngine(String engine) {
        Objects.requireNonNull(engine, "engine");
        if (engine.isBlank()) {
            throw new InvalidSettingException("engine", "must not be blank");
        }
        return engine.trim();
    }

    static void checkThreads(int threads) {
        if (threads < 1) {
            throw new InvalidSettingException("threads", "must be at least 1, got " + threads);
        }
    }

    static void checkBatchSize(int batchSize) {
        if (batchSize < 1) {
            throw new InvalidSettingException("batchSize", "must be at least 1, got " + batchSize);
        }
    }
}
