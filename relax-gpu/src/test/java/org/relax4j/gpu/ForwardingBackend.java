package org.relax4j.gpu;

import org.relax4j.mask.CounterDraws;

/**
 * A {@link DeviceBackend} that forwards everything to another: tests override what the pipeline should see (a
 * smaller largest buffer, observed transfers) without hooks in the production classes.
 */
class ForwardingBackend implements DeviceBackend {
    final DeviceBackend inner;

    ForwardingBackend(DeviceBackend inner) {
        this.inner = inner;
    }

    /** A backend that reports {@code maxAllocation} as the device's largest buffer, so that batches are split. */
    static ForwardingBackend withMaxAllocation(DeviceBackend inner, long maxAllocation) {
        return new ForwardingBackend(inner) {
            @Override
            public long maxAllocationBytes() {
                return maxAllocation;
            }
        };
    }

    @Override
    public String description() {
        return inner.description();
    }

    @Override
    public long maxAllocationBytes() {
        return inner.maxAllocationBytes();
    }

    @Override
    public long globalMemoryBytes() {
        return inner.globalMemoryBytes();
    }

    @Override
    public long runMemoryBytes(RunLayout layout) {
        return inner.runMemoryBytes(layout);
    }

    @Override
    public DeviceRun openRun(RunLayout layout) {
        return inner.openRun(layout);
    }

    @Override
    public void close() {
        inner.close();
    }

    /** A run that forwards everything to another. */
    static class ForwardingRun implements DeviceRun {
        final DeviceRun inner;

        ForwardingRun(DeviceRun inner) {
            this.inner = inner;
        }

        @Override
        public void drawCounterMasks(int slot, CounterDraws draws, long firstMask, int count) {
            inner.drawCounterMasks(slot, draws, firstMask, count);
        }

        @Override
        public void uploadMasks(int slot, byte[] grids, int[] shifts, int count) {
            inner.uploadMasks(slot, grids, shifts, count);
        }

        @Override
        public void render(int slot, int count) {
            inner.render(slot, count);
        }

        @Override
        public void copyRendered(int slot, int count, float[] destination) {
            inner.copyRendered(slot, count, destination);
        }

        @Override
        public void accumulate(int slot, int count, float[] similarities) {
            inner.accumulate(slot, count, similarities);
        }

        @Override
        public void readState(float[] weights, float[] importance, float[] uncertainty) {
            inner.readState(weights, importance, uncertainty);
        }

        @Override
        public void readMasks(int slot, int count, byte[] grids, int[] shifts) {
            inner.readMasks(slot, count, grids, shifts);
        }

        @Override
        public void finish() {
            inner.finish();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
