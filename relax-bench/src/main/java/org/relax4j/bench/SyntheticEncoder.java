package org.relax4j.bench;

import java.util.Random;
import org.relax4j.data.Embeddings;
import org.relax4j.Encoder;
import org.relax4j.data.InputTensor;

/**
 * A small nonlinear encoder that runs in microseconds, for quality benchmarks CI can afford: the input is averaged
 * over 16 × 16 pixel squares, multiplied by a fixed random matrix (seeded) to 64 features, and passed through
 * tanh. Cosine similarity then depends on the mask nonlinearly, as a real network's does.
 */
final class SyntheticEncoder {
    private static final int POOL = 16;
    private static final int DIM = 64;

    private SyntheticEncoder() {
    }

    static Encoder create(InputTensor like, long seed) {
        int c = like.channels();
        int h = like.height();
        int w = like.width();
        int ph = (h + POOL - 1) / POOL;
        int pw = (w + POOL - 1) / POOL;
        int features = c * ph * pw;
        float[] weights = new float[features * DIM];
        Random rnd = new Random(seed);
        for (int k = 0; k < weights.length; k++) {
            weights[k] = (float) (rnd.nextGaussian() / Math.sqrt(features) * 4);
        }
        return batch -> {
            int n = batch.size();
            float[] d = batch.data();
            int per = c * h * w;
            float[] out = new float[n * DIM];
            float[] pooled = new float[features];
            for (int b = 0; b < n; b++) {
                java.util.Arrays.fill(pooled, 0f);
                for (int ch = 0; ch < c; ch++) {
                    for (int i = 0; i < h; i++) {
                        int row = (ch * ph + i / POOL) * pw;
                        int base = b * per + (ch * h + i) * w;
                        for (int j = 0; j < w; j++) {
                            pooled[row + j / POOL] += d[base + j];
                        }
                    }
                }
                for (int k = 0; k < DIM; k++) {
                    double s = 0;
                    for (int f = 0; f < features; f++) {
                        s += weights[f * DIM + k] * pooled[f] / (POOL * POOL);
                    }
                    out[b * DIM + k] = (float) Math.tanh(s);
                }
            }
            return new Embeddings(n, DIM, out);
        };
    }
}
