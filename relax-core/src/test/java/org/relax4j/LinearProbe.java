package org.relax4j;

import java.util.Random;
import org.relax4j.data.Embeddings;
import org.relax4j.data.InputTensor;
import org.relax4j.mask.MaskGeometry;

/**
 * A synthetic encoder whose RELAX maps are known in closed form: the input is all ones (so the masked input is the
 * mask), the encoder returns the single value {@code h(x) = Σ_p v_p x_p}, and the similarity is the product
 * {@code h0 · h}. Then {@code s(m) = h0 Σ_q v_q m(q)} is linear in the mask, and with grid cells independent
 * Bernoulli(π) and weights w_c(p, shift) of cell c at pixel p (bilinear, summing to 1 over c):
 * <pre>
 *   I(p) = E[s m(p)] / E[m(p)] = h0 (π Σ_q v_q + (1 − π) E_shift[Σ_c w_c(p) Σ_q v_q w_c(q)])
 * </pre>
 */
public final class LinearProbe {
    public final int height;
    public final int width;
    public final float[] v;
    public final float h0;

    public LinearProbe(int height, int width, long seed) {
        this.height = height;
        this.width = width;
        this.v = new float[height * width];
        Random rnd = new Random(seed);
        // A smooth positive field with a few bumps, so that the map has structure at the scale of the cells.
        double[][] bumps = new double[4][3];
        for (double[] b : bumps) {
            b[0] = rnd.nextDouble() * height;
            b[1] = rnd.nextDouble() * width;
            b[2] = 0.5 + rnd.nextDouble();
        }
        double total = 0;
        for (int i = 0; i < height; i++) {
            for (int j = 0; j < width; j++) {
                double f = 0.2;
                for (double[] b : bumps) {
                    double di = (i - b[0]) / (0.2 * height);
                    double dj = (j - b[1]) / (0.2 * width);
                    f += b[2] * Math.exp(-(di * di + dj * dj));
                }
                v[i * width + j] = (float) f;
                total += f;
            }
        }
        for (int p = 0; p < v.length; p++) {
            v[p] /= (float) total;
        }
        float h = 0;
        for (float x : v) {
            h += x;
        }
        this.h0 = h;
    }

    /** The input: one channel of ones. */
    public InputTensor input() {
        return InputTensor.filled(1, height, width, 1f);
    }

    public Encoder encoder() {
        return batch -> {
            float[] out = new float[batch.size()];
            float[] d = batch.data();
            int per = height * width;
            for (int b = 0; b < batch.size(); b++) {
                double s = 0;
                for (int p = 0; p < per; p++) {
                    s += (double) v[p] * d[b * per + p];
                }
                out[b] = (float) s;
            }
            return new Embeddings(batch.size(), 1, out);
        };
    }

    public static Similarity product() {
        return (a, ao, b, bo, dim) -> a[ao] * b[bo];
    }

    /** The exact importance map (the limit of infinitely many masks), H × W row-major. */
    public double[] exactImportance(int cells, double keep) {
        MaskGeometry g = new MaskGeometry(cells, height, width);
        int[] ri = g.rowIndices();
        float[] rw = g.rowWeights();
        int[] ci = g.colIndices();
        float[] cw = g.colWeights();
        double total = 0;
        for (float x : v) {
            total += x;
        }
        double[] mixed = new double[height * width];
        for (int dx = 0; dx < cells; dx++) {
            for (int dy = 0; dy < cells; dy++) {
                // u[c] = Σ_q v_q w_c(q) for this shift
                double[] u = new double[cells * cells];
                for (int i = 0; i < height; i++) {
                    for (int j = 0; j < width; j++) {
                        for (int t = 0; t < 2; t++) {
                            for (int t2 = 0; t2 < 2; t2++) {
                                int kr = 2 * (dx * height + i) + t;
                                int kc = 2 * (dy * width + j) + t2;
                                u[ri[kr] * cells + ci[kc]] += (double) v[i * width + j] * rw[kr] * cw[kc];
                            }
                        }
                    }
                }
                for (int i = 0; i < height; i++) {
                    for (int j = 0; j < width; j++) {
                        double s = 0;
                        for (int t = 0; t < 2; t++) {
                            for (int t2 = 0; t2 < 2; t2++) {
                                int kr = 2 * (dx * height + i) + t;
                                int kc = 2 * (dy * width + j) + t2;
                                s += (double) rw[kr] * cw[kc] * u[ri[kr] * cells + ci[kc]];
                            }
                        }
                        mixed[i * width + j] += s / (cells * cells);
                    }
                }
            }
        }
        double[] out = new double[height * width];
        for (int p = 0; p < out.length; p++) {
            out[p] = h0 * (keep * total + (1 - keep) * mixed[p]);
        }
        return out;
    }

    /** Relative L2 distance of centred maps, ‖(x − x̄) − (g − ḡ)‖ / ‖g − ḡ‖. */
    public static double relativeError(float[] x, double[] g) {
        double mx = 0;
        double mg = 0;
        for (int p = 0; p < x.length; p++) {
            mx += x[p];
            mg += g[p];
        }
        mx /= x.length;
        mg /= g.length;
        double num = 0;
        double den = 0;
        for (int p = 0; p < x.length; p++) {
            double d = (x[p] - mx) - (g[p] - mg);
            num += d * d;
            den += (g[p] - mg) * (g[p] - mg);
        }
        return Math.sqrt(num / den);
    }
}
