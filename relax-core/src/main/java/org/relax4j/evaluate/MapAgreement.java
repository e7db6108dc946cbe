package org.relax4j.evaluate;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * How alike two maps of one image are, as the sanity checks (Adebayo et al., 2018) and the stability checks measure
 * it: Spearman's rank correlation (the order a map puts pixels in, which is what the curves use) and SSIM (the
 * structure a person sees). Stateless.
 */
public final class MapAgreement {
    /** SSIM's window side (scikit-image's default). */
    public static final int SSIM_WINDOW = 7;

    private MapAgreement() {
    }

    /**
     * {@return Spearman's rank correlation: Pearson's r of the ranks, tied values sharing their mean rank; NaN when
     * either map is constant}
     *
     * @param a one map
     * @param b another, same length
     */
    public static double spearman(float[] a, float[] b) {
        requireSameLength(a, b);
        return FaithfulnessCorrelation.pearson(ranks(a), ranks(b));
    }

    /** Ranks from 1, ties averaged. */
    static double[] ranks(float[] v) {
        Integer[] idx = IntStream.range(0, v.length).boxed().toArray(Integer[]::new);
        Arrays.sort(idx, (x, y) -> Float.compare(v[x], v[y]));
        double[] r = new double[v.length];
        for (int k = 0; k < idx.length;) {
            int end = k;
            while (end + 1 < idx.length && Float.compare(v[idx[end + 1]], v[idx[k]]) == 0) {
                end++;
            }
            double rank = (k + end) / 2.0 + 1;
            for (int q = k; q <= end; q++) {
                r[idx[q]] = rank;
            }
            k = end + 1;
        }
        return r;
    }

    /**
     * The mean structural similarity (Wang et al., 2004) of two maps, each first scaled to [0, 1] by its own range
     * (maps of different models have different units; a constant map becomes 0), over {@value #SSIM_WINDOW}² windows
     * with uniform weights, C1 = (0.01)², C2 = (0.03)². 1 for identical maps.
     *
     * @param a one map, row-major
     * @param b another, same shape
     * @param height rows, at least {@value #SSIM_WINDOW}
     * @param width columns, at least {@value #SSIM_WINDOW}
     * @return mean SSIM over all full windows
     */
    public static double ssim(float[] a, float[] b, int height, int width) {
        requireSameLength(a, b);
        if (a.length != height * width) {
            throw new IllegalArgumentException("maps of " + a.length + " values are not " + height + "x" + width);
        }
        if (height < SSIM_WINDOW || width < SSIM_WINDOW) {
            throw new IllegalArgumentException("SSIM needs maps of at least " + SSIM_WINDOW + "x" + SSIM_WINDOW);
        }
        double[] x = unitRange(a);
        double[] y = unitRange(b);
        double c1 = 1e-4;
        double c2 = 9e-4;
        int n = SSIM_WINDOW * SSIM_WINDOW;
        double total = 0;
        int windows = 0;
        for (int i = 0; i + SSIM_WINDOW <= height; i++) {
            for (int j = 0; j + SSIM_WINDOW <= width; j++) {
                double sx = 0;
                double sy = 0;
                double sxx = 0;
                double syy = 0;
                double sxy = 0;
                for (int di = 0; di < SSIM_WINDOW; di++) {
                    int row = (i + di) * width + j;
                    for (int dj = 0; dj < SSIM_WINDOW; dj++) {
                        double u = x[row + dj];
                        double v = y[row + dj];
                        sx += u;
                        sy += v;
                        sxx += u * u;
                        syy += v * v;
                        sxy += u * v;
                    }
                }
                double mx = sx / n;
                double my = sy / n;
                // Sample (co)variances, n − 1, as scikit-image does.
                double vx = (sxx - n * mx * mx) / (n - 1);
                double vy = (syy - n * my * my) / (n - 1);
                double cxy = (sxy - n * mx * my) / (n - 1);
                total += (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2));
                windows++;
            }
        }
        return total / windows;
    }

    private static double[] unitRange(float[] v) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (float f : v) {
            lo = Math.min(lo, f);
            hi = Math.max(hi, f);
        }
        double[] out = new double[v.length];
        if (hi > lo) {
            for (int k = 0; k < v.length; k++) {
                out[k] = (v[k] - lo) / (hi - lo);
            }
        }
        return out;
    }

    private static void requireSameLength(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("maps of " + a.length + " and " + b.length + " values");
        }
    }
}
