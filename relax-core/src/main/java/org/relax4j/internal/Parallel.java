package org.relax4j.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed pool of worker threads that splits a range [0, n) into one contiguous slice per worker. Slices are a
 * pure function of (n, threads), and the loops run by the engines give every element the same arithmetic
 * whatever slice it lands in, so results never depend on the thread count.
 *
 * <p>Public for engine implementations and for the explainer's own host work (the error estimate); not a
 * general-purpose executor: one loop at a time, from one thread.
 */
public final class Parallel implements AutoCloseable {

    /** The body of a parallel loop: handles [from, to) as worker {@code slot} (0 ≤ slot &lt; threads). */
    @FunctionalInterface
    public interface Slice {
        /**
         * @param slot the worker, in [0, threads)
         * @param from the slice's first index
         * @param to the slice's end (exclusive)
         */
        void run(int slot, int from, int to);
    }

    private final int threads;
    private final ExecutorService pool;

    /**
     * Starts {@code threads - 1} daemon worker threads (the calling thread is the first worker).
     *
     * @param threads workers, at least 1
     */
    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        if (threads == 1) {
            pool = null;
        } else {
            AtomicInteger id = new AtomicInteger();
            pool = Executors.newFixedThreadPool(threads - 1, r -> {
                Thread t = new Thread(r, "relax-cpu-" + id.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
    }

    /** {@return the number of workers, the calling thread included} */
    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over [0, n); the calling thread takes slice 0. Rethrows the first failure.
     *
     * @param n the range's length
     * @param body the loop body, called once per slice
     */
    public void forRange(int n, Slice body) {
        int slices = Math.min(threads, n);
        if (slices <= 1) {
            if (n > 0) {
                body.run(0, 0, n);
            }
            return;
        }
        List<Future<?>> futures = new ArrayList<>(slices - 1);
        for (int t = 1; t < slices; t++) {
            int slot = t;
            int from = (int) ((long) n * t / slices);
            int to = (int) ((long) n * (t + 1) / slices);
            futures.add(pool.submit(() -> body.run(slot, from, to)));
        }
        RuntimeException failure = null;
        try {
            body.run(0, 0, (int) ((long) n / slices));
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) {
                    failure = new IllegalStateException("interrupted", e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Runs parts [0, n), each as its own task when n ≤ threads (part 0 on the calling thread). Rethrows the first
     * failure.
     *
     * @param n the number of parts
     * @param part called once per part index
     */
    public void forParts(int n, java.util.function.IntConsumer part) {
        forRange(n, (slot, from, to) -> {
            for (int k = from; k < to; k++) {
                part.accept(k);
            }
        });
    }

    /** Stops the worker threads. */
    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
