package org.relax4j.cli;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Estimates, before any expensive work, the memory one explanation needs for a batch size and input size, and
 * refuses a run that cannot fit with advice that names the option to change: a {@code --batch-size 10000} run
 * otherwise dies after half a minute with a raw {@link OutOfMemoryError}.
 *
 * <p>Per input of C × H × W floats in a batch of B, the estimate counts (bytes):
 * <ul>
 *   <li>Java heap: the engine's masked batch and masks, {@code 4·B·(C + 1)·H·W}, and the encoder's staging copy
 *       (un-normalising, or re-laying out NHWC), {@code 4·B·C·H·W};</li>
 *   <li>direct memory (limited like the heap by default): ONNX Runtime's input tensor, {@code 4·B·C·H·W};</li>
 *   <li>native memory: ONNX Runtime's activations, {@value #ACTIVATION_BYTES_PER_PIXEL} bytes per input pixel
 *       (measured for MobileNetV2 1.4: about 16 MB per 224 × 224 input), compared with the machine's physical
 *       memory.</li>
 * </ul>
 * A run is refused when the heap part exceeds {@value #HEADROOM} of the free heap, or the native part of the
 * physical memory. The figures are estimates: they refuse runs that cannot fit, not every run that will not.
 */
final class MemoryPreflight {
    /** ONNX Runtime's working memory per input pixel (MobileNetV2 1.4 at 224: ~16 MB per input). */
    static final long ACTIVATION_BYTES_PER_PIXEL = 320;
    /** Share of a memory limit an estimate may take. */
    static final double HEADROOM = 0.8;
    /** The advised batch size leaves 1/ADVICE_MARGIN of the fitting one in reserve. */
    static final int ADVICE_MARGIN = 10;

    private final long heapBytes;
    private final long physicalBytes;

    /**
     * @param heapBytes Java heap available to the run
     * @param physicalBytes the machine's physical memory, or 0 if unknown (no native check then)
     */
    MemoryPreflight(long heapBytes, long physicalBytes) {
        this.heapBytes = heapBytes;
        this.physicalBytes = physicalBytes;
    }

    /** The limits of this JVM and machine. */
    static MemoryPreflight ofThisMachine() {
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        long physical = 0;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            physical = os.getTotalMemorySize();
        }
        return new MemoryPreflight(free, physical);
    }

    /** Java heap plus direct memory for a batch of {@code batch} inputs (C, H, W). */
    static long heapEstimate(long batch, int channels, int height, int width) {
        long pixels = (long) height * width;
        return 4 * batch * pixels * ((channels + 1) + channels + channels);
    }

    /** ONNX Runtime's native memory for a batch. */
    static long nativeEstimate(long batch, int height, int width) {
        return batch * height * (long) width * ACTIVATION_BYTES_PER_PIXEL;
    }

    /**
     * Checks a batch of {@code batch} inputs of (C, H, W).
     *
     * @param sizeOption the option that set the input size, for the advice (e.g. "--size")
     * @return null if it fits, else one line saying what does not fit and which option to change
     */
    String check(long batch, int channels, int height, int width, String sizeOption) {
        long heap = heapEstimate(batch, channels, height, width);
        long nat = nativeEstimate(batch, height, width);
        long fitsHeap = (long) (HEADROOM * heapBytes / heapEstimate(1, channels, height, width));
        long fitsNative = physicalBytes > 0 ? (long) (HEADROOM * physicalBytes / nativeEstimate(1, height, width))
                : Long.MAX_VALUE;
        long fits = Math.min(fitsHeap, fitsNative);
        if (batch <= fits) {
            return null;
        }
        String what = heap > HEADROOM * heapBytes
                ? String.format(Locale.ROOT, "about %s of Java heap, but %s is free", gb(heap), gb(heapBytes))
                : String.format(Locale.ROOT, "about %s for the model's work, more than this machine's %s of memory",
                        gb(nat), gb(physicalBytes));
        // The advice keeps a tenth in reserve: the free heap measured on the next run is never quite the same, and a
        // batch size suggested at the very limit could be refused then.
        long suggest = Math.max(1, fits - fits / ADVICE_MARGIN);
        String advice = fits >= 1 ? "use --batch-size " + suggest + " or less"
                : "even --batch-size 1 does not fit; use a smaller " + sizeOption;
        return String.format(Locale.ROOT, "--batch-size %d with %dx%d inputs needs %s; %s%s", batch, height, width,
                what, advice, heap > HEADROOM * heapBytes ? ", or give Java more memory (java -Xmx...)" : "");
    }

    private static String gb(long bytes) {
        return bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.1f GB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%d MB", Math.max(1, bytes >> 20));
    }
}
