package org.relax4j;

import java.util.function.BooleanSupplier;

/**
 * Lets another thread stop a running explanation: after {@link #cancel()}, the explanation stops before its next
 * batch and throws {@link java.util.concurrent.CancellationException}. Thread safe; one token may serve many runs.
 */
public final class CancellationToken {
    private volatile boolean cancelled;
    private final BooleanSupplier condition;

    /** A token cancelled by {@link #cancel()}. */
    public CancellationToken() {
        this(null);
    }

    private CancellationToken(BooleanSupplier condition) {
        this.condition = condition;
    }

    /**
     * {@return a token that is also cancelled whenever {@code condition} holds, asked on the thread that runs the
     * explanation (e.g. "this thread's Spark task was killed")}
     *
     * @param condition checked before every batch; must be cheap
     */
    public static CancellationToken when(BooleanSupplier condition) {
        return new CancellationToken(java.util.Objects.requireNonNull(condition, "condition"));
    }

    /** Asks every explanation watching this token to stop. */
    public void cancel() {
        cancelled = true;
    }

    /** {@return whether {@link #cancel()} has been called, or the condition of {@link #when} holds} */
    public boolean isCancelled() {
        return cancelled || (condition != null && condition.getAsBoolean());
    }
}
