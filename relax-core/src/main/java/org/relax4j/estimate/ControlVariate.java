package org.relax4j.estimate;

import java.util.Arrays;
import org.relax4j.data.PixelMap;
import org.relax4j.mask.MaskGeometry;

/**
 * A control-variate estimator of RELAX's importance. RELAX estimates {@code I(p) = E[s·m(p)] / E[m(p)]}. Fit a
 * surrogate of the similarity from the run's own (mask, similarity) pairs, {@code ŝ(m) = β·φ(m)} with
 * {@code φ(m) = (1, the mask averaged over a cells × cells grid of pixel squares)} (ridge regression), and split
 * <pre>
 *   I(p) = E[(s − ŝ)·m(p)] / E[m(p)]  +  E[ŝ(m)·m(p)] / E[m(p)]
 * </pre>
 * The first term is estimated from the masks as usual (the ratio estimator over residuals, whose spread is what
 * the surrogate did not explain). The second needs no encoder: it is a moment of the mask distribution alone,
 * exact in closed form for independent cells kept with probability π and uniform shifts (spec, "One mask,
 * exactly"), because a mask is linear in its grid: with {@code w_c(p)} the bilinear weight of cell c at pixel p for
 * a shift, {@code E[m(q)·m(p)] = π² + π(1 − π)·E_shift[Σ_c w_c(q) w_c(p)]}, so
 * <pre>
 *   E[φ_f·m(p)] / E[m(p)] = π + (1 − π)·E_shift[Σ_c W̄_c(f) w_c(p)],   W̄_c(f) = mean of w_c over square f
 * </pre>
 * The estimate converges to the same map as the plain ratio estimator for any β (the identity above holds for
 * every β); fitting β on the same masks adds a bias of order 1/n, far below the noise it removes.
 *
 * <p>Every mask design here has single masks with exactly that distribution (random and balanced), so the
 * closed form holds for both; recorded masks of unknown origin cannot use it. Not thread safe.
 */
public final class ControlVariate {
    private final MaskGeometry geometry;
    private final double keep;
    private final int pool;
    private final int features;
    private final int[] poolOf;
    private final double[] poolArea;

    /**
     * @param geometry the masks' geometry
     * @param keepProbability π, the probability that a cell is kept
     */
    public ControlVariate(MaskGeometry geometry, float keepProbability) {
        this.geometry = geometry;
        this.keep = keepProbability;
        this.pool = geometry.cells();
        this.features = 1 + pool * pool;
        int h = geometry.height();
        int w = geometry.width();
        this.poolOf = new int[h * w];
        this.poolArea = new double[pool * pool];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                int f = (i * pool / h) * pool + j * pool / w;
                poolOf[i * w + j] = f;
                poolArea[f]++;
            }
        }
    }

    /** {@return number of features, the intercept included} */
    public int features() {
        return features;
    }

    /**
     * The features of one rendered mask: 1, then the mask's mean over each square of the cells × cells grid.
     *
     * @param offset index of the mask's first value in {@code mask}
     * @param outOffset index of the first feature written to {@code out}
     * @param mask H × W values from {@code offset}. Not modified.
     * @param out receives {@link #features()} values from {@code outOffset}. Modified.
     */
    public void features(float[] mask, int offset, float[] out, int outOffset) {
        double[] sums = new double[pool * pool];
        for (int p = 0; p < poolOf.length; p++) {
            sums[poolOf[p]] += mask[offset + p];
        }
        out[outOffset] = 1f;
        for (int f = 0; f < sums.length; f++) {
            out[outOffset + 1 + f] = (float) (sums[f] / poolArea[f]);
        }
    }

    /**
     * Ridge regression of the similarities on the features: minimises {@code Σ (s − β·φ)² + λ·n·Σ_{f≥1} β_f²}
     * with λ = 1e-3 (the intercept is not penalised).
     *
     * @param n the number of masks
     * @param phi n × {@link #features()} values, mask-major. Not modified.
     * @param similarities n values. Not modified.
     * @return β
     */
    public double[] fit(float[] phi, float[] similarities, int n) {
        int k = features;
        double[] xtx = new double[k * k];
        double[] xty = new double[k];
        for (int r = 0; r < n; r++) {
            int o = r * k;
            double s = similarities[r];
            for (int a = 0; a < k; a++) {
                double fa = phi[o + a];
                xty[a] += fa * s;
                for (int b = a; b < k; b++) {
                    xtx[a * k + b] += fa * phi[o + b];
                }
            }
        }
        for (int a = 0; a < k; a++) {
            for (int b = 0; b < a; b++) {
                xtx[a * k + b] = xtx[b * k + a];
            }
        }
        for (int a = 1; a < k; a++) {
            xtx[a * k + a] += 1e-3 * n;
        }
        return solve(xtx, xty, k);
    }

    /**
     * The residual ratio's error estimate, corrected for β having been fitted on the very masks it is estimated
     * from, for masks drawn independently: the in-sample residuals understate the noise they stand for by about F/n
     * (F = {@link #features()}), and β̂'s own error reaches the map about as much again, so the error is scaled by
     * n / (n − F) (its square by about 1 + 2F/n), and is unknown (infinite) for n ≤ F. Measured on the synthetic
     * encoder (BENCHMARKS.md, 12 seeds, i.i.d. masks), uncorrected estimate / true error was 0.63, 0.84, 0.90, 0.99
     * at 128, 256, 512, 1024 masks. Balanced designs need no correction: within a block every cell is kept equally
     * often and every pair agrees equally often, so the features' sample moments are the population's and β̂'s
     * error cancels from the map (measured 0.95–1.03 uncorrected).
     *
     * @param residual the estimate from the residuals' blocks
     * @param masks n, the masks β was fitted on
     * @return the corrected estimate
     */
    public ErrorEstimate correctedForFit(ErrorEstimate residual, long masks) {
        if (!residual.isKnown()) {
            return residual;
        }
        double factor = masks > features ? masks / (double) (masks - features) : Double.POSITIVE_INFINITY;
        float[] se = residual.standardError().values().clone();
        for (int p = 0; p < se.length; p++) {
            se[p] = (float) (se[p] * factor);
        }
        return new ErrorEstimate(residual.relativeError() * factor, residual.bound() * factor, residual.confidence(),
                residual.blocks(), residual.effectiveDegreesOfFreedom(), residual.estimateDegreesOfFreedom(),
                residual.noise() * factor * factor,
                new PixelMap(residual.standardError().shape(), se));
    }

    /**
     * {@return the surrogate's value for one mask: β·φ}
     *
     * @param beta the coefficients from {@link #fit}
     * @param phi the features of masks, from {@code offset}. Not modified.
     * @param offset index of the mask's first feature in {@code phi}
     */
    public static double predict(double[] beta, float[] phi, int offset) {
        double v = 0;
        for (int a = 0; a < beta.length; a++) {
            v += beta[a] * phi[offset + a];
        }
        return v;
    }

    /**
     * The second term, {@code E[ŝ(m)·m(p)] / E[m(p)]} per pixel, in closed form (class comment).
     *
     * @param beta the coefficients from {@link #fit}
     * @return H × W values, row-major
     */
    public double[] expectedSurrogate(double[] beta) {
        int cells = geometry.cells();
        int h = geometry.height();
        int w = geometry.width();
        int[] ri = geometry.rowIndices();
        float[] rw = geometry.rowWeights();
        int[] ci = geometry.colIndices();
        float[] cw = geometry.colWeights();
        double sumBeta = 0;
        for (int f = 1; f < beta.length; f++) {
            sumBeta += beta[f];
        }
        double[] mixed = new double[h * w];
        double[] gamma = new double[cells * cells];
        for (int dx = 0; dx < cells; dx++) {
            double[][] rowMean = squareMeans(ri, rw, dx, h);
            for (int dy = 0; dy < cells; dy++) {
                double[][] colMean = squareMeans(ci, cw, dy, w);
                // γ_c = Σ_f β_f W̄_c(f): the surrogate's weight on cell c for this shift (separable in rows, columns)
                Arrays.fill(gamma, 0);
                for (int a = 0; a < cells; a++) {
                    for (int b = 0; b < cells; b++) {
                        double v = 0;
                        for (int fi = 0; fi < pool; fi++) {
                            double ra = rowMean[a][fi];
                            if (ra == 0) {
                                continue;
                            }
                            for (int fj = 0; fj < pool; fj++) {
                                v += beta[1 + fi * pool + fj] * ra * colMean[b][fj];
                            }
                        }
                        gamma[a * cells + b] = v;
                    }
                }
                // Σ_c γ_c w_c(p): γ rendered like a grid at this shift
                for (int i = 0; i < h; i++) {
                    int kr = 2 * (dx * h + i);
                    for (int j = 0; j < w; j++) {
                        int kc = 2 * (dy * w + j);
                        double v = 0;
                        for (int t = 0; t < 2; t++) {
                            int row = ri[kr + t] * cells;
                            for (int u = 0; u < 2; u++) {
                                v += rw[kr + t] * cw[kc + u] * gamma[row + ci[kc + u]];
                            }
                        }
                        mixed[i * w + j] += v;
                    }
                }
            }
        }
        double shifts = (double) cells * cells;
        for (int p = 0; p < mixed.length; p++) {
            mixed[p] = beta[0] + keep * sumBeta + (1 - keep) * mixed[p] / shifts;
        }
        return mixed;
    }

    /** For one axis and shift: {@code m[a][f]} = mean over the pixels of square band f of grid line a's weight. */
    private double[][] squareMeans(int[] index, float[] weight, int shift, int n) {
        int cells = geometry.cells();
        double[][] m = new double[cells][pool];
        int[] count = new int[pool];
        for (int i = 0; i < n; i++) {
            int f = i * pool / n;
            count[f]++;
            int k = 2 * (shift * n + i);
            m[index[k]][f] += weight[k];
            m[index[k + 1]][f] += weight[k + 1];
        }
        for (int a = 0; a < cells; a++) {
            for (int f = 0; f < pool; f++) {
                m[a][f] /= count[f];
            }
        }
        return m;
    }

    /** Gaussian elimination with partial pivoting; the ridge keeps the system well conditioned. */
    static double[] solve(double[] a, double[] b, int n) {
        double[] m = a.clone();
        double[] x = b.clone();
        for (int c = 0; c < n; c++) {
            int piv = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(m[r * n + c]) > Math.abs(m[piv * n + c])) {
                    piv = r;
                }
            }
            if (piv != c) {
                for (int k = 0; k < n; k++) {
                    double t = m[c * n + k];
                    m[c * n + k] = m[piv * n + k];
                    m[piv * n + k] = t;
                }
                double t = x[c];
                x[c] = x[piv];
                x[piv] = t;
            }
            for (int r = c + 1; r < n; r++) {
                double f = m[r * n + c] / m[c * n + c];
                if (f == 0) {
                    continue;
                }
                for (int k = c; k < n; k++) {
                    m[r * n + k] -= f * m[c * n + k];
                }
                x[r] -= f * x[c];
            }
        }
        for (int c = n - 1; c >= 0; c--) {
            double s = x[c];
            for (int k = c + 1; k < n; k++) {
                s -= m[c * n + k] * x[k];
            }
            x[c] = s / m[c * n + c];
        }
        return x;
    }
}
