package org.relax4j.evaluate;

import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.relax4j.data.InputTensor;

/**
 * What a removed pixel becomes in a deletion or insertion curve or a faithfulness subset. A flat colour pushes inputs
 * off the data a model saw; a blur less so (the RISE paper's insertion substrate); ROAD's noisy linear imputation
 * least (Rong et al., 2022: removed pixels are filled from their kept neighbours, so the removed region's shape
 * leaks little), which is why all three exist.
 *
 * <p>A substrate either replaces pixels by a fixed perturbed copy of the input ({@link #fixed}, computed once per
 * input) or depends on which pixels are removed ({@link #noisyLinearImputation}, computed per step).
 */
public interface Substrate {

    /**
     * @param input the unperturbed input (C, H, W). Not modified.
     * @param removed which pixels are removed (H·W), or null for "all of them" when {@link #dependsOnRemoved()} is
     *        false. Not modified.
     * @return a tensor of the input's shape whose removed pixels hold their replacement (other pixels: unspecified)
     */
    InputTensor apply(InputTensor input, boolean[] removed);

    /** {@return whether {@link #apply} depends on which pixels are removed (else it is computed once per input)} */
    boolean dependsOnRemoved();

    /** {@return a short name for reports, with its parameters} */
    String name();

    /**
     * A substrate that replaces removed pixels by a fixed perturbed copy of the input.
     *
     * @param name its name in reports
     * @param whole the perturbed copy: the input with every pixel removed
     * @return the substrate
     */
    static Substrate fixed(String name, UnaryOperator<InputTensor> whole) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(whole, "whole");
        return new Substrate() {
            @Override
            public InputTensor apply(InputTensor input, boolean[] removed) {
                return whole.apply(input);
            }

            @Override
            public boolean dependsOnRemoved() {
                return false;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    /** {@return each channel's mean over the image, everywhere (the "mean colour")} */
    static Substrate meanColour() {
        return fixed("mean", input -> {
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
        });
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
        return fixed("blur(" + kernel + ", " + sigma + ")", input -> {
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
        });
    }

    /**
     * ROAD's noisy linear imputation (Rong et al., 2022): every removed pixel is the weighted mean of its 8 neighbours
     * (1/6 for the four sharing an edge, 1/12 for the diagonals, renormalised at the border), kept neighbours fixed —
     * one sparse symmetric positive definite system per channel, solved by conjugate gradients — plus Gaussian noise.
     * A removed region with no kept pixel around it gets 0 (for an ImageNet-normalised input, the data's mean). The
     * system is solved to a relative residual of 1e-4, below the noise.
     *
     * @param noise the noise's standard deviation in the input's units (ROAD's code: 0.01), at least 0
     * @param seed the noise's seed; the noise of a call depends on the seed and the removed set only
     * @return the substrate
     */
    static Substrate noisyLinearImputation(double noise, long seed) {
        if (!(noise >= 0) || !Double.isFinite(noise)) {
            throw new IllegalArgumentException("noise must be finite and >= 0, got " + noise);
        }
        return new Substrate() {
            @Override
            public InputTensor apply(InputTensor input, boolean[] removed) {
                Objects.requireNonNull(removed, "removed");
                return LinearImputation.impute(input, removed, noise, new SplittableRandom(seed
                        ^ java.util.Arrays.hashCode(removed)));
            }

            @Override
            public boolean dependsOnRemoved() {
                return true;
            }

            @Override
            public String name() {
                return "road(" + noise + ")";
            }

            @Override
            public String toString() {
                return name();
            }
        };
    }
}
