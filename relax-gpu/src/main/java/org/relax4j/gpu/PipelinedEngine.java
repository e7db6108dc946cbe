package org.relax4j.gpu;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.relax4j.gpu.DeviceBackend.DeviceRun;
import org.relax4j.data.InputBatch;
import org.relax4j.data.InputTensor;
import org.relax4j.engine.Engine;
import org.relax4j.engine.EngineChecks;
import org.relax4j.engine.EngineRun;
import org.relax4j.estimate.WeightedWelford;
import org.relax4j.mask.MaskGeometry;
import org.relax4j.mask.MaskSource;
import java.util.Optional;
import org.relax4j.mask.CounterDraws;

/**
 * The host side of a device engine, independent of the device API: validates and sizes runs, keeps two slots
 * (double buffering) so that the device renders batch k+1 while the encoder works on batch k, and hands rendered
 * batches to the encoder as views of host arrays. Everything device-specific goes through a {@link DeviceBackend}.
 *
 * <p>Per batch k the explainer calls {@code masked(k)}, {@code prefetch(k+1)}, the encoder, {@code accumulate(k)}:
 * <ul>
 *   <li>{@code prefetch(k+1)} draws the grids of batch k+1 into the slot the encoder is not reading (on the device
 *       when the mask source offers
 *       {@link MaskSource#counterDraws()}, else drawn here and uploaded), enqueues its rendering and the transfer to the host,
 *       and gives the final copy into the slot's host array to a transfer thread; it returns at once.</li>
 *   <li>{@code accumulate(k)} copies the similarities and enqueues the estimator update; it returns at once.</li>
 *   <li>{@code masked(k+1)} waits for the transfer thread, if it has not finished yet.</li>
 * </ul>
 * The device executes in call order (one in-order queue), so batch k's update uses batch k's grids even after
 * batch k+1's grids were drawn into the other slot.
 *
 * <p>Limits, all checked in {@link #open}: a batch may be larger than the device's largest buffer (it is then
 * split over several buffers and rendered by several launches), but one masked input must fit in one buffer, the
 * batch must fit in one Java array, and two batches (double buffering) must fit in the device's memory.
 */
public final class PipelinedEngine implements Engine {
    private final String name;
    private final DeviceBackend backend;
    private final Set<Run> runs = Collections.newSetFromMap(new IdentityHashMap<>());
    private volatile boolean closed;

    /**
     * @param name the engine's name in configurations
     * @param backend the device code; closed with the engine
     */
    public PipelinedEngine(String name, DeviceBackend backend) {
        this.name = Objects.requireNonNull(name, "name");
        this.backend = Objects.requireNonNull(backend, "backend");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String device() {
        return backend.description();
    }

    @Override
    public EngineRun open(InputTensor input, MaskSource masks, int maxBatch, float initialWeight) {
        if (closed) {
            throw new IllegalStateException(name + " engine is closed");
        }
        MaskGeometry geometry;
        try {
            geometry = EngineChecks.checkOpen(input, masks, maxBatch, initialWeight);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " engine: " + e.getMessage(), e);
        }
        long sampleFloats = (long) input.channels() * input.pixels();
        long sampleBytes = sampleFloats * Float.BYTES;
        long maxAlloc = backend.maxAllocationBytes();
        if (sampleBytes > maxAlloc) {
            throw new IllegalArgumentException("one masked input of " + input + " needs " + sampleBytes + " bytes, more than"
                    + " the largest buffer the device allocates (CL_DEVICE_MAX_MEM_ALLOC_SIZE = " + maxAlloc + " bytes) on "
                    + backend.description() + "; use a smaller input or the cpu engine");
        }
        int samplesPerBuffer = (int) Math.min(maxBatch, maxAlloc / sampleBytes);
        long blendBytes = (long) maxBatch * masks.cells() * input.width() * Float.BYTES;
        if (blendBytes > maxAlloc) {
            throw new IllegalArgumentException("a batch of " + maxBatch + " masks of " + masks.cells() + " cells over width "
                    + input.width() + " needs " + blendBytes + " bytes of blended grid rows in one buffer, more than the"
                    + " largest buffer the device allocates (" + maxAlloc + " bytes); use a smaller batch size");
        }
        DeviceBackend.RunLayout layout = new DeviceBackend.RunLayout(input.unsafeData(), input.channels(), input.height(),
                input.width(), geometry, maxBatch, samplesPerBuffer, initialWeight);
        long deviceBytes = backend.runMemoryBytes(layout);
        if (deviceBytes > backend.globalMemoryBytes()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "a batch of %d inputs of %s needs %.1f MiB of"
                    + " device memory (two batches in flight), more than the %.1f MiB of %s; use a smaller batch size",
                    maxBatch, input, deviceBytes / 1048576.0, backend.globalMemoryBytes() / 1048576.0, backend.description()));
        }
        Run run = new Run(layout, masks, backend.openRun(layout));
        synchronized (runs) {
            runs.add(run);
        }
        return run;
    }

    /** Closes runs still open, then the backend. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        Run[] open;
        synchronized (runs) {
            open = runs.toArray(new Run[0]);
        }
        for (Run r : open) {
            try {
                r.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        try {
            backend.close();
        } catch (RuntimeException e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private final class Run implements EngineRun {
        private final DeviceBackend.RunLayout layout;
        private final MaskSource source;
        /** The source's counter-based draws, which the device draws itself; empty: drawn here and uploaded. */
        private final Optional<CounterDraws> onDevice;
        private final DeviceRun device;
        /** Per slot: which masks its grids on the device are, and which masks its host array holds (or will). */
        private final long[] gridsFirst = {-1, -1};
        private final int[] gridsCount = new int[DeviceRun.SLOTS];
        private final long[] renderedFirst = {-1, -1};
        private final int[] renderedCount = new int[DeviceRun.SLOTS];
        private final float[][] host = new float[DeviceRun.SLOTS][];
        private final Future<?>[] transfer = new Future<?>[DeviceRun.SLOTS];
        /** The slot whose host array the caller is reading (the last {@link #masked}), or -1. */
        private int current = -1;
        private int lastUsed = 1;
        private byte[] hostGrids;
        private int[] hostShifts;
        private ExecutorService transfers;
        private boolean closed;

        Run(DeviceBackend.RunLayout layout, MaskSource source, DeviceRun device) {
            this.layout = layout;
            this.source = source;
            this.onDevice = source.counterDraws();
            this.device = device;
        }

        private void checkOpen() {
            if (closed) {
                throw new IllegalStateException("this run is closed");
            }
        }

        /** The slot for new work: never the one the caller is reading. */
        private int victim() {
            return current >= 0 ? 1 - current : 1 - lastUsed;
        }

        private int slotRendering(long first, int count) {
            for (int s = 0; s < DeviceRun.SLOTS; s++) {
                if (renderedFirst[s] == first && renderedCount[s] == count) {
                    return s;
                }
            }
            return -1;
        }

        /** Puts the grids and shifts of masks [first, first+count) into the slot, unless they are there. */
        private void ensureGrids(int slot, long first, int count) {
            if (gridsFirst[slot] == first && gridsCount[slot] == count) {
                return;
            }
            gridsFirst[slot] = -1;
            if (onDevice.isPresent()) {
                device.drawCounterMasks(slot, onDevice.get(), first, count);
            } else {
                int per = layout.cells() * layout.cells();
                if (hostGrids == null) {
                    hostGrids = new byte[layout.maxBatch() * per];
                    hostShifts = new int[2 * layout.maxBatch()];
                }
                for (int b = 0; b < count; b++) {
                    source.draw(first + b, hostGrids, b * per, hostShifts, 2 * b);
                }
                device.uploadMasks(slot, hostGrids, hostShifts, count);
            }
            gridsFirst[slot] = first;
            gridsCount[slot] = count;
        }

        /** Waits for the slot's transfer thread task; on failure the slot holds nothing. */
        private void awaitTransfer(int slot) {
            Future<?> f = transfer[slot];
            if (f == null) {
                return;
            }
            transfer[slot] = null;
            long first = renderedFirst[slot];
            try {
                f.get();
            } catch (ExecutionException e) {
                renderedFirst[slot] = -1;
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new OpenClException("transfer of the masked batch from mask " + first + " failed", cause);
            } catch (InterruptedException e) {
                renderedFirst[slot] = -1;
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted while waiting for the device");
            }
        }

        private float[] hostArray(int slot) {
            if (host[slot] == null) {
                host[slot] = new float[layout.maxBatch() * layout.sampleFloats()];
            }
            return host[slot];
        }

        private void render(int slot, long first, int count) {
            awaitTransfer(slot);
            renderedFirst[slot] = -1;
            ensureGrids(slot, first, count);
            device.render(slot, count);
            renderedFirst[slot] = first;
            renderedCount[slot] = count;
            lastUsed = slot;
        }

        @Override
        public void prefetch(long firstMask, int count) {
            checkOpen();
            EngineChecks.checkBatch(firstMask, count, layout.maxBatch(), source);
            if (slotRendering(firstMask, count) >= 0) {
                return;
            }
            int slot = victim();
            render(slot, firstMask, count);
            float[] destination = hostArray(slot);
            if (transfers == null) {
                transfers = Executors.newSingleThreadExecutor(task -> {
                    Thread t = new Thread(task, "relax4j-" + name + "-transfer");
                    t.setDaemon(true);
                    return t;
                });
            }
            transfer[slot] = transfers.submit(() -> device.copyRendered(slot, count, destination));
        }

        @Override
        public InputBatch masked(long firstMask, int count) {
            checkOpen();
            EngineChecks.checkBatch(firstMask, count, layout.maxBatch(), source);
            int slot = slotRendering(firstMask, count);
            if (slot >= 0) {
                awaitTransfer(slot);
            }
            if (slot < 0 || renderedFirst[slot] != firstMask) {
                slot = victim();
                render(slot, firstMask, count);
                try {
                    device.copyRendered(slot, count, hostArray(slot));
                } catch (RuntimeException e) {
                    renderedFirst[slot] = -1;
                    throw e;
                }
            }
            current = slot;
            lastUsed = slot;
            return new InputBatch(host[slot], 0, count, layout.channels(), layout.height(), layout.width());
        }

        @Override
        public void accumulate(long firstMask, int count, float[] similarities) {
            checkOpen();
            EngineChecks.checkBatch(firstMask, count, layout.maxBatch(), source);
            EngineChecks.checkSimilarities(similarities, count);
            int slot = -1;
            for (int s = 0; s < DeviceRun.SLOTS; s++) {
                if (gridsFirst[s] == firstMask && gridsCount[s] == count) {
                    slot = s;
                }
            }
            if (slot < 0) {
                slot = victim();
                ensureGrids(slot, firstMask, count);
            }
            device.accumulate(slot, count, similarities);
        }

        @Override
        public WeightedWelford state() {
            checkOpen();
            int pixels = layout.pixels();
            float[] w = new float[pixels];
            float[] r = new float[pixels];
            float[] u = new float[pixels];
            device.readState(w, r, u);
            return WeightedWelford.of(w, r, u);
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            RuntimeException failure = null;
            for (int s = 0; s < DeviceRun.SLOTS; s++) {
                try {
                    awaitTransfer(s);
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
            if (transfers != null) {
                transfers.shutdown();
            }
            // Drop the host buffers now: a caller that still holds this run must not keep 2 batches alive.
            for (int s = 0; s < DeviceRun.SLOTS; s++) {
                host[s] = null;
            }
            hostGrids = null;
            hostShifts = null;
            try {
                device.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            } finally {
                synchronized (runs) {
                    runs.remove(this);
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }
}
