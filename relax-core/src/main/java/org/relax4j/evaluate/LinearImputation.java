package org.relax4j.evaluate;

import java.util.SplittableRandom;
import org.relax4j.data.InputTensor;

/**
 * The solver behind {@link Substrate#noisyLinearImputation}: for removed pixel i with in-image neighbours N(i),
 * {@code Σ_j w_ij (x_i − x_j) = 0}, kept neighbours moved to the right-hand side. Written with the raw weights (not
 * renormalised per row) the matrix is symmetric and diagonally dominant, so conjugate gradients apply; the solution
 * is the same as with renormalised rows.
 */
final class LinearImputation {
    private static final int[] DI = {-1, -1, -1, 0, 0, 1, 1, 1};
    private static final int[] DJ = {-1, 0, 1, -1, 1, -1, 0, 1};
    private static final double[] W = {1 / 12.0, 1 / 6.0, 1 / 12.0, 1 / 6.0, 1 / 6.0, 1 / 12.0, 1 / 6.0, 1 / 12.0};
    /** Relative residual at which CG stops: below the added noise (0.01) for inputs of unit scale. */
    private static final double TOLERANCE = 1e-4;

    private LinearImputation() {
    }

    static InputTensor impute(InputTensor input, boolean[] removed, double noise, SplittableRandom rng) {
        int h = input.height();
        int w = input.width();
        int pixels = h * w;
        if (removed.length != pixels) {
            throw new IllegalArgumentException("removed has " + removed.length + " values, the input " + pixels
                    + " pixels");
        }
        int[] index = new int[pixels];
        int n = 0;
        for (int p = 0; p < pixels; p++) {
            index[p] = removed[p] ? n++ : -1;
        }
        float[] x = input.unsafeData();
        float[] out = x.clone();
        if (n == 0) {
            return InputTensor.of(input.channels(), h, w, out);
        }
        int[] unknown = new int[n];
        double[] diag = new double[n];
        // Per unknown: up to 8 (unknown neighbour, weight) pairs, and the kept neighbours for the right-hand side.
        int[] nbr = new int[n * 8];
        double[] nbrW = new double[n * 8];
        int[] kept = new int[n * 8];
        double[] keptW = new double[n * 8];
        int[] nNbr = new int[n];
        int[] nKept = new int[n];
        for (int p = 0; p < pixels; p++) {
            int u = index[p];
            if (u < 0) {
                continue;
            }
            unknown[u] = p;
            int i = p / w;
            int j = p % w;
            for (int k = 0; k < 8; k++) {
                int ii = i + DI[k];
                int jj = j + DJ[k];
                if (ii < 0 || jj < 0 || ii >= h || jj >= w) {
                    continue;
                }
                int q = ii * w + jj;
                diag[u] += W[k];
                if (index[q] >= 0) {
                    nbr[u * 8 + nNbr[u]] = index[q];
                    nbrW[u * 8 + nNbr[u]++] = W[k];
                } else {
                    kept[u * 8 + nKept[u]] = q;
                    keptW[u * 8 + nKept[u]++] = W[k];
                }
            }
        }
        boolean[] anchored = anchored(n, nbr, nNbr, nKept);
        int channels = input.channels();
        // CG starts from a push-pull fill of the kept pixels: close to the solution, and made of kept pixels only,
        // so no trace of a removed pixel's own value can survive the tolerance (starting from the input would leak
        // the removed region's slowest, smoothest part).
        float[] start = pushPull(input, removed);
        double[][] sol = new double[channels][n];
        int count = n;
        // The channels share the matrix and are solved side by side.
        java.util.stream.IntStream.range(0, channels).parallel().forEach(c -> {
            int base = c * pixels;
            double[] b = new double[count];
            for (int u = 0; u < count; u++) {
                double s = 0;
                for (int k = 0; k < nKept[u]; k++) {
                    s += keptW[u * 8 + k] * x[base + kept[u * 8 + k]];
                }
                b[u] = s;
            }
            // A region with no kept pixel around it is singular on its own (any constant solves it): it starts, and
            // so stays, at 0. Every other region has one solution, whatever the start.
            for (int u = 0; u < count; u++) {
                sol[c][u] = anchored[u] ? start[base + unknown[u]] : 0;
            }
            conjugateGradients(diag, nbr, nbrW, nNbr, b, sol[c]);
        });
        // The noise is drawn in one order on one thread, so it depends on the seed and the removed set only.
        for (int c = 0; c < channels; c++) {
            int base = c * pixels;
            for (int u = 0; u < n; u++) {
                out[base + unknown[u]] = (float) (sol[c][u] + (noise > 0 ? noise * rng.nextGaussian() : 0));
            }
        }
        return InputTensor.of(channels, h, w, out);
    }

    /**
     * Fills removed pixels from kept ones through an image pyramid: kept values are averaged down (weights = how many
     * kept pixels each coarse pixel covers) to 1 × 1, then each level's holes are filled from the level above on
     * the way back up. Kept pixels keep their values.
     */
    static float[] pushPull(InputTensor input, boolean[] removed) {
        int c = input.channels();
        int h = input.height();
        int w = input.width();
        float[] x = input.unsafeData();
        java.util.List<int[]> sizes = new java.util.ArrayList<>();
        java.util.List<double[]> values = new java.util.ArrayList<>();
        java.util.List<double[]> weights = new java.util.ArrayList<>();
        double[] v0 = new double[c * h * w];
        double[] w0 = new double[h * w];
        for (int p = 0; p < h * w; p++) {
            if (!removed[p]) {
                w0[p] = 1;
                for (int ch = 0; ch < c; ch++) {
                    v0[ch * h * w + p] = x[ch * h * w + p];
                }
            }
        }
        sizes.add(new int[] {h, w});
        values.add(v0);
        weights.add(w0);
        while (sizes.get(sizes.size() - 1)[0] > 1 || sizes.get(sizes.size() - 1)[1] > 1) {
            int[] sz = sizes.get(sizes.size() - 1);
            int hh = (sz[0] + 1) / 2;
            int ww = (sz[1] + 1) / 2;
            double[] v = values.get(values.size() - 1);
            double[] wt = weights.get(weights.size() - 1);
            double[] nv = new double[c * hh * ww];
            double[] nw = new double[hh * ww];
            for (int i = 0; i < sz[0]; i++) {
                for (int j = 0; j < sz[1]; j++) {
                    int p = i * sz[1] + j;
                    int q = (i / 2) * ww + j / 2;
                    nw[q] += wt[p];
                    for (int ch = 0; ch < c; ch++) {
                        nv[ch * hh * ww + q] += v[ch * sz[0] * sz[1] + p];
                    }
                }
            }
            sizes.add(new int[] {hh, ww});
            values.add(nv);
            weights.add(nw);
        }
        // values hold weighted sums; pull: a level's pixel is its own mean where it has weight, blended towards its
        // parent's filled value as the weight falls below 1.
        double[] above = null;
        int[] aboveSize = null;
        for (int l = sizes.size() - 1; l >= 0; l--) {
            int[] sz = sizes.get(l);
            int n = sz[0] * sz[1];
            double[] v = values.get(l);
            double[] wt = weights.get(l);
            double[] filled = new double[c * n];
            for (int i = 0; i < sz[0]; i++) {
                for (int j = 0; j < sz[1]; j++) {
                    int p = i * sz[1] + j;
                    double a = Math.min(1, wt[p]);
                    for (int ch = 0; ch < c; ch++) {
                        double own = wt[p] > 0 ? v[ch * n + p] / wt[p] : 0;
                        double parent = above == null ? 0
                                : above[ch * aboveSize[0] * aboveSize[1] + (i / 2) * aboveSize[1] + j / 2];
                        filled[ch * n + p] = a * own + (1 - a) * parent;
                    }
                }
            }
            above = filled;
            aboveSize = sz;
        }
        float[] out = new float[c * h * w];
        for (int k = 0; k < out.length; k++) {
            out[k] = (float) above[k];
        }
        return out;
    }

    /** Which removed pixels are connected (through removed pixels) to a kept one: a breadth-first search. */
    private static boolean[] anchored(int n, int[] nbr, int[] nNbr, int[] nKept) {
        boolean[] seen = new boolean[n];
        int[] queue = new int[n];
        int tail = 0;
        for (int u = 0; u < n; u++) {
            if (nKept[u] > 0) {
                seen[u] = true;
                queue[tail++] = u;
            }
        }
        for (int head = 0; head < tail; head++) {
            int u = queue[head];
            for (int k = 0; k < nNbr[u]; k++) {
                int v = nbr[u * 8 + k];
                if (!seen[v]) {
                    seen[v] = true;
                    queue[tail++] = v;
                }
            }
        }
        return seen;
    }

    /**
     * Solves A·x = b, A = diag − the neighbour weights, from the x given, to {@link #TOLERANCE} relative residual
     * (relative to b; with b = 0 the start must already solve it, as the caller's zeros do).
     */
    private static void conjugateGradients(double[] diag, int[] nbr, double[] nbrW, int[] nNbr, double[] b,
                                           double[] x) {
        int n = b.length;
        double[] r = new double[n];
        for (int u = 0; u < n; u++) {
            double s = diag[u] * x[u];
            for (int k = 0; k < nNbr[u]; k++) {
                s -= nbrW[u * 8 + k] * x[nbr[u * 8 + k]];
            }
            r[u] = b[u] - s;
        }
        double[] d = new double[n];
        double[] ad = new double[n];
        // Jacobi preconditioning: the diagonal shrinks at the border, so it helps a little and costs nothing.
        double[] z = new double[n];
        double bb = 0;
        double r0 = 0;
        for (int u = 0; u < n; u++) {
            bb += b[u] * b[u];
            r0 += r[u] * r[u];
            z[u] = r[u] / diag[u];
            d[u] = z[u];
        }
        if (r0 <= TOLERANCE * TOLERANCE * bb) {
            return;
        }
        double rz = dot(r, z);
        for (int it = 0; it < 10 * n + 100; it++) {
            for (int u = 0; u < n; u++) {
                double s = diag[u] * d[u];
                for (int k = 0; k < nNbr[u]; k++) {
                    s -= nbrW[u * 8 + k] * d[nbr[u * 8 + k]];
                }
                ad[u] = s;
            }
            double alpha = rz / dot(d, ad);
            double rr = 0;
            for (int u = 0; u < n; u++) {
                x[u] += alpha * d[u];
                r[u] -= alpha * ad[u];
                rr += r[u] * r[u];
            }
            if (rr <= TOLERANCE * TOLERANCE * bb) {
                return;
            }
            for (int u = 0; u < n; u++) {
                z[u] = r[u] / diag[u];
            }
            double rzNew = dot(r, z);
            double beta = rzNew / rz;
            rz = rzNew;
            for (int u = 0; u < n; u++) {
                d[u] = z[u] + beta * d[u];
            }
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += a[k] * b[k];
        }
        return s;
    }
}
