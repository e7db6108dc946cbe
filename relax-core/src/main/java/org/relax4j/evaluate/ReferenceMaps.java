package org.relax4j.evaluate;

import java.util.SplittableRandom;
import org.relax4j.data.InputTensor;

/**
 * Maps that know nothing about the model: the floor any explanation must beat on a faithfulness metric. A random map
 * (noise), a centred Gaussian (photographers put the subject in the middle, so "the centre matters" is a strong
 * guess) and the image's edges (what a model-agnostic saliency would point at). Stateless.
 */
public final class ReferenceMaps {
    private ReferenceMaps() {
    }

    /** {@return uniform noise in [0, 1), from {@code seed}} @param height rows @param width columns @param seed seed */
    public static float[] random(int height, int width, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] out = new float[height * width];
        for (int p = 0; p < out.length; p++) {
            out[p] = (float) rng.nextDouble();
        }
        return out;
    }

    /**
     * {@return exp(−d²/2σ²) of the distance d to the image's centre, σ a quarter of the shorter side}
     *
     * @param height rows
     * @param width columns
     */
    public static float[] centredGaussian(int height, int width) {
        double sigma = Math.min(height, width) / 4.0;
        double ci = (height - 1) / 2.0;
        double cj = (width - 1) / 2.0;
        float[] out = new float[height * width];
        for (int i = 0; i < height; i++) {
            for (int j = 0; j < width; j++) {
                double d2 = (i - ci) * (i - ci) + (j - cj) * (j - cj);
                out[i * width + j] = (float) Math.exp(-d2 / (2 * sigma * sigma));
            }
        }
        return out;
    }

    /**
     * {@return the Sobel gradient magnitude of the image's mean over channels, edges clamped}
     *
     * @param image the image (C, H, W), any pixel space
     */
    public static float[] edges(InputTensor image) {
        int c = image.channels();
        int h = image.height();
        int w = image.width();
        int pixels = h * w;
        float[] x = image.unsafeData();
        double[] grey = new double[pixels];
        for (int ch = 0; ch < c; ch++) {
            for (int p = 0; p < pixels; p++) {
                grey[p] += x[ch * pixels + p] / (double) c;
            }
        }
        float[] out = new float[pixels];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                double gx = 0;
                double gy = 0;
                for (int di = -1; di <= 1; di++) {
                    for (int dj = -1; dj <= 1; dj++) {
                        double v = grey[clamp(i + di, h) * w + clamp(j + dj, w)];
                        int weight = (di == 0 || dj == 0) ? 2 : 1;
                        gx += dj * weight * v;
                        gy += di * weight * v;
                    }
                }
                out[i * w + j] = (float) Math.hypot(gx, gy);
            }
        }
        return out;
    }

    private static int clamp(int v, int n) {
        return Math.min(n - 1, Math.max(0, v));
    }
}
