package org.relax4j.evaluate;

import java.util.Objects;
import org.relax4j.Encoder;
import org.relax4j.Similarity;
import org.relax4j.data.InputBatch;
import org.relax4j.data.InputTensor;

/**
 * Sliding-window occlusion (Zeiler and Fergus, 2014), in representation space: a square window is moved over the
 * image, each position replaced by the {@link Substrate}, and a pixel's importance is the mean drop in similarity to
 * the reference over the windows that cover it. The simplest perturbation explainer, so the one RELAX must beat.
 */
public final class Occlusion {
    private final Encoder encoder;
    private final Similarity similarity;
    private final Substrate substrate;
    private final int window;
    private final int stride;
    private final int batchSize;

    /**
     * @param encoder the model
     * @param similarity how representations are compared
     * @param substrate what the window's pixels become
     * @param window the window's side, at least 1
     * @param stride the step between windows, in [1, window] (so every pixel is covered)
     * @param batchSize inputs per encoder call, at least 1
     */
    public Occlusion(Encoder encoder, Similarity similarity, Substrate substrate, int window, int stride,
                     int batchSize) {
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.similarity = Objects.requireNonNull(similarity, "similarity");
        this.substrate = Objects.requireNonNull(substrate, "substrate");
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1, got " + window);
        }
        if (stride < 1 || stride > window) {
            throw new IllegalArgumentException("stride must be in [1, window = " + window + "], got " + stride);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
        this.window = window;
        this.stride = stride;
        this.batchSize = batchSize;
    }

    /** Window starts along an axis of n pixels: every stride, plus the last one flush with the edge. */
    private int[] starts(int n) {
        int last = Math.max(0, n - window);
        int count = (last + stride - 1) / stride + 1;
        int[] s = new int[count];
        for (int k = 0; k < count; k++) {
            s[k] = Math.min(k * stride, last);
        }
        return s;
    }

    /** {@return the encoder passes for an input of this size: one per window, plus the input itself} */
    public int passes(int height, int width) {
        return starts(height).length * starts(width).length + 1;
    }

    /**
     * @param input the input (C, H, W)
     * @param reference the representation similarities are measured against
     * @return one importance per pixel: the mean drop in similarity of the windows covering it
     */
    public float[] map(InputTensor input, float[] reference) {
        int h = input.height();
        int w = input.width();
        int pixels = h * w;
        int c = input.channels();
        int[] rows = starts(h);
        int[] cols = starts(w);
        float[] x = input.unsafeData();
        float[] fixed = substrate.dependsOnRemoved() ? null : substrate.apply(input, null).unsafeData();
        double base = similarity.similarity(reference, 0, encoder.encode(InputBatch.of(input)).row(0), 0,
                reference.length);
        int total = rows.length * cols.length;
        Similarities sims = new Similarities(encoder, similarity, reference, total, batchSize, c, h, w);
        for (int r : rows) {
            for (int q : cols) {
                float[] sub = fixed;
                if (sub == null) {
                    boolean[] removed = new boolean[pixels];
                    for (int i = r; i < Math.min(h, r + window); i++) {
                        java.util.Arrays.fill(removed, i * w + q, i * w + Math.min(w, q + window), true);
                    }
                    sub = substrate.apply(input, removed).unsafeData();
                }
                float[] batch = sims.buffer();
                int o = sims.nextOffset();
                System.arraycopy(x, 0, batch, o, c * pixels);
                for (int ch = 0; ch < c; ch++) {
                    for (int i = r; i < Math.min(h, r + window); i++) {
                        int from = ch * pixels + i * w + q;
                        System.arraycopy(sub, from, batch, o + from, Math.min(w, q + window) - q);
                    }
                }
                sims.added();
            }
        }
        double[] s = sims.values();
        double[] sum = new double[pixels];
        int[] cover = new int[pixels];
        int k = 0;
        for (int r : rows) {
            for (int q : cols) {
                double drop = base - s[k++];
                for (int i = r; i < Math.min(h, r + window); i++) {
                    for (int j = q; j < Math.min(w, q + window); j++) {
                        sum[i * w + j] += drop;
                        cover[i * w + j]++;
                    }
                }
            }
        }
        float[] out = new float[pixels];
        for (int p = 0; p < pixels; p++) {
            out[p] = (float) (sum[p] / cover[p]);
        }
        return out;
    }
}
