package org.relax4j.evaluate;

import org.relax4j.data.InputTensor;

/**
 * What a removed pixel becomes in a deletion or insertion curve: the whole input perturbed, from which removed pixels
 * are taken. A flat colour pushes inputs off the data a model saw; a blur less so (the RISE paper's insertion
 * substrate), which is why both exist.
 */
@FunctionalInterface
public interface Substrate {

    /**
     * @param input the unperturbed input (C, H, W). Not modified.
     * @return the input with every pixel removed, same shape
     */
    InputTensor apply(InputTensor input);

    /** {@return each channel's mean over the image, everywhere (the "mean colour")} */
    static Substrate meanColour() {
        return input -> {
            int c = input.channels();
            int p = input.pixels();
            float[] x = input.unsafeData();
            float[] out = new float[c * p];
            for (int k = 0; k < c; k++) {
                double sum = 0;
                for (int i = 0; i < p; i++) {
                    sum += x[k * p + i];
                }
                java.util.Arrays.fill(out, k * p, (k + 1) * p, (float) (sum / p));
            }
            return InputTensor.of(c, input.height(), input.width(), out);
        };
    }

    /**
     * A Gaussian blur, per channel, separable, edges clamped (the RISE paper's insertion substrate is kernel 11, σ 5).
     *
     * @param kernel the kernel's width, odd, at least 1
     * @param sigma the Gaussian's standard deviation, positive
     * @return the blur
     */
    static Substrate gaussianBlur(int kernel, double sigma) {
        if (kernel < 1 || kernel % 2 == 0) {
            throw new IllegalArgumentException("kernel must be odd and at least 1, got " + kernel);
        }
        if (!(sigma > 0) || !Double.isFinite(sigma)) {
            throw new IllegalArgumentException("sigma must be finite and > 0, got " + sigma);
        }
        int r = kernel / 2;
        double[] w = new double[kernel];
        double total = 0;
        for (int k = -r; k <= r; k++) {
            w[k + r] = Math.exp(-k * k / (2 * sigma * sigma));
            total += w[k + r];
        }
        for (int k = 0; k < kernel; k++) {
            w[k] /= total;
        }
        return input -> {
            int c = input.channels();
            int h = input.height();
            int wd = input.width();
            float[] x = input.unsafeData();
            float[] rows = new float[x.length];
            float[] out = new float[x.length];
            for (int ch = 0; ch < c; ch++) {
                int base = ch * h * wd;
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < wd; j++) {
                        double s = 0;
                        for (int k = -r; k <= r; k++) {
                            s += w[k + r] * x[base + i * wd + Math.min(wd - 1, Math.max(0, j + k))];
                        }
                        rows[base + i * wd + j] = (float) s;
                    }
                }
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < wd; j++) {
                        double s = 0;
                        for (int k = -r; k <= r; k++) {
                            s += w[k + r] * rows[base + Math.min(h - 1, Math.max(0, i + k)) * wd + j];
                        }
                        out[base + i * wd + j] = (float) s;
                    }
                }
            }
            return InputTensor.of(c, h, wd, out);
        };
    }
}
