package org.relax4j.gpu;

import org.jocl.cl_mem;

/**
 * How a run adds a batch to the estimator state on the device, given the slot's grids, blends and similarities.
 * One implementation per strategy: {@link RecomputeMasks} (the engine's) and {@link ReadBackMasks} (kept so that
 * KernelTimings can compare the two; see DEVICE.md). Chosen once per backend by {@link Mode}.
 */
interface Accumulation {

    /** The strategies. */
    enum Mode {
        /** {@link RecomputeMasks}: no mask buffers, masks recomputed from the blended grid rows. */
        RECOMPUTE,
        /** {@link ReadBackMasks}: rendering also writes the masks, accumulation reads them. */
        READ_BACK;

        /** Whether runs need the per-slot mask buffers. */
        boolean needsMaskBuffers() {
            return this == READ_BACK;
        }
    }

    /** Where a render of the slot should also write the masks, or null (not at all). */
    cl_mem masksOut(int slot);

    /** The slot's grids (and blends) were replaced, or a render wrote {@link #masksOut} ({@code rendered}). */
    void gridsChanged(int slot, boolean rendered);

    /** Enqueues the update of the state with the slot's first {@code count} masks and similarities. */
    void enqueue(int slot, int count);
}
