package org.relax4j.gpu;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Native handles in creation order, released in reverse order. Every release is attempted even if an earlier one
 * fails; the first failure is thrown afterwards with the others suppressed. Releasing twice does nothing. Not
 * thread safe.
 */
final class Releaser {
    private record Entry(String what, Runnable release) {
    }

    private final Deque<Entry> stack = new ArrayDeque<>();

    /** Registers a handle just created; {@code what} names the release call for error messages. */
    void add(String what, Runnable release) {
        stack.push(new Entry(what, release));
    }

    /** Releases everything registered so far, newest first. */
    void releaseAll() {
        RuntimeException first = null;
        while (!stack.isEmpty()) {
            Entry e = stack.pop();
            try {
                e.release().run();
            } catch (RuntimeException ex) {
                RuntimeException wrapped = new OpenClException(e.what() + " failed: " + ex.getMessage(), ex);
                if (first == null) {
                    first = wrapped;
                } else {
                    first.addSuppressed(wrapped);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Releases everything, adding any failure to {@code primary} instead of throwing; for error paths. */
    void releaseAllAfter(Throwable primary) {
        try {
            releaseAll();
        } catch (RuntimeException e) {
            primary.addSuppressed(e);
        }
    }
}
