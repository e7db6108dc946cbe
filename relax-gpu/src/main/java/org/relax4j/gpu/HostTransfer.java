package org.relax4j.gpu;

import org.jocl.cl_mem;

/**
 * How a rendered buffer reaches the host's {@code float[]} (which {@link org.relax4j.data.InputBatch} needs). The run
 * calls, per slot and rendered buffer {@code c}: {@link #beforeRender} before enqueueing a render into it,
 * {@link #start} right after (on the enqueueing thread), and {@link #copy} on the run's transfer thread. One
 * implementation per strategy: {@link MappedTransfer}, {@link ArrayReadTransfer}.
 */
interface HostTransfer {

    /** Extra {@code cl_mem} flags the rendered-batch buffers need. */
    long bufferFlags();

    /** Called before a render writes into {@code buffer}: release any host view of it. */
    void beforeRender(int slot, int c, cl_mem buffer);

    /** Called after a render into {@code buffer} is enqueued: start moving {@code bytes} towards the host. */
    void start(int slot, int c, cl_mem buffer, long bytes);

    /**
     * Waits for {@code buffer}'s rendering and copies {@code length} floats of it into
     * {@code destination[offset ..]}.
     *
     * @param destination modified
     */
    void copy(int slot, int c, cl_mem buffer, float[] destination, int offset, int length);

    /** Waits for and releases whatever is pending for {@code buffer} (on close). */
    void finish(int slot, int c, cl_mem buffer);

    /** Releases pending events without waiting, adding failures to {@code primary}; for error paths. */
    void releaseAfter(Throwable primary);
}
