package org.relax4j.cli;

import java.util.List;
import org.relax4j.CancellationToken;
import org.relax4j.ProgressListener;
import org.relax4j.Relax;
import org.relax4j.RelaxConfig;
import org.relax4j.data.Embeddings;
import org.relax4j.data.InputBatch;
import org.relax4j.data.InputTensor;
import org.relax4j.data.PixelMap;
import org.relax4j.engine.Engines;
import org.relax4j.image.Heatmaps;

/**
 * Warms the JVM up while the model loads. A cold run spends about a third of a second more in RELAX's own loops
 * (masks, upsampling, accumulation: interpreted until the JIT compiles them) and a tenth drawing the first heatmap
 * (fonts), while loading ONNX Runtime and the model keeps one thread busy and leaves the other core idle. So a
 * background thread runs the same loops on a synthetic image with a toy encoder, and draws one heatmap, until
 * {@link #stop()}. Nothing it computes is kept; the real explanation is untouched (same code, fresh objects).
 */
final class WarmUp {
    private final CancellationToken token = new CancellationToken();

    private WarmUp() {
    }

    /**
     * Starts warming up for explanations with {@code config} at {@code size} x {@code size}; only the cpu engine's
     * loops are warmed (a device engine's run on the device).
     */
    static WarmUp start(RelaxConfig config, int size) {
        WarmUp w = new WarmUp();
        if (!Engines.CPU.equals(config.engine())) {
            return w;
        }
        Thread t = new Thread(() -> w.run(config, size), "relax-warm-up");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
        return w;
    }

    /** Stops at the next batch; returns at once. */
    void stop() {
        token.cancel();
    }

    private void run(RelaxConfig config, int size) {
        try {
            InputTensor image = pattern(size);
            Heatmaps.render(image, List.of(new Heatmaps.Panel("warm-up", new PixelMap(size, size,
                    new float[size * size]))));
            RelaxConfig small = config.toBuilder().masks(4L * config.batchSize()).targetError(Double.NaN)
                    .threads(1).build();
            for (int k = 0; k < 4 && !token.isCancelled(); k++) {
                try (Relax relax = new Relax(small)) {
                    relax.explain(image, WarmUp::toyEncoder, ProgressListener.NONE, token);
                }
            }
        } catch (RuntimeException | LinkageError ignored) {
            // warming up is an optimisation: whatever stops it (cancellation included) is not the user's concern
        }
    }

    /** A cheap stand-in for a model: the means of a 4 x 4 grid of blocks of each channel. */
    private static Embeddings toyEncoder(InputBatch batch) {
        int c = batch.channels();
        int h = batch.spatialShape()[0];
        int w = batch.spatialShape()[1];
        float[][] rows = new float[batch.size()][c * 16];
        float[] data = batch.data();
        for (int b = 0; b < batch.size(); b++) {
            int base = batch.offsetOf(b);
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        rows[b][ch * 16 + (y * 4 / h) * 4 + x * 4 / w] += data[base + (ch * h + y) * w + x];
                    }
                }
            }
        }
        return Embeddings.of(rows);
    }

    /**
     * {@return a synthetic RGB image in [0.1, 0.9]: 28-pixel checks, shifted per channel} Not flat, so that masking
     * changes any encoder's representation (RELAX refuses an input whose masks all look alike).
     */
    static InputTensor pattern(int size) {
        float[] p = new float[3 * size * size];
        for (int i = 0; i < p.length; i++) {
            int x = i % size;
            int y = i / size % size;
            p[i] = ((x / 28 + y / 28 + i / (size * size)) % 2) * 0.8f + 0.1f;
        }
        return InputTensor.of(3, size, size, p);
    }
}
