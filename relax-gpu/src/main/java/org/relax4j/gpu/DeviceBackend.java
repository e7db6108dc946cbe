package org.relax4j.gpu;

import org.relax4j.mask.CounterDraws;
import org.relax4j.mask.MaskGeometry;

/**
 * The seam between the host pipeline ({@link PipelinedEngine}: batching, double buffering, the hand-over to the
 * encoder, the size checks) and the code that runs on a device. {@link OpenClBackend} implements it with OpenCL
 * kernels; a CUDA or TornadoVM backend implements the same handful of operations and gets an
 * {@link org.relax4j.engine.Engine} from {@code new PipelinedEngine(name, backend)}.
 *
 * <p>A backend owns the device-wide resources (context, compiled program); each explanation gets a
 * {@link DeviceRun} with its own buffers. The backend states its limits and how much memory a run needs; the
 * pipeline decides whether a run fits. Masks whose source offers {@link org.relax4j.mask.MaskSource#counterDraws()}
 * are drawn on the device ({@link DeviceRun#drawCounterMasks}); any other source is drawn on the host and uploaded
 * ({@link DeviceRun#uploadMasks}). Backends are not thread safe except where a method says so.
 */
public interface DeviceBackend extends AutoCloseable {

    /**
     * {@return which device this is, for people: platform, device name, version and anything that affects
     * results}
     */
    String description();

    /** {@return the largest single buffer the device allocates, in bytes (OpenCL: CL_DEVICE_MAX_MEM_ALLOC_SIZE)} */
    long maxAllocationBytes();

    /** {@return the device's memory, in bytes (OpenCL: CL_DEVICE_GLOBAL_MEM_SIZE)} */
    long globalMemoryBytes();

    /**
     * {@return the device memory, in bytes, that {@link #openRun} allocates for {@code layout}: every buffer, both
     * slots}
     *
     * @param layout the run's layout
     */
    long runMemoryBytes(RunLayout layout);

    /**
     * Allocates one explanation's device buffers, uploads the input, the mask tables and the initial state.
     *
     * @param layout the run's layout, validated by the pipeline
     * @return the run; the caller closes it
     * @throws OpenClException (or the backend's equivalent) if the device refuses
     */
    DeviceRun openRun(RunLayout layout);

    /** Releases the backend's resources. Idempotent. */
    @Override
    void close();

    /**
     * What one run holds, decided and validated by the pipeline.
     *
     * @param input the input (C, H, W), row-major. Not modified; not kept after {@link #openRun} returns.
     * @param geometry the mask tables for (cells, H, W): the one source of truth for the mask formula
     * @param maxBatch the largest batch of masks
     * @param samplesPerBuffer how many masked inputs one device buffer holds (less than maxBatch when a batch
     *        is larger than the device's largest buffer; the batch is then rendered by several launches)
     * @param initialWeight the estimator's starting sum of weights
     */
    record RunLayout(float[] input, int channels, int height, int width, MaskGeometry geometry, int maxBatch,
                     int samplesPerBuffer, float initialWeight) {
        /** {@return cells per grid side} */
        public int cells() {
            return geometry.cells();
        }

        /** {@return H · W, the pixels of one input} */
        public int pixels() {
            return height * width;
        }

        /** {@return C · H · W, the floats of one masked input} */
        public int sampleFloats() {
            return channels * height * width;
        }
    }

    /**
     * One explanation's device state: two slots (0 and 1), each with a batch's grids and shifts, its rendered
     * masked inputs and its similarities, and one estimator state (W, R, U) shared by all batches. All
     * {@code enqueue}-style methods return before the device is done; operations run on the device in the order
     * they were called.
     */
    interface DeviceRun extends AutoCloseable {

        /** Number of slots. */
        int SLOTS = 2;

        /**
         * Draws masks [firstMask, firstMask + count) of the counter-based generator into the slot, on the device.
         *
         * @param slot the slot, 0 or 1
         * @param draws the generator's parameters
         * @param firstMask the first mask
         * @param count the number of masks
         */
        void drawCounterMasks(int slot, CounterDraws draws, long firstMask, int count);

        /**
         * Uploads grids and shifts drawn on the host into the slot.
         *
         * @param slot the slot, 0 or 1
         * @param count the number of masks
         * @param grids count·cells² values of 0/1. Not modified, not kept.
         * @param shifts 2·count values [dx, dy]. Not modified, not kept.
         */
        void uploadMasks(int slot, byte[] grids, int[] shifts, int count);

        /**
         * Renders the slot's masks times the input, and starts bringing the result to the host.
         *
         * @param slot the slot, 0 or 1
         * @param count the number of masks
         */
        void render(int slot, int count);

        /**
         * Waits until the slot's rendered batch is on the host and copies it into {@code destination}
         * (count·C·H·W floats from index 0). Safe to call from another thread than the one enqueueing work for
         * the other slot; the caller must not call {@link #render} for this slot until it returns.
         *
         * @param slot the slot, 0 or 1
         * @param count the number of masks
         * @param destination modified
         */
        void copyRendered(int slot, int count, float[] destination);

        /**
         * Adds the slot's masks, in order, with these similarities to the estimator.
         *
         * @param slot the slot, 0 or 1
         * @param count the number of masks
         * @param similarities at least count values. Not modified; copied before the method returns.
         */
        void accumulate(int slot, int count, float[] similarities);

        /**
         * Waits for all work and reads the estimator's state into the three arrays (H·W each).
         *
         * @param weights receives the sums of weights W. Modified.
         * @param importance receives the importance R. Modified.
         * @param uncertainty receives the uncertainty U. Modified.
         */
        void readState(float[] weights, float[] importance, float[] uncertainty);

        /**
         * Waits for all work and reads the slot's grids and shifts back (for tests and diagnostics).
         *
         * @param slot the slot, 0 or 1
         * @param count the number of masks
         * @param grids receives count·cells² values. Modified.
         * @param shifts receives 2·count values [dx, dy]. Modified.
         */
        void readMasks(int slot, int count, byte[] grids, int[] shifts);

        /** Waits for all work to finish. */
        void finish();

        /** Releases the run's buffers (waiting for pending work first). Idempotent. */
        @Override
        void close();
    }
}
