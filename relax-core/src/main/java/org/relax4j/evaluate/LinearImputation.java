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
    /** Relative residual at which CG stops: far below the added noise for inputs of unit scale. */
    private static final double TOLERANCE = 1e-5;

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
        double[] b = new double[n];
        double[] sol = new double[n];
        for (int c = 0; c < input.channels(); c++) {
            int base = c * pixels;
            for (int u = 0; u < n; u++) {
                double s = 0;
                for (int k = 0; k < nKept[u]; k++) {
                    s += keptW[u * 8 + k] * x[base + kept[u * 8 + k]];
                }
                b[u] = s;
            }
            conjugateGradients(diag, nbr, nbrW, nNbr, b, sol);
            for (int u = 0; u < n; u++) {
                out[base + unknown[u]] = (float) (sol[u] + (noise > 0 ? noise * rng.nextGaussian() : 0));
            }
        }
        return InputTensor.of(input.channels(), h, w, out);
    }

    /** Solves A·x = b, A = diag − the neighbour weights, from x = 0, to {@link #TOLERANCE} relative residual. */
    private static void conjugateGradients(double[] diag, int[] nbr, double[] nbrW, int[] nNbr, double[] b,
                                           double[] x) {
        int n = b.length;
        java.util.Arrays.fill(x, 0);
        double[] r = b.clone();
        double[] d = new double[n];
        double[] ad = new double[n];
        // Jacobi preconditioning: the diagonal shrinks at the border, so it helps a little and costs nothing.
        double[] z = new double[n];
        double bb = 0;
        for (int u = 0; u < n; u++) {
            bb += b[u] * b[u];
            z[u] = r[u] / diag[u];
            d[u] = z[u];
        }
        if (bb == 0) {
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
