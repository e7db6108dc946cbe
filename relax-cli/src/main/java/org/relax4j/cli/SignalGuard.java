package org.relax4j.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.relax4j.CancellationToken;

/**
 * Turns SIGINT / SIGTERM into a clean stop. The JVM runs shutdown hooks on these signals while the main thread
 * keeps running; left alone it would exit under ONNX Runtime's feet (a SIGSEGV inside {@code libonnxruntime.so}
 * now and then) and leave half-written files. This guard's hook instead cancels the run's
 * {@link CancellationToken} and waits (at most {@link #grace}) until the main thread has finished its current
 * batch, closed the encoder and removed its temporary folder, which it says by {@link #close()}. The JVM then
 * exits with 128 + the signal number: 130 for SIGINT, 143 for SIGTERM.
 *
 * <pre>{@code
 * try (SignalGuard guard = SignalGuard.install(Duration.ofMinutes(1))) {
 *     relax.explain(x, encoder, listener, guard.token());   // CancellationException after a signal
 * }
 * }</pre>
 */
final class SignalGuard implements AutoCloseable {
    private final CancellationToken token = new CancellationToken();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Duration grace;
    private final Thread hook;
    private volatile boolean signalled;

    private SignalGuard(Duration grace) {
        this.grace = grace;
        this.hook = new Thread(this::onSignal, "relax-signal-guard");
    }

    /** Installs the hook until {@link #close()}. */
    static SignalGuard install(Duration grace) {
        SignalGuard g = new SignalGuard(grace);
        Runtime.getRuntime().addShutdownHook(g.hook);
        return g;
    }

    /** The token the run watches; cancelled by a signal. */
    CancellationToken token() {
        return token;
    }

    /** Whether the JVM is shutting down because of a signal (or another exit) during the run. */
    boolean signalled() {
        return signalled;
    }

    private void onSignal() {
        signalled = true;
        token.cancel();
        try {
            finished.await(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Says the run has stopped and cleaned up; removes the hook unless the JVM is already shutting down. */
    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running and was waiting for this close(); the JVM exits when it returns
        }
    }
}
