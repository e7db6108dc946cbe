package org.relax4j.gpu;

/** Which {@link HostTransfer} a run uses. */
enum TransferMode {
    /**
     * {@link #ARRAY_READ} on devices that share the host's memory (CL_DEVICE_HOST_UNIFIED_MEMORY, e.g. PoCL, where
     * KernelTimings measured it about 8% faster than MAPPED), {@link #MAPPED} on discrete GPUs, where mapping a
     * CL_MEM_ALLOC_HOST_PTR buffer is the driver's pinned-memory DMA path.
     */
    AUTO,
    /** {@link MappedTransfer}. */
    MAPPED,
    /** {@link ArrayReadTransfer}. */
    ARRAY_READ;

    /** This mode with {@link #AUTO} resolved for {@code device}. */
    TransferMode resolve(OpenClDevices.Device device) {
        if (this != AUTO) {
            return this;
        }
        return device.unifiedMemory() ? ARRAY_READ : MAPPED;
    }
}
