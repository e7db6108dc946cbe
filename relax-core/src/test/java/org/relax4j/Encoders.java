package org.relax4j;

import java.util.Arrays;
import java.util.Random;
import org.relax4j.data.Embeddings;

/** Small encoders with known behaviour, for tests. */
public final class Encoders {
    private Encoders() {
    }

    /**
     * A fixed random linear map (then ReLU, plus a small bias) of the 4×4-pixel sums of the region
     * [i0, i1) × [j0, j1) over all {@code channels}, to {@code dim} values: an encoder that only looks there.
     */
    public static Encoder regionProjection(int channels, int i0, int i1, int j0, int j1, int dim, long seed) {
        int cellsI = Math.max(1, (i1 - i0) / 4);
        int cellsJ = Math.max(1, (j1 - j0) / 4);
        int features = channels * cellsI * cellsJ;
        Random rnd = new Random(seed);
        float[] weights = new float[features * dim];
        for (int k = 0; k < weights.length; k++) {
            weights[k] = (float) rnd.nextGaussian();
        }
        return batch -> {
            float[] out = new float[batch.size() * dim];
            float[] pooled = new float[features];
            for (int b = 0; b < batch.size(); b++) {
                Arrays.fill(pooled, 0f);
                for (int c = 0; c < channels; c++) {
                    for (int i = i0; i < i1; i++) {
                        int ci = Math.min((i - i0) * cellsI / (i1 - i0), cellsI - 1);
                        for (int j = j0; j < j1; j++) {
                            int cj = Math.min((j - j0) * cellsJ / (j1 - j0), cellsJ - 1);
                            pooled[(c * cellsI + ci) * cellsJ + cj] += batch.get(b, c, i, j);
                        }
                    }
                }
                for (int d = 0; d < dim; d++) {
                    float s = 0;
                    for (int f = 0; f < features; f++) {
                        s += weights[f * dim + d] * pooled[f];
                    }
                    out[b * dim + d] = Math.max(s, 0f) + 0.01f * (d + 1);
                }
            }
            return new Embeddings(batch.size(), dim, out);
        };
    }

    /** An encoder over the whole input. */
    public static Encoder wholeInput(int channels, int height, int width, int dim, long seed) {
        return regionProjection(channels, 0, height, 0, width, dim, seed);
    }
}
