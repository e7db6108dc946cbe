package org.relax4j.gpu;

import static org.jocl.CL.clReleaseEvent;
import static org.jocl.CL.clWaitForEvents;

import java.util.function.Supplier;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.cl_event;

/**
 * JOCL calls with their failures named: every call runs with {@link CL#setExceptionsEnabled exceptions enabled}
 * (see {@link OpenClDevices}), and a {@link CLException} becomes an {@link OpenClException} whose message names the
 * call and the status.
 */
final class ClCalls {
    private ClCalls() {
    }

    /** Runs {@code op}, naming it {@code what} if it fails. */
    static <T> T call(String what, Supplier<T> op) {
        try {
            return op.get();
        } catch (CLException e) {
            throw fail(what, e);
        }
    }

    /** Runs {@code op}, naming it {@code what} if it fails. */
    static void run(String what, Runnable op) {
        try {
            op.run();
        } catch (CLException e) {
            throw fail(what, e);
        }
    }

    static OpenClException fail(String what, CLException e) {
        return new OpenClException(what + " failed: " + CL.stringFor_errorCode(e.getStatus()), e);
    }

    /** Waits for {@code events[i]} if set, releases it and clears the entry (also when the wait fails). */
    static void awaitAndRelease(cl_event[] events, int i) {
        cl_event e = events[i];
        if (e != null) {
            events[i] = null;
            try {
                run("clWaitForEvents", () -> clWaitForEvents(1, new cl_event[] {e}));
            } finally {
                run("clReleaseEvent", () -> clReleaseEvent(e));
            }
        }
    }

    /** Releases {@code events[i]} if set, without waiting, adding a failure to {@code primary}; for error paths. */
    static void releaseAfter(cl_event[] events, int i, Throwable primary) {
        if (events[i] != null) {
            try {
                clReleaseEvent(events[i]);
            } catch (CLException e) {
                primary.addSuppressed(e);
            }
            events[i] = null;
        }
    }

    /** {@code n} rounded up to a multiple of {@code multiple}. */
    static long roundUp(long n, long multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }
}
