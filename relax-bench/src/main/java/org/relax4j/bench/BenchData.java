package org.relax4j.bench;

import java.util.Random;
import org.relax4j.data.Embeddings;
import org.relax4j.Encoder;
import org.relax4j.data.InputBatch;
import org.relax4j.data.InputTensor;
import org.relax4j.RelaxConfig;
import org.relax4j.mask.MaskSource;
import org.relax4j.mask.RandomMasks;

/** Inputs, masks, similarities and trivial encoders shared by the benchmarks, all from fixed seeds. */
public final class BenchData {
    /** Seed of every benchmark's masks. */
    public static final long MASK_SEED = 20230601L;
    /** Channels of every benchmark input (an RGB image). */
    public static final int CHANNELS = 3;

    private BenchData() {
    }

    /** Host threads every engine gets: all the machine's cores. */
    public static int threads() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** A (3, size, size) input with values in [-2, 2), like an ImageNet-normalised image. */
    public static InputTensor input(int size) {
        Random rnd = new Random(size * 7919L + 17);
        float[] d = new float[CHANNELS * size * size];
        for (int k = 0; k < d.length; k++) {
            d[k] = rnd.nextFloat() * 4f - 2f;
        }
        return InputTensor.of(CHANNELS, size, size, d);
    }

    /** The reference's masks: 7 cells, keep probability 0.5. */
    public static MaskSource masks() {
        return new RandomMasks(MASK_SEED, RelaxConfig.DEFAULT_CELLS, RelaxConfig.DEFAULT_KEEP_PROBABILITY);
    }

    /** Plausible similarities, in [0.3, 1). */
    public static float[] similarities(int n, long seed) {
        Random rnd = new Random(seed);
        float[] s = new float[n];
        for (int k = 0; k < n; k++) {
            s[k] = 0.3f + 0.7f * rnd.nextFloat();
        }
        return s;
    }

    /**
     * A trivial encoder by name.
     *
     * @param name {@code mean}: the mean of each channel over every pixel (D = 3; reads the whole batch once, as
     *        any encoder must); {@code probe}: the mean of each channel over an 8 × 8 lattice of pixels (D = 3;
     *        costs next to nothing, so an explanation with it times RELAX's own work alone)
     * @throws IllegalArgumentException for another name
     */
    public static Encoder encoder(String name) {
        return switch (name) {
            case "mean" -> new ChannelMean(false);
            case "probe" -> new ChannelMean(true);
            default -> throw new IllegalArgumentException("encoder must be 'mean' or 'probe', got '" + name + "'");
        };
    }

    /** Per-channel means; reuses one output array per batch size (the {@link Encoder} contract allows it). */
    private static final class ChannelMean implements Encoder {
        private final boolean lattice;
        private Embeddings last;

        ChannelMean(boolean lattice) {
            this.lattice = lattice;
        }

        @Override
        public Embeddings encode(InputBatch batch) {
            int rows = batch.size();
            int c = batch.channels();
            if (last == null || last.rows() != rows || last.dim() != c) {
                last = new Embeddings(rows, c, new float[rows * c]);
            }
            float[] out = last.data();
            float[] d = batch.data();
            int h = batch.height();
            int w = batch.width();
            int pixels = h * w;
            for (int b = 0; b < rows; b++) {
                for (int ch = 0; ch < c; ch++) {
                    int base = batch.offsetOf(b) + ch * pixels;
                    double sum = 0;
                    int n = 0;
                    if (lattice) {
                        for (int i = h / 16; i < h; i += Math.max(1, h / 8)) {
                            for (int j = w / 16; j < w; j += Math.max(1, w / 8)) {
                                sum += d[base + i * w + j];
                                n++;
                            }
                        }
                    } else {
                        float s0 = 0;
                        float s1 = 0;
                        float s2 = 0;
                        float s3 = 0;
                        int p = 0;
                        for (; p + 3 < pixels; p += 4) {
                            s0 += d[base + p];
                            s1 += d[base + p + 1];
                            s2 += d[base + p + 2];
                            s3 += d[base + p + 3];
                        }
                        for (; p < pixels; p++) {
                            s0 += d[base + p];
                        }
                        sum = (double) s0 + s1 + s2 + s3;
                        n = pixels;
                    }
                    // + 3 keeps the representation away from zero, so cosine similarity stays defined.
                    out[b * c + ch] = (float) (sum / n) + 3f + ch;
                }
            }
            return last;
        }
    }
}
