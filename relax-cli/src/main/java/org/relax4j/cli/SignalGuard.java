package org.relax4j.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import org.relax4j.CancellationToken;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns SIGINT / SIGTERM into a clean stop of the run.
 *
 * <p>Left to the JVM, these signals start the shutdown at once, and its shutdown hooks run while the main thread
 * is still inside ONNX Runtime, among them ONNX Runtime's own hook, which releases the native environment
 * under the running session: now and then a SIGSEGV inside {@code libonnxruntime.so}, a crash banner and an
 * {@code hs_err_pid*.log}. This guard handles the two signals itself instead (through {@code sun.misc.Signal},
 * in the {@code jdk.unsupported} module): the first cancels the run's {@link CancellationToken}, so the run
 * stops after its current batch, closes the encoder and removes its staging folder, and the command then exits
 * with {@link #exitCode()}, 128 + the signal's number (130 for SIGINT, 143 for SIGTERM), shutting ONNX Runtime
 * down only after the session is closed. A second signal stops at once ({@link Runtime#halt}), for a user who
 * will not wait for the batch; the staging folder it leaves is removed by the next run into the same folder.
 *
 * <p>Where the signals cannot be handled (they are ignored, or the platform lacks them) the guard does nothing
 * for them. Other ways the JVM may exit (SIGHUP, {@code System.exit} elsewhere) are not intercepted.
 *
 * <pre>{@code
 * try (SignalGuard guard = SignalGuard.install(err)) {
 *     relax.explain(x, encoder, listener, guard.token());   // CancellationException after a signal
 * }
 * }</pre>
 */
final class SignalGuard implements AutoCloseable {
    private static final String[] SIGNALS = {"INT", "TERM"};

    private final CancellationToken token = new CancellationToken();
    private final PrintWriter err;
    private final Runnable onStop;
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();
    private volatile int signalNumber;

    private SignalGuard(PrintWriter err, Runnable onStop) {
        this.err = err;
        this.onStop = onStop;
    }

    /** Handles SIGINT and SIGTERM until {@link #close()}, which restores the previous handlers. */
    static SignalGuard install(PrintWriter err) {
        return install(err, () -> { });
    }

    /**
     * As {@link #install(PrintWriter)}, also running {@code onStop} at the first signal, on the signal's thread: for
     * work the token cannot reach, such as a Spark job to cancel.
     */
    static SignalGuard install(PrintWriter err, Runnable onStop) {
        SignalGuard g = new SignalGuard(err, onStop);
        for (String name : SIGNALS) {
            try {
                Signal s = new Signal(name);
                SignalHandler old = Signal.handle(s, g::onSignal);
                g.signals.add(s);
                g.previous.add(old != null ? old : jvmDefault());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // ignored by the parent (e.g. SIGINT of a background job), or unknown here: nothing to guard
            }
        }
        return g;
    }

    /** The token the run watches; cancelled by a signal. */
    CancellationToken token() {
        return token;
    }

    /** Whether a signal arrived during the run. */
    boolean signalled() {
        return signalNumber != 0;
    }

    /** 128 + the number of the signal that stopped the run (130 for SIGINT, 143 for SIGTERM). */
    int exitCode() {
        return 128 + (signalNumber != 0 ? signalNumber : 2);
    }

    private void onSignal(Signal s) {
        if (signalNumber != 0) {
            err.println();
            err.println("relax: SIG" + s.getName() + " again: stopping at once");
            err.flush();
            Runtime.getRuntime().halt(128 + s.getNumber());
        }
        signalNumber = s.getNumber();
        if (System.console() != null) {
            err.println(); // end the progress line
        }
        // Said before the run is cancelled: once cancelled, the run may end and the JVM exit before this thread
        // prints anything.
        err.println("relax: SIG" + s.getName() + ": stopping after the current batch (send it again to stop at once)");
        err.flush();
        token.cancel();
        onStop.run();
    }

    /**
     * Restores the handlers that were there before. Never fails: closing runs after the work is done, and a handler
     * that cannot be restored must not turn a finished run into a failed one.
     */
    @Override
    public void close() {
        for (int k = 0; k < signals.size(); k++) {
            try {
                Signal.handle(signals.get(k), previous.get(k));
            } catch (IllegalArgumentException e) {
                // cannot happen for a signal handled a moment ago; nothing to restore otherwise
            } catch (NullPointerException e) {
                // The JDK can hand back a wrapper around no handler at all (its table lost the entry its native
                // side still points to; seen in a test JVM after other libraries' handlers came and went, in CI
                // only): restoring it fails with NullPointerException("handler"). Restore the JVM's own behaviour.
                Signal.handle(signals.get(k), jvmDefault());
            }
        }
    }

    /**
     * What the JVM itself does on SIGINT and SIGTERM: run the shutdown hooks and exit with 128 + the number. Not
     * {@code SIG_DFL}, which would end the process without them.
     */
    private static SignalHandler jvmDefault() {
        return sig -> System.exit(128 + sig.getNumber());
    }
}
