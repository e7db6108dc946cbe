package org.relax4j;

/**
 * Lets another thread stop a running explanation: after {@link #cancel()}, the explanation stops before its next
 * batch and throws {@link java.util.concurrent.CancellationException}. Thread safe; one token may serve many runs.
 */
public final class CancellationToken {
    private volatile boolean cancelled;

    /** Asks every explanation watching this token to stop. */
    public void cancel() {
        cancelled = true;
    }

    /** {@return whether {@link #cancel()} has been called} */
    public boolean isCancelled() {
        return cancelled;
    }
}
